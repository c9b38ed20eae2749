// The e2e cluster does by itself what a user's cluster does (test/cluster/control-plane.sh): each of
// these fails on a bare kube-apiserver, where nothing reconciles.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectl } from './kube.js';

const probe = (ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: probe, namespace: ${ns} }
spec:
  replicas: 2
  selector: { matchLabels: { app: probe } }
  template:
    metadata:
      labels: { app: probe }
      # what kwok reports as this pod's CPU (its ClusterResourceUsage reads the annotation)
      annotations: { kwok.x-k8s.io/usage-cpu: 50m }
    spec:
      containers:
        - { name: probe, image: registry.invalid/probe:1, resources: { requests: { cpu: 100m } } }
`;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

describe('a cluster that reconciles', () => {
  it('rolls a Deployment out onto fake nodes, reports its pods CPU through metrics.k8s.io, and deletes its namespace with everything in it', async () => {
    const ns = `ld-probe-${Date.now().toString(36)}`;
    expect((await kubectl(['create', 'namespace', ns])).code).toBe(0);
    // The ServiceAccount admission plugin refuses pods until the serviceaccount controller made "default".
    await until('the default ServiceAccount', async () => ((await kubectl(['get', 'sa', 'default', '-n', ns])).code === 0 ? true : undefined), 30_000);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'ld-probe-')), 'probe.yaml');
    await writeFile(file, probe(ns));
    expect((await kubectl(['apply', '--server-side', '-f', file])).code).toBe(0);

    const status = await kubectl(['rollout', 'status', 'deployment/probe', '-n', ns, '--timeout=60s']);
    expect(status.stdout).toMatch(/successfully rolled out/);
    const pods = JSON.parse((await kubectl(['get', 'pods', '-n', ns, '-o', 'json'])).stdout).items as {
      spec: { nodeName?: string };
      status: { phase: string };
      metadata: { ownerReferences?: { kind: string }[] };
    }[];
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.spec.nodeName).toMatch(/^kwok-node-\d+$/); // bound by the scheduler
      expect(p.status.phase).toBe('Running'); // started by kwok
      expect(p.metadata.ownerReferences?.map((o) => o.kind)).toEqual(['ReplicaSet']); // made by the ReplicaSet controller
    }

    // metrics-server needs two scrapes (10 s apart) of kwok's cumulative CPU counter for a rate:
    // measured 20-30 s after the pods start.
    const top = await until(
      'kubectl top pods',
      async () => {
        const r = await kubectl(['top', 'pods', '-n', ns, '--no-headers']);
        const lines = r.stdout.trim().split('\n').filter(Boolean);
        return r.code === 0 && lines.length === 2 ? lines : undefined;
      },
      90_000,
    );
    // a rate of two counter reads taken a scrape apart: 50m give or take a millicore or two
    for (const line of top) {
      const m = /^probe-\S+\s+(\d+)m\s+1Mi\s*$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(45);
      expect(Number(m![1])).toBeLessThanOrEqual(55);
    }

    expect((await kubectl(['delete', 'namespace', ns, '--wait=false'])).code).toBe(0);
    // the namespace controller empties it (the garbage collector and kwok remove the pods), then it goes
    await until('the namespace gone', async () => ((await kubectl(['get', 'namespace', ns])).stderr.includes('NotFound') ? true : undefined), 90_000);
  });
});
