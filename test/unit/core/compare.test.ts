import { describe, expect, it } from 'vitest';
import { compareRuns, DEFAULT_TOLERANCES, parseTolerances, stageKey, stageNote } from '../../../src/core/compare.js';
import { ConfigError } from '../../../src/core/errors.js';
import type { RunRecord, StageResult, Totals } from '../../../src/core/model.js';
import { makeRunRecord, makeStage, makeTotals } from '../../fakes/run-record.js';

/** The fake run, with stage `index`'s totals changed. */
function withTotals(run: RunRecord, index: number, change: Partial<Totals>): RunRecord {
  return { ...run, runId: 'current', stages: run.stages.map((s) => (s.index === index && s.totals ? { ...s, totals: { ...s.totals, ...change } } : s)) };
}

describe('compareRuns', () => {
  const baseline = makeRunRecord({ runId: 'baseline' });

  it('finds no regression between identical runs', () => {
    const c = compareRuns(baseline, { ...baseline, runId: 'current' }, DEFAULT_TOLERANCES);
    expect(c.regression).toBe(false);
    expect(c.baselineRunId).toBe('baseline');
    expect(c.stages).toHaveLength(3);
    expect(c.stages.every((s) => s.baselineIndex === s.currentIndex && !s.regression)).toBe(true);
    expect(c.stages[0]?.deltas.map((d) => d.metric)).toEqual(['p95', 'p99', 'rps', 'failRatio']);
    expect(c.stages[0]?.deltas.every((d) => d.change === 0)).toBe(true);
    expect(c.reason).toBe('no regression: 3 stages compared with baseline within tolerances p95 +10 %, p99 +15 %, rps -5 %, failRatio +1 pp');
  });

  it('flags a slower stage, naming the stage, the metric and the numbers', () => {
    // stage 2: p95 110 → 136 ms (+23.6 %), p99 170 → 180 (+5.9 %, within +15 %)
    const current = withTotals(baseline, 2, { p95Ms: 136, p99Ms: 180 });
    const c = compareRuns(baseline, current, DEFAULT_TOLERANCES);
    expect(c.regression).toBe(true);
    const s2 = c.stages.find((s) => s.currentIndex === 2);
    expect(s2?.regression).toBe(true);
    expect(s2?.key).toBe('users=200 spawnRate=20 duration=2m');
    const p95 = s2?.deltas.find((d) => d.metric === 'p95');
    expect(p95).toMatchObject({ baseline: 110, current: 136, regression: true, reason: 'p95 +23.6 % (110 → 136 ms) > +10 %' });
    expect(p95?.change).toBeCloseTo(26 / 110, 10);
    expect(s2?.deltas.find((d) => d.metric === 'p99')).toMatchObject({ regression: false, reason: 'p99 +5.9 % (170 → 180 ms) ≤ +15 %' });
    expect(c.stages.filter((s) => s.regression)).toHaveLength(1);
    expect(c.reason).toMatch(/^regression in 1 of 3 compared stages against baseline: stage 2 · u200: p95 \+23\.6 % \(110 → 136 ms\) > \+10 %$/);
  });

  it('counts exactly the tolerance as within it, and a throughput drop beyond it as a regression', () => {
    const atLimit = withTotals(baseline, 1, { p95Ms: 95 * 1.1, rps: 195.5 * 0.95 });
    expect(compareRuns(baseline, atLimit, DEFAULT_TOLERANCES).regression).toBe(false);
    const lessRps = withTotals(baseline, 3, { rps: 450 });
    const c = compareRuns(baseline, lessRps, DEFAULT_TOLERANCES);
    expect(c.regression).toBe(true);
    expect(c.stages[2]?.deltas.find((d) => d.metric === 'rps')?.reason).toBe('rps -12.1 % (512.1 → 450.0 req/s) < -5 %');
    // faster and more throughput is never a regression
    const better = withTotals(baseline, 3, { rps: 900, p95Ms: 100, p99Ms: 120 });
    expect(compareRuns(baseline, better, DEFAULT_TOLERANCES).regression).toBe(false);
  });

  it('judges the failure ratio in absolute points, also from a baseline of 0', () => {
    // stage 1 has no failures in the baseline: 0 → 0.5 % is within +1 pp, 0 → 2 % is not
    expect(compareRuns(baseline, withTotals(baseline, 1, { failRatio: 0.005 }), DEFAULT_TOLERANCES).regression).toBe(false);
    const c = compareRuns(baseline, withTotals(baseline, 1, { failRatio: 0.02 }), DEFAULT_TOLERANCES);
    expect(c.regression).toBe(true);
    expect(c.stages[0]?.deltas.find((d) => d.metric === 'failRatio')?.reason).toBe('failRatio +2.00 pp (0.00 % → 2.00 %) > +1 pp');
    // a small ratio rising by a large relative amount (37 → 74 failures in 60 000) is still within a point
    expect(compareRuns(baseline, withTotals(baseline, 3, { failRatio: (2 * 37) / 59_662 }), DEFAULT_TOLERANCES).regression).toBe(false);
  });

  it('matches stages by their parameters, not their position', () => {
    const reordered: RunRecord = { ...baseline, runId: 'current', stages: [...baseline.stages].reverse().map((s, i) => ({ ...s, index: i + 1 })) };
    const c = compareRuns(baseline, reordered, DEFAULT_TOLERANCES);
    expect(c.regression).toBe(false);
    const u400 = c.stages.find((s) => s.key.startsWith('users=400 '));
    expect(u400).toMatchObject({ baselineIndex: 3, currentIndex: 1 });
    expect(u400?.deltas.every((d) => d.change === 0)).toBe(true);
  });

  it('lists unmatched stages without calling them regressions', () => {
    const s800 = makeStage({ index: 3, users: 800, totals: makeTotals({ p95Ms: 5_000, rps: 10 }) });
    const current: RunRecord = { ...baseline, runId: 'current', stages: [baseline.stages[0] as StageResult, baseline.stages[1] as StageResult, s800] };
    const c = compareRuns(baseline, current, DEFAULT_TOLERANCES);
    expect(c.regression).toBe(false);
    const onlyCurrent = c.stages.find((s) => s.baselineIndex === null);
    const onlyBaseline = c.stages.find((s) => s.currentIndex === null);
    expect(onlyCurrent).toMatchObject({ key: 'users=800 spawnRate=20 duration=2m', currentIndex: 3, deltas: [], regression: false });
    expect(onlyBaseline).toMatchObject({ key: 'users=400 spawnRate=20 duration=2m', baselineIndex: 3, deltas: [], regression: false });
    expect(stageNote(onlyCurrent!)).toMatch(/only in this run/);
    expect(stageNote(onlyBaseline!)).toMatch(/only in the baseline/);
    expect(c.reason).toMatch(/2 stages compared .*; 1 stage only in this run; 1 stage only in the baseline$/);
  });

  it('does not compare a stage that did not complete in either run, and says so', () => {
    const current = {
      ...baseline,
      runId: 'current',
      stages: baseline.stages.map((s) => (s.index === 3 ? { ...s, status: 'invalid' as const, reason: 'worker CPU 97 %' } : s)),
    };
    const c = compareRuns(baseline, current, DEFAULT_TOLERANCES);
    const s3 = c.stages[2];
    expect(s3?.regression).toBe(false);
    expect(stageNote(s3!)).toBe('not compared: stage 3 is invalid in this run (worker CPU 97 %)');
    expect(c.reason).toMatch(/1 matched stage not compared/);
  });

  it('says when nothing could be compared', () => {
    const other = makeRunRecord({ runId: 'current', stages: [makeStage({ index: 1, users: 50, totals: makeTotals() })] });
    const c = compareRuns(baseline, other, DEFAULT_TOLERANCES);
    expect(c.regression).toBe(false);
    expect(c.reason).toMatch(/^nothing to compare: no stage of this run matches a measured stage of baseline/);
  });

  it('tells apart stages that differ in replicas, workers, spawn rate, duration or HPA; repeats match in order', () => {
    const a = makeStage({ index: 1, users: 400, totals: makeTotals(), replicas: 4, workers: 8 });
    expect(stageKey(a)).toBe('users=400 spawnRate=20 duration=2m replicas=4 workers=8');
    expect(stageKey({ ...a, plannedDurationMs: 90_000, hpa: { min: 2, max: 8, cpuPercent: 70 } })).toBe(
      'users=400 spawnRate=20 duration=1m30s replicas=4 workers=8 hpa=2-8@70%',
    );
    const twice: RunRecord = makeRunRecord({
      runId: 'x',
      stages: [makeStage({ index: 1, users: 100, totals: makeTotals({ p95Ms: 50 }) }), makeStage({ index: 2, users: 100, totals: makeTotals({ p95Ms: 90 }) })],
    });
    const again: RunRecord = {
      ...twice,
      runId: 'y',
      stages: twice.stages.map((s) => ({ ...s, totals: { ...(s.totals as Totals), p95Ms: s.index === 1 ? 50 : 200 } })),
    };
    const c = compareRuns(twice, again, { p95: 0.1 });
    expect(c.stages.map((s) => [s.key, s.regression])).toEqual([
      ['users=100 spawnRate=20 duration=2m', false],
      ['users=100 spawnRate=20 duration=2m #2', true],
    ]);
  });

  it('judges only the metrics given, with missing numbers not counted', () => {
    const current = withTotals(baseline, 1, { p50Ms: null, maxMs: 9_999 });
    const c = compareRuns(baseline, current, { p50: 0.1, avg: 0.2 });
    expect(c.regression).toBe(false);
    expect(c.stages[0]?.deltas).toEqual([
      expect.objectContaining({ metric: 'p50', change: null, regression: false, reason: 'p50 not measured in this run' }),
      expect.objectContaining({ metric: 'avg', change: 0 }),
    ]);
  });
});

