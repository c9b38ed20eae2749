import { describe, expect, it } from 'vitest';
import { MatrixError, parseMatrix } from '../../../src/core/matrix.js';
import { buildPlan, expectedRunMs } from '../../../src/core/plan.js';

function issuesOf(text: string): string[] {
  try {
    parseMatrix(text, 'm.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(MatrixError);
    return (e as MatrixError).message.split('\n');
  }
  throw new Error('expected the matrix to be rejected');
}

const plan = (text: string) => buildPlan(parseMatrix(text, 'm.yaml'), 'm.yaml');

describe('matrix file', () => {
  it('expands matrix: as a cartesian product nested in the order written, with defaults', () => {
    const p = plan(`version: 1
name: demo
defaults: { duration: 30s, cooldown: 5s }
matrix:
  spawnRate: [10, 50]
  users: [100, 200]
`);
    expect(p.stages.map((s) => [s.spawnRate, s.users])).toEqual([
      [10, 100],
      [10, 200],
      [50, 100],
      [50, 200],
    ]);
    expect(p.stages[0]).toMatchObject({
      index: 1,
      name: 'spawnRate=10 users=100',
      slug: 'spawnrate-10-users-100',
      durationMs: 30_000,
      cooldownMs: 5_000,
      sampleEveryMs: 2_000,
    });
    expect(p.locust.url).toBeNull();
  });

  it('keeps explicit stages in order, per-stage values winning over defaults', () => {
    const p = plan(`version: 1
name: demo
defaults: { spawnRate: 5, duration: 1m }
stages:
  - { name: warm, users: 5, duration: 10s }
  - { users: 20, spawnRate: 10, cooldown: 0s }
`);
    expect(p.stages.map((s) => [s.name, s.users, s.spawnRate, s.durationMs, s.cooldownMs])).toEqual([
      ['warm', 5, 5, 10_000, 15_000],
      ['users=20', 20, 10, 60_000, 0],
    ]);
    // ramp 1 s + cache 2 s + 10 s + cooldown 15 s (counted from the stop); then 2+2+60+1 (the last stage: read while running, stop)
    expect(expectedRunMs(p)).toBe(28_000 + 65_000);
  });

  it('names the file, YAML path, line:column and a fix for each problem', () => {
    const lines = issuesOf(`version: 1
name: demo
stages:
  - users: 10
    duration: 2x
  - usres: 5
`);
    expect(lines).toContain('m.yaml:5:15 stages[0].duration: expected a duration with a unit, e.g. 500ms, 90s, 2m, 1h30m');
    expect(lines.find((l) => l.startsWith('m.yaml:6:5 stages[1].usres: unknown key "usres" — did you mean "users"?'))).toBeDefined();
  });

  it('reads SLOs (top level, per stage key by key) and a capacity search', () => {
    const p = plan(`version: 1
name: demo
slo: { p95: 500ms, failRatio: 1%, minRps: 50, onBreach: stop }
stages:
  - { users: 10 }
  - { users: 20, slo: { p95: 800ms, p99: 1s } }
`);
    expect(p.onBreach).toBe('stop');
    expect(p.stages[0]!.slo).toEqual({ p50Ms: null, p90Ms: null, p95Ms: 500, p99Ms: null, avgMs: null, maxMs: null, failRatio: 0.01, minRps: 50 });
    expect(p.stages[1]!.slo).toMatchObject({ p95Ms: 800, p99Ms: 1000, failRatio: 0.01, minRps: 50 });
    const c = plan('version: 1\nname: cap\nslo: { p95: 200ms }\ncapacity: { users: { start: 10, max: 500 }, precision: 5 }\n');
    expect(c.capacity).toEqual({ startUsers: 10, maxUsers: 500, factor: 2, precisionUsers: 5 });
    expect(c.stages).toHaveLength(1);
    expect(c.stages[0]).toMatchObject({ users: 10, name: 'probe users=10' });
    expect(issuesOf('version: 1\nname: cap\ncapacity: { users: { start: 10, max: 500 } }\n')[0]).toMatch(/capacity: a capacity search needs an slo:/);
    expect(issuesOf('version: 1\nname: a\nslo: { p95: fast }\nstages: [{users: 1}]\n')[0]).toMatch(/slo.p95: expected a duration with a unit/);
    expect(issuesOf('version: 1\nname: a\nslo: { failRatio: 150% }\nstages: [{users: 1}]\n')[0]).toMatch(
      /slo.failRatio: expected a percentage like 1% or a ratio like 0.01/,
    );
    expect(issuesOf('version: 1\nname: a\nslo: { p59: 1s }\nstages: [{users: 1}]\n')[0]).toMatch(/unknown key "p59" — did you mean "p50"\?/);
  });

  it('expands the original 24-scenario cluster matrix (replicas × workers × users) in the order written', async () => {
    const { readFileSync } = await import('node:fs');
    const p = buildPlan(parseMatrix(readFileSync(new URL('../../../matrix.yaml', import.meta.url), 'utf8'), 'matrix.yaml'), 'matrix.yaml');
    expect(p.stages).toHaveLength(24);
    expect(p.stages.slice(0, 4).map((s) => [s.replicas, s.workers, s.users])).toEqual([
      [1, 4, 200],
      [1, 4, 400],
      [1, 4, 800],
      [1, 8, 200],
    ]);
    expect(p.stages[23]).toMatchObject({
      replicas: 8,
      workers: 8,
      users: 800,
      name: 'replicas=8 workers=8 users=800',
      durationMs: 120_000,
      cooldownMs: 15_000,
      scaleTimeoutMs: 300_000,
    });
    expect(p.kubernetes).toEqual({
      namespace: 'default',
      target: { deployment: 'inference', hpa: 'inference' },
      workers: { deployment: 'locust-worker' },
      restore: true,
      leaseName: 'locust-driver',
      keepSummaries: 20,
    });
  });

  it('needs the kubernetes objects a stage scales, and replicas or hpa, not both', () => {
    const lines = issuesOf(`version: 1
name: demo
stages:
  - { users: 10, replicas: 2, hpa: { min: 1, max: 4, cpuPercent: 70 } }
`);
    expect(lines.some((l) => l.includes('stages[0].hpa: give replicas or hpa, not both'))).toBe(true);
    expect(() => plan('version: 1\nname: a\nstages: [{users: 1, workers: 2}]\n')).toThrow(/stage 1 sets workers, which needs kubernetes.workers.deployment/);
    expect(() => plan('version: 1\nname: a\nstages: [{users: 1, replicas: 2}]\n')).toThrow(/stage 1 sets replicas, which needs kubernetes.target.deployment/);
    expect(issuesOf('version: 1\nname: a\nkubernetes: { target: { deployment: Inference } }\nstages: [{users: 1}]\n')[0]).toMatch(
      /kubernetes.target.deployment: expected a Kubernetes object name/,
    );
    expect(issuesOf('version: 1\nname: a\nkubernetes: { targt: { deployment: x } }\nstages: [{users: 1}]\n')[0]).toMatch(
      /unknown key "targt" — did you mean "target"\?/,
    );
    expect(issuesOf('version: 1\nname: a\nstages: [{users: 1, hpa: { min: 4, max: 2, cpuPercent: 70 }}]\n')[0]).toMatch(
      /stages\[0\].hpa.max: max must be at least min/,
    );
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(issuesOf('version: 1\nname: [demo\n')[0]).toMatch(/^m\.yaml:\d+:\d+ \(top level\): YAML syntax: /);
    expect(issuesOf('version: 1\nname: a\nname: b\nstages: [{users: 1}]\n')[0]).toBe('m.yaml:3:1 (top level): YAML syntax: Map keys must be unique');
  });

  it('requires exactly one of matrix: and stages:, and the version', () => {
    expect(issuesOf('version: 1\nname: a\n')[0]).toMatch(/exactly one of matrix: \(a cartesian product\), stages: \(an explicit list\) or capacity:/);
    expect(issuesOf('name: a\nstages: [{users: 1}]\n')[0]).toBe('m.yaml:1:1 version: required: add version: 1');
    expect(issuesOf('version: 2\nname: a\nstages: [{users: 1}]\n')[0]).toBe('m.yaml:1:10 version: expected version: 1');
  });

  it('rejects bare numbers as durations and zero spawn rates', () => {
    const lines = issuesOf('version: 1\nname: a\nstages: [{users: 1, duration: 120, spawnRate: 0}]\n');
    expect(lines.some((l) => l.includes('stages[0].duration: expected a duration with a unit'))).toBe(true);
    expect(lines.some((l) => l.includes('stages[0].spawnRate: must be more than 0 users/s'))).toBe(true);
  });

  it('refuses a ramp that cannot finish within rampTimeout', () => {
    expect(() => plan('version: 1\nname: a\nstages: [{users: 800, spawnRate: 10, rampTimeout: 30s}]\n')).toThrow(
      /stage 1 needs about 1m 22s to start 800 users at 10\/s, but rampTimeout is 30s/,
    );
  });

  it('gives a top-level error for a document that is not a mapping', () => {
    expect(issuesOf('- 1\n- 2\n')[0]).toBe('m.yaml:1:1 (top level): expected a mapping with version: 1, name, and matrix: or stages:');
  });
});
