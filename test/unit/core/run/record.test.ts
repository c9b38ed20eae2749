import { describe, expect, it } from 'vitest';
import { applyOutcome, concluded, keptStages, withSkipped, withThinnedSamples } from '../../../../src/core/run/record.js';
import { InfraError } from '../../../../src/core/errors.js';
import { makePlanStage, makeRunRecord, makeStage, makeTotals } from '../../../fakes/run-record.js';

const frozen = <T>(v: T): T => {
  // deep-freeze: a step that edits the record it was given throws in strict mode
  if (v !== null && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) frozen(x);
  }
  return v;
};

describe('the pure steps over the run record', () => {
  const base = () => makeRunRecord({ status: 'running', stages: [], verdict: 'none', summary: { best: null, knee: null } });

  it('takes a stage in without touching the record it was given: stages, highlights and verdict', () => {
    const before = frozen(base());
    const s1 = makeStage({ index: 1, users: 10, totals: makeTotals({ rps: 50 }) });
    const after = applyOutcome(before, s1, null);
    expect(before.stages).toHaveLength(0);
    expect(after.stages.map((s) => s.index)).toEqual([1]);
    expect(after.summary.best?.users).toBe(10);
    const s2 = makeStage({ index: 2, users: 20, totals: makeTotals({ rps: 90 }) });
    expect(applyOutcome(frozen(after), s2, null).summary.best?.users).toBe(20);
  });

  it('an invalid stage fails the verdict as soon as it is taken in', () => {
    const after = applyOutcome(frozen(base()), makeStage({ index: 1, users: 10, totals: makeTotals(), status: 'invalid', reason: 'saturated' }), null);
    expect(after.verdict).toBe('fail');
  });

  it("thins a stage's samples in a new record once they are written", () => {
    const stage = makeStage({ index: 1, users: 10, totals: makeTotals() });
    const many = { ...stage, samples: Array.from({ length: 3_000 }, (_, i) => ({ ...stage.samples[0]!, elapsedMs: i * 1_000 })) };
    const before = frozen({ ...base(), stages: [many] });
    const after = withThinnedSamples(before, 1);
    expect(before.stages[0]!.samples).toHaveLength(3_000);
    expect(after.stages[0]!.samples).toHaveLength(1_000);
    expect(after.stages[0]!.samples.at(-1)!.elapsedMs).toBe(2_999_000);
  });

  it('records the stages an SLO breach skipped, with why', () => {
    const after = withSkipped(frozen(base()), [makePlanStage(2, 20), makePlanStage(3, 30)], 'skipped: stage 1 breached', Date.parse('2026-11-28T10:00:00Z'));
    expect(after.stages.map((s) => [s.index, s.status, s.reason])).toEqual([
      [2, 'skipped', 'skipped: stage 1 breached'],
      [3, 'skipped', 'skipped: stage 1 breached'],
    ]);
  });

  it('concludes: status and error message, the comparison with a baseline, the verdict', () => {
    const ran = applyOutcome(frozen(base()), makeStage({ index: 1, users: 10, totals: makeTotals({ rps: 50 }) }), null);
    const done = concluded(frozen(ran), 'failed', new InfraError('1 of 1 stages failed'), null);
    expect(done).toMatchObject({ status: 'failed', error: '1 of 1 stages failed', comparison: null });
    const slower = applyOutcome(base(), makeStage({ index: 1, users: 10, totals: makeTotals({ rps: 25, p95Ms: 400 }) }), null);
    const cmp = concluded(slower, 'completed', null, { run: ran, tolerances: { rps: -0.05 } });
    expect(cmp.comparison?.regression).toBe(true);
    expect(cmp.verdict).toBe('fail');
    // an aborted run is not compared
    expect(concluded(slower, 'aborted', null, { run: ran, tolerances: {} }).comparison).toBeNull();
  });

  it('keeps, for a resume, every stage before the first unfinished one', () => {
    const st = (index: number, status: 'completed' | 'failed' | 'invalid' | 'skipped') => makeStage({ index, users: index * 10, totals: makeTotals(), status });
    expect(keptStages({ ...base(), stages: [st(1, 'completed'), st(2, 'invalid'), st(3, 'failed'), st(4, 'completed')] }).map((s) => s.index)).toEqual([1, 2]);
  });

  it('a stage taken in gets its statistics from every sample (before thinning); the run as it ends gets its USL model', () => {
    let r = frozen(base());
    for (const [i, users] of [1, 2, 4, 8, 16, 32].entries()) {
      const rps = (10 * users) / (1 + 0.1 * (users - 1) + 0.001 * users * (users - 1));
      r = applyOutcome(r, makeStage({ index: i + 1, users, totals: makeTotals({ rps }) }), null);
    }
    const s1 = r.stages[0];
    // makeStage's samples: every 2 s over the window, cumulative counts rising evenly
    expect(s1?.stats?.subWindows.length).toBe((s1?.samples.length ?? 0) - 1);
    expect(s1?.stats?.confidence.rps?.estimate).toBeCloseTo((s1?.totals?.requests ?? 0) / ((s1?.samples.at(-1)?.elapsedMs ?? 0) / 1000), -1);
    expect(withThinnedSamples(r, 1).stages[0]?.stats).toBe(s1?.stats);
    const done = concluded(r, 'completed', null, null);
    expect(done.scalability?.fit?.sigma).toBeCloseTo(0.1, 3);
    expect(done.scalability?.fit?.kappa).toBeCloseTo(0.001, 5);
    expect(done.scalability?.summary).toMatch(/^modelled ceiling ≈ 62.9 req\/s at ≈ 30 users/);
  });
});
