import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../src/core/verdict.js';
import type { Comparison, RunRecord, SloSpec, SloVerdict, StageResult } from '../../../src/core/model.js';
import { makePlanStage, makeRunRecord, makeStage, makeTotals } from '../../fakes/run-record.js';

const p95: SloSpec = { p50Ms: null, p90Ms: null, p95Ms: 500, p99Ms: null, avgMs: null, maxMs: null, failRatio: null, minRps: null };
const held: SloVerdict = { metric: 'p95', threshold: 500, observed: 95, pass: true, reason: 'p95 95 ms ≤ 500 ms' };
const breached: SloVerdict = { ...held, observed: 620, pass: false, reason: 'p95 620 ms > 500 ms' };

/** Two stages, with or without an SLO in the plan. */
function run(stages: StageResult[], opts: { slo?: boolean; regression?: boolean } = {}): RunRecord {
  const base = makeRunRecord({ stages });
  const planStages = stages.map((s) => ({ ...makePlanStage(s.index, s.users), slo: opts.slo ? p95 : null }));
  const comparison = opts.regression === undefined ? null : ({ regression: opts.regression } as Comparison);
  return { ...base, plan: { ...base.plan, stages: planStages }, comparison };
}

const stage = (index: number, over: Partial<StageResult> = {}) => makeStage({ index, users: index * 100, totals: makeTotals() }, over);
const invalid = (index: number) => stage(index, { status: 'invalid', reason: 'the load generators were saturated: a worker used 97% CPU (≥ 90%)' });

describe('the run verdict', () => {
  it('is none when nothing is judged, and pass when every SLO held', () => {
    expect(verdictOf(run([stage(1), stage(2)]))).toBe('none');
    expect(verdictOf(run([stage(1, { slo: [held] }), stage(2, { slo: [held] })], { slo: true }))).toBe('pass');
  });

  it('fails on an invalid stage even without an SLO: its numbers cannot be trusted', () => {
    expect(verdictOf(run([stage(1), invalid(2)]))).toBe('fail');
    expect(verdictOf(run([stage(1, { slo: [held] }), invalid(2)], { slo: true }))).toBe('fail');
  });

  it('fails on a breach, a failed or an aborted stage when judged by an SLO', () => {
    expect(verdictOf(run([stage(1, { slo: [held] }), stage(2, { slo: [breached] })], { slo: true }))).toBe('fail');
    expect(verdictOf(run([stage(1, { slo: [held] }), stage(2, { status: 'failed' })], { slo: true }))).toBe('fail');
    expect(verdictOf(run([stage(1, { slo: [held] }), stage(2, { status: 'aborted' })], { slo: true }))).toBe('fail');
    // without an SLO a failed stage fails the run (status failed, exit 3), not the verdict
    expect(verdictOf(run([stage(1), stage(2, { status: 'failed' })]))).toBe('none');
  });

  it('fails on a regression against the baseline, SLO or not', () => {
    expect(verdictOf(run([stage(1), stage(2)], { regression: true }))).toBe('fail');
    expect(verdictOf(run([stage(1), stage(2)], { regression: false }))).toBe('none');
    expect(verdictOf(run([stage(1, { slo: [held] }), stage(2, { slo: [held] })], { slo: true, regression: true }))).toBe('fail');
  });

  it('is none when every stage was skipped', () => {
    expect(verdictOf(run([stage(1, { status: 'skipped' })], { slo: true }))).toBe('none');
  });

  it('passes a capacity search that found a capacity, even past an invalid probe', () => {
    const base = run([stage(1, { slo: [held] }), invalid(2)], { slo: true });
    const capacity = { startUsers: 100, maxUsers: 400, factor: 2, precisionUsers: 10 };
    const found = { users: 100, breachedAt: 200, probes: [], reason: '100 users meet the SLO' };
    expect(verdictOf({ ...base, plan: { ...base.plan, capacity }, capacity: found })).toBe('pass');
    expect(verdictOf({ ...base, plan: { ...base.plan, capacity }, capacity: { ...found, users: null } })).toBe('fail');
    expect(verdictOf({ ...base, plan: { ...base.plan, capacity }, capacity: null })).toBe('fail');
  });
});
