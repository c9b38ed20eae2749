import { describe, expect, it } from 'vitest';
import { baselineFromSummary, resumeDecision, sameMatrix } from '../../../src/core/resume-policy.js';
import { RunRecordSchema } from '../../../src/core/run-schema.js';
import { makePlanStage, makeRunRecord } from '../../fakes/run-record.js';

const where = { runJson: 'results/n1/run.json', dir: 'results/n1', runId: 'n1' };

describe('--resume', () => {
  const prior = makeRunRecord({ status: 'running' });

  it('starts afresh without --resume, and with --resume=auto when nothing is there', () => {
    expect(resumeDecision('no', prior, prior.plan, where)).toBeNull();
    expect(resumeDecision('auto', null, prior.plan, where)).toBeNull();
  });

  it('continues an unfinished run of the same matrix, also when its plan was read back through the schema', () => {
    const readBack = RunRecordSchema.parse(JSON.parse(JSON.stringify(prior)));
    expect(resumeDecision('yes', prior, readBack.plan, where)).toBe(prior);
    expect(resumeDecision('auto', prior, readBack.plan, where)).toBe(prior);
  });

  it('refuses what it cannot continue, naming the file and the fix', () => {
    expect(() => resumeDecision('yes', null, prior.plan, where)).toThrow(/--resume: results\/n1\/run.json does not exist — check --run-id and --out/);
    const done = makeRunRecord({ status: 'completed' });
    expect(() => resumeDecision('yes', done, done.plan, where)).toThrow(/run n1 in results\/n1 already completed; start a new run with another --run-id/);
    // --resume=auto on a completed run: the Job pod restarted after the run finished; nothing to redo
    expect(resumeDecision('auto', done, done.plan, where)).toBe(done);
    const changed = { ...prior.plan, stages: [...prior.plan.stages, makePlanStage(prior.plan.stages.length + 1, 999)] };
    expect(() => resumeDecision('yes', prior, changed, where)).toThrow(/no longer matches the matrix run n1 was started with/);
  });

  it('takes a change of what is not measured (the name, the master URL) as the same matrix', () => {
    expect(sameMatrix(prior.plan, { ...prior.plan, name: 'renamed', locust: { ...prior.plan.locust, url: 'http://other:8089' } })).toBe(true);
    expect(sameMatrix(prior.plan, { ...prior.plan, transition: prior.plan.transition === 'continue' ? 'restart' : 'continue' })).toBe(false);
  });
});

describe('--baseline latest from the summary ConfigMap', () => {
  it('is its run.json, nothing without one, and "invalid" for anything else', () => {
    const run = makeRunRecord({ status: 'completed' });
    expect(baselineFromSummary(JSON.stringify(run))).toEqual(RunRecordSchema.parse(JSON.parse(JSON.stringify(run))));
    expect(baselineFromSummary(null)).toBeNull();
    expect(baselineFromSummary('{"not":"a run"}')).toBe('invalid');
    expect(baselineFromSummary('garbage{')).toBe('invalid');
  });
});
