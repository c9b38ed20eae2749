import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../../src/core/compare.js';
import type { RunRecord, StageResult } from '../../../../src/core/model.js';
import type { Interval, StageStats } from '../../../../src/core/stats/types.js';
import { makeRunRecord } from '../../../fakes/run-record.js';

function interval(estimate: number, relHalfWidth: number): Interval {
  const halfWidth = estimate * relHalfWidth;
  return {
    estimate,
    low: estimate - halfWidth,
    high: estimate + halfWidth,
    halfWidth,
    relativeHalfWidth: relHalfWidth,
    batches: 10,
    batchSize: 2,
    lag1: 0,
    independent: true,
  };
}

/** The fake run's first stage only, with its totals scaled and intervals of the given relative half-width. */
function oneStage(runId: string, opts: { rps: number; p95: number; avg: number; rel: number }): RunRecord {
  const run = makeRunRecord({ runId });
  const s = run.stages[0] as StageResult;
  const stats: StageStats = {
    subWindows: [],
    steady: { throughput: null, latency: null, drifting: false, verdict: 'steady' },
    confidence: { rps: interval(opts.rps, opts.rel), avgMs: interval(opts.avg, opts.rel), method: 'test' },
  };
  const totals = { ...(s.totals as NonNullable<StageResult['totals']>), rps: opts.rps, p95Ms: opts.p95, avgMs: opts.avg };
  return { ...run, stages: [{ ...s, totals, stats }] };
}

const TOL = { rps: -0.05, p95: 0.1 };

describe('regression against noise', () => {
  it('a change beyond the tolerance but inside the measured noise is no regression, and says the noise decided', () => {
    const c = compareRuns(oneStage('b', { rps: 100, p95: 100, avg: 50, rel: 0.08 }), oneStage('c', { rps: 93, p95: 100, avg: 50, rel: 0.08 }), TOL);
    const rps = c.stages[0]?.deltas.find((d) => d.metric === 'rps');
    expect(rps?.noise).toBeCloseTo(Math.sqrt(8 ** 2 + 7.44 ** 2) / 100, 6); // both half-widths over the baseline
    expect(rps).toMatchObject({ regression: false, bound: 'noise' });
    expect(rps?.reason).toMatch(/^rps -7\.0 % \(100\.0 → 93\.0 req\/s\) within the noise ±10\.9 % \(wider than the tolerance -5 %\)$/);
    expect(c.regression).toBe(false);
  });

  it('a change beyond both is a regression', () => {
    const c = compareRuns(oneStage('b', { rps: 100, p95: 100, avg: 50, rel: 0.08 }), oneStage('c', { rps: 70, p95: 100, avg: 50, rel: 0.08 }), TOL);
    const rps = c.stages[0]?.deltas.find((d) => d.metric === 'rps');
    expect(rps).toMatchObject({ regression: true, bound: 'noise' });
    expect(rps?.reason).toMatch(/beyond the noise/);
  });

  it('with little noise the tolerance decides, and the noise is named', () => {
    const c = compareRuns(oneStage('b', { rps: 100, p95: 100, avg: 50, rel: 0.01 }), oneStage('c', { rps: 93, p95: 100, avg: 50, rel: 0.01 }), TOL);
    const rps = c.stages[0]?.deltas.find((d) => d.metric === 'rps');
    expect(rps).toMatchObject({ regression: true, bound: 'tolerance' });
    expect(rps?.reason).toBe('rps -7.0 % (100.0 → 93.0 req/s) < -5 % (noise ±1.4 %)');
  });

  it('percentiles take the mean latency interval as a proxy for their noise', () => {
    const c = compareRuns(oneStage('b', { rps: 100, p95: 100, avg: 50, rel: 0.1 }), oneStage('c', { rps: 100, p95: 112, avg: 50, rel: 0.1 }), TOL);
    const p95 = c.stages[0]?.deltas.find((d) => d.metric === 'p95');
    expect(p95).toMatchObject({ regression: false, bound: 'noise' });
    expect(p95?.reason).toMatch(/within the noise ±14\.1 %, the mean latency's interval as proxy/);
  });

  it('a run without stats (older run.json) is judged by the tolerance alone, as before', () => {
    const b = oneStage('b', { rps: 100, p95: 100, avg: 50, rel: 0.08 });
    const c = oneStage('c', { rps: 93, p95: 100, avg: 50, rel: 0.08 });
    const old = { ...c, stages: c.stages.map((s) => ({ ...s, stats: null })) };
    const rps = compareRuns(b, old, TOL).stages[0]?.deltas.find((d) => d.metric === 'rps');
    expect(rps).toMatchObject({ regression: true });
    expect(rps?.noise).toBeUndefined();
  });
});
