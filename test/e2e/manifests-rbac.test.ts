// Every manifest in k8s/ is accepted by a real API server, and the driver's ServiceAccount can do
// exactly what docs/security.md says: yes for what a run needs, no for the rest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../integration/helpers.js';
import { admin, applyManifests, kubectl, NS } from './kube.js';

describe('k8s/ on a real kube-apiserver', () => {
  beforeAll(async () => {
    const r = await applyManifests();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('accepts every object of kubectl apply -k k8s/ (server-side)', async () => {
    const { apps, core } = admin();
    for (const name of ['locust-master', 'locust-worker', 'inference'])
      expect((await apps.readNamespacedDeployment({ name, namespace: NS })).metadata?.name).toBe(name);
    const job = await kubectl(['get', 'job', 'locust-load-test-matrix', '-n', NS, '-o', 'json']);
    expect(job.code).toBe(0);
    const spec = JSON.parse(job.stdout).spec.template.spec;
    expect(spec.serviceAccountName).toBe('locust-driver');
    expect(spec.enableServiceLinks).toBe(false);
    // a pod the Job starts again resumes the same run: the run id comes from the Job, not the clock
    const env = Object.fromEntries(
      spec.containers[0].env.map((e: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }) => [
        e.name,
        e.value ?? e.valueFrom?.fieldRef?.fieldPath,
      ]),
    );
    expect(env).toMatchObject({
      JOB_NAME: "metadata.labels['batch.kubernetes.io/job-name']",
      JOB_UID: "metadata.labels['batch.kubernetes.io/controller-uid']",
      LOCUST_DRIVER_RUN_ID: '$(JOB_NAME)-$(JOB_UID)',
      LOCUST_DRIVER_RESUME: 'auto',
    });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const cron = JSON.parse((await kubectl(['get', 'cronjob', '-n', NS, '-o', 'json'])).stdout).items;
    expect(cron.map((c: { spec: { concurrencyPolicy: string } }) => c.spec.concurrencyPolicy)).toEqual(['Forbid']);
    // the locustfile in the ConfigMap is the bundled one
    const cm = await core.readNamespacedConfigMap({ name: 'locust-scripts', namespace: NS });
    expect(cm.data?.['locustfile.py']).toBe(await readFile(path.join(ROOT, 'locust', 'locustfile.py'), 'utf8'));
    // the Service selects the master's pods (the original deployment's pitfall)
    const svc = await core.readNamespacedService({ name: 'locust-master', namespace: NS });
    const master = await apps.readNamespacedDeployment({ name: 'locust-master', namespace: NS });
    expect(svc.spec?.selector).toEqual(master.spec?.selector?.matchLabels);
    expect(svc.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
  });

  it('grants the locust-driver ServiceAccount exactly what docs/security.md lists', async () => {
    const doc = await readFile(path.join(ROOT, 'docs', 'security.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `kubectl auth can-i ([^`]+)` \| (yes|no) \|/gm)].map((m) => ({ args: m[1]!, expected: m[2]! }));
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.filter((r) => r.expected === 'no').length).toBeGreaterThanOrEqual(10);
    const wrong: string[] = [];
    for (const r of rows) {
      const res = await kubectl(['auth', 'can-i', ...r.args.split(/\s+/)]);
      const got = res.stdout.trim();
      if (got !== r.expected) wrong.push(`can-i ${r.args}: expected ${r.expected}, got ${got || res.stderr.trim()}`);
    }
    expect(wrong).toEqual([]);
  });
});