describe('parseTolerances', () => {
  it('defaults when none are given', () => {
    expect(parseTolerances([])).toEqual({ p95: 0.1, p99: 0.15, rps: -0.05, failRatio: 0.01 });
  });

  it('reads percentages and ratios, repeated or comma-separated; the given ones replace the defaults', () => {
    expect(parseTolerances(['p95=10%', 'rps=-5%', 'failRatio=0.5%'])).toEqual({ p95: 0.1, rps: -0.05, failRatio: 0.005 });
    expect(parseTolerances(['p99=0.2,avg:+25 %', 'max=1'])).toEqual({ p99: 0.2, avg: 0.25, max: 1 });
    // the sign is optional: rps always allows a drop, latencies a rise
    expect(parseTolerances(['rps=5%', 'p50=-10%', 'FAILRATIO=1%'])).toEqual({ rps: -0.05, p50: 0.1, failRatio: 0.01 });
  });

  it('rejects bad input with one clear line (exit 2)', () => {
    const bad = (spec: string) => {
      try {
        parseTolerances([spec]);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${spec}`);
    };
    expect(bad('p95')).toMatch(/--tolerance "p95": write metric=value, e\.g\. p95=10%/);
    expect(bad('p97=10%')).toMatch(/unknown metric "p97" \(use one of p50, p90, p95, p99, avg, max, rps, failRatio\)/);
    expect(bad('p95=ten')).toMatch(/"ten" is not a tolerance/);
    expect(bad('p95=10')).toMatch(/"10" is not a tolerance: use a percentage like 10%/);
    expect(bad('p95=10%%')).toMatch(/is not a tolerance/);
  });
});
