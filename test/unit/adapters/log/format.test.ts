import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../../../src/adapters/log/format.js';
import type { StagePlan } from '../../../../src/core/model.js';
import { makeRunRecord } from '../../../fakes/run-record.js';

const stage: StagePlan = {
  index: 3,
  name: 'users=400',
  slug: 'users-400',
  users: 400,
  spawnRate: 20,
  durationMs: 120_000,
  cooldownMs: 15_000,
  sampleEveryMs: 2_000,
  rampTimeoutMs: 300_000,
  replicas: null,
  hpa: null,
  workers: null,
  scaleTimeoutMs: 300_000,
  slo: null,
};

describe('log lines', () => {
  it("prints one progress line per sample in the original driver's spirit, with the run's time left", () => {
    const line = formatEvent({
      kind: 'sample',
      stage,
      of: 24,
      runElapsedMs: 600_000,
      runPlannedMs: 2_400_000,
      sample: {
        at: '2026-11-28T12:00:00.000Z',
        elapsedMs: 60_400,
        users: 400,
        workers: 4,
        requests: 48_000,
        failures: 0,
        rps: 812.44,
        failPerSec: 0,
        p50Ms: 41,
        p95Ms: 120,
        workerCpuMaxPercent: 35,
        replicasReady: null,
        replicasDesired: null,
        hpaCurrent: null,
        hpaDesired: null,
        hpaCpuPercent: null,
        stale: false,
      },
    });
    expect(line?.msg).toBe('stage 3/24 [60s/120s] users=400 rps=812.4 p50=41ms p95=120ms fail=0.00% workers=4 | run 25% ~30m left');
    expect(line?.fields).toMatchObject({ event: 'sample', stage: 3, rps: 812.44, p95Ms: 120 });
  });

  it('never shows a missing rolling value as a number', () => {
    const line = formatEvent({
      kind: 'sample',
      stage,
      of: 1,
      runElapsedMs: 0,
      runPlannedMs: 0,
      sample: {
        at: 'x',
        elapsedMs: 2_100,
        users: 10,
        workers: 2,
        requests: 0,
        failures: 0,
        rps: null,
        failPerSec: null,
        p50Ms: null,
        p95Ms: null,
        workerCpuMaxPercent: null,
        replicasReady: null,
        replicasDesired: null,
        hpaCurrent: null,
        hpaDesired: null,
        hpaCpuPercent: null,
        stale: false,
      },
    });
    expect(line?.msg).toContain('rps=n/a p50=n/a p95=n/a');
  });

  it('ends the run with where the reports are, the best throughput and the knee', () => {
    const run = makeRunRecord();
    const line = formatEvent({ kind: 'run-finished', run, best: run.summary.best, knee: run.summary.knee, reportDir: 'results/r1', summaryConfigMap: null });
    expect(line?.msg).toMatch(/^run .* completed: 3 stages; best .*; knee: .*; reports in results\/r1$/);
    const inCluster = formatEvent({
      kind: 'run-finished',
      run,
      best: null,
      knee: null,
      reportDir: '/results/r1',
      summaryConfigMap: { name: 'locust-driver-run-r1', namespace: 'load' },
    });
    expect(inCluster?.msg).toMatch(/; reports in \/results\/r1; run summary in ConfigMap locust-driver-run-r1 \(namespace load\)$/);
    expect(inCluster?.fields).toMatchObject({ summaryConfigMap: { name: 'locust-driver-run-r1', namespace: 'load' } });
  });
});

describe('pretty lines', () => {
  it('are one readable line per record, without the structured fields', async () => {
    const { prettyLine } = await import('../../../../src/adapters/log/logger.js');
    const line = prettyLine(JSON.stringify({ level: 30, time: '2026-11-28T12:01:02.345Z', msg: 'stage 1/3 ramped', stage: 1 }), false);
    expect(line).toBe('[12:01:02] INFO  stage 1/3 ramped\n');
    expect(prettyLine(JSON.stringify({ level: 40, time: '2026-11-28T12:01:02.345Z', msg: 'w' }), true)).toBe('\x1b[33m[12:01:02] WARN  w\x1b[0m\n');
  });
});
