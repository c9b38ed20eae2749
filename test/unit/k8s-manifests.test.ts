// What k8s/driver-job.yaml and k8s/driver-cronjob.yaml make the driver do, read as the driver reads
// them: the matrix from the ConfigMap, the LOCUST_DRIVER_* variables through the command line.
// (test/e2e/manifests-rbac.test.ts applies the same files to a real API server.)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseCli, type CliOptions } from '../../src/cli.js';
import { parseMatrix } from '../../src/core/matrix.js';
import { buildPlan } from '../../src/core/plan.js';

const K8S = path.join(import.meta.dirname, '..', '..', 'k8s');

interface EnvVar {
  name: string;
  value?: string;
}
type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: Record<string, unknown> };

async function objects(file: string): Promise<Doc[]> {
  return parseAllDocuments(await readFile(path.join(K8S, file), 'utf8'))
    .map((d) => d.toJS() as Doc)
    .filter((d) => d !== null);
}

/** The driver container's plain-valued LOCUST_DRIVER_* variables ($(VAR) expansions set by the kubelet left out). */
function driverEnv(podSpec: unknown): Record<string, string> {
  const containers = (podSpec as { containers: { name: string; env: EnvVar[] }[] }).containers;
  const env = containers.find((c) => c.name === 'driver')!.env;
  return Object.fromEntries(
    env.filter((e) => e.name.startsWith('LOCUST_DRIVER_') && e.value !== undefined && !e.value.includes('$(')).map((e) => [e.name, e.value!]),
  );
}

async function optionsOf(file: string, kind: 'Job' | 'CronJob'): Promise<CliOptions> {
  const o = (await objects(file)).find((d) => d.kind === kind)!;
  const template =
    kind === 'Job'
      ? (o.spec as { template: { spec: unknown } }).template
      : (o.spec as { jobTemplate: { spec: { template: { spec: unknown } } } }).jobTemplate.spec.template;
  // As in the pod: the run id comes from the Job (a $(VAR) expansion), --resume=auto needs it.
  return (await parseCli(['run'], { ...driverEnv(template.spec), LOCUST_DRIVER_RUN_ID: 'locust-load-test-nightly-29000000-uid' }, '0.0.0')) as CliOptions;
}

describe('the driver as k8s/ runs it', () => {
  it("reads a matrix that names no namespace: the pod's own is scaled", async () => {
    const cm = (await objects('driver-job.yaml')).find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'locust-driver-matrix')!;
    const plan = buildPlan(parseMatrix(cm.data!['matrix.yaml']!, 'locust-driver-matrix'), 'locust-driver-matrix');
    expect(plan.kubernetes).toMatchObject({ namespace: null, target: { deployment: 'inference', hpa: 'inference' }, workers: { deployment: 'locust-worker' } });
    expect(plan.stages).toHaveLength(24);
  });

  it('logs for people in both manifests (JSON only when asked for)', async () => {
    for (const [file, kind] of [
      ['driver-job.yaml', 'Job'],
      ['driver-cronjob.yaml', 'CronJob'],
    ] as const) {
      expect((await optionsOf(file, kind)).logFormat, file).toBe('pretty');
    }
  });

  it('compares every night with the latest run summary, the one-off Job with nothing', async () => {
    expect(await optionsOf('driver-cronjob.yaml', 'CronJob')).toMatchObject({
      baseline: 'latest',
      resume: 'auto',
      matrix: '/config/matrix.yaml',
      out: '/results',
    });
    expect((await optionsOf('driver-job.yaml', 'Job')).baseline).toBeNull();
  });

  it('gives the Locust pods the bundled locustfile and, next to it, the companion plugin it imports', async () => {
    const cm = (await objects('locust-configmap.yaml')).find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'locust-scripts')!;
    const locustDir = path.join(K8S, '..', 'locust');
    expect(cm.data!['locustfile.py']).toBe(await readFile(path.join(locustDir, 'locustfile.py'), 'utf8'));
    expect(cm.data!['locust_driver_plugin.py']).toBe(await readFile(path.join(locustDir, 'locust_driver_plugin.py'), 'utf8'));
    expect(cm.data!['locustfile.py']).toMatch(/^import locust_driver_plugin\b/m);
  });
});
