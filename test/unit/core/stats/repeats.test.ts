import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../../src/core/plan.js';
import { parseMatrix } from '../../../../src/core/matrix.js';
import { compareRuns, stageKey } from '../../../../src/core/compare.js';
import type { RunRecord, StageResult } from '../../../../src/core/model.js';
import { repeatsOf, statOf } from '../../../../src/core/stats/repeats.js';
import { makeRunRecord, makeStage, makeTotals } from '../../../fakes/run-record.js';
import { normal, rng } from './synthetic.js';

const plan = (yaml: string) => buildPlan(parseMatrix(yaml, 'm.yaml'), 'm.yaml');

describe('repeats', () => {
  it('repeat: N makes N real stages in a row; a top-level repeat runs the list round after round', () => {
    const own = plan('version: 1\nname: r\nstages:\n  - { users: 10, repeat: 3 }\n  - { users: 20 }\n');
    expect(own.stages.map((s) => [s.name, s.users])).toEqual([
      ['users=10 · repeat 1/3', 10],
      ['users=10 · repeat 2/3', 10],
      ['users=10 · repeat 3/3', 10],
      ['users=20', 20],
    ]);
    expect(new Set(own.stages.map((s) => s.slug)).size).toBe(4);
    const rounds = plan('version: 1\nname: r\nrepeat: 2\nstages:\n  - { name: a, users: 10 }\n  - { name: b, users: 20 }\n');
    expect(rounds.stages.map((s) => s.name)).toEqual(['a · round 1/2', 'b · round 1/2', 'a · round 2/2', 'b · round 2/2']);
    expect(() => plan('version: 1\nname: r\nrepeat: 2\ncapacity: { users: { start: 10, max: 100 } }\nslo: { p95: 100ms }\n')).toThrow(
      /cannot repeat a capacity search/,
    );
  });

  it('the interval over repeats covers the true mean in about 95 % of seeded trials', () => {
    const u = rng(42);
    let covered = 0;
    const trials = 1000;
    for (let t = 0; t < trials; t++) {
      const st = statOf(Array.from({ length: 5 }, () => 100 + 8 * normal(u)));
      if (st && st.low <= 100 && 100 <= st.high) covered++;
    }
    // binomial sd at 1000 trials ≈ 0.7 points
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('groups completed stages by their parameters, every metric as mean, interval and spread', () => {
    const stages = [100, 110, 90].map((rps, i) => makeStage({ index: i + 1, users: 50, totals: makeTotals({ rps, p95Ms: rps }) }));
    const [g] = repeatsOf([...stages, makeStage({ index: 4, users: 80, totals: makeTotals() })], stageKey);
    expect(g?.stageIndexes).toEqual([1, 2, 3]);
    expect(g?.metrics.rps).toMatchObject({ n: 3, mean: 100, sd: 10, min: 90, max: 110 });
    expect(g?.metrics.rps?.halfWidth).toBeCloseTo((4.303 * 10) / Math.sqrt(3), 9);
  });

  it('compare takes the noise from the repeats where both runs have them, for percentiles too', () => {
    const stats = {
      subWindows: [],
      steady: { throughput: null, latency: null, drifting: false, verdict: 'steady' },
      confidence: { rps: null, avgMs: null, method: '' },
    };
    const run = (id: string, p95s: number[]): RunRecord =>
      makeRunRecord({
        runId: id,
        stages: p95s.map((p95Ms, i): StageResult => ({ ...makeStage({ index: i + 1, users: 50, totals: makeTotals({ p95Ms }) }), stats })),
      });
    const c = compareRuns(run('b', [100, 120, 80]), run('c', [115, 135, 95]), { p95: 0.1 });
    const d = c.stages[0]?.deltas[0];
    expect(d).toMatchObject({ metric: 'p95', regression: false, bound: 'noise' });
    expect(d?.reason).toMatch(/within the noise ±55\.4 %, from the repeats/); // 1.96·√(20² + 20²) / 100
  });
});
