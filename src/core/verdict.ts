// The run's verdict (run.json's `verdict`, exit 1 when it is fail), from its stages, its SLO and
// its comparison with a baseline.
import type { RunRecord } from './model.js';

/**
 * fail: a regression, or an invalid stage (its numbers cannot be trusted, SLO or not), or — when
 * stages are judged by an SLO — a failed, aborted or breaching stage; a capacity search fails when
 * it found no capacity. pass: stages were judged and none of that happened. none: nothing was judged.
 */
export function verdictOf(run: RunRecord): RunRecord['verdict'] {
  const judged = run.plan.stages.some((s) => s.slo !== null) || run.plan.capacity !== null;
  const ran = run.stages.some((s) => s.status !== 'skipped');
  const regression = run.comparison?.regression === true;
  // A capacity search treats an invalid probe as one that did not pass and searches on.
  if (run.plan.capacity && ran) return run.capacity !== null && run.capacity.users !== null && !regression ? 'pass' : 'fail';
  if (regression || run.stages.some((s) => s.status === 'invalid')) return 'fail';
  if (!judged || !ran) return 'none';
  const bad = run.stages.some((s) => s.status === 'failed' || s.status === 'aborted' || s.slo.some((v) => !v.pass));
  return bad ? 'fail' : 'pass';
}
