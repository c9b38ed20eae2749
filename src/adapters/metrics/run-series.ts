// The whole run as series: its outcome and every finished stage, for the end of the run
// (remote write) and for metrics.prom (which has only this).
import type { RunRecord } from '../../core/model.js';
import { PREFIX, stageSeries, type RunLabels, type Series } from './series.js';

export function runLabelsOf(run: RunRecord): RunLabels {
  return { runId: run.runId, matrix: run.name, static: run.plan.metrics?.labels ?? {} };
}

/** run_info / run_pass / run_duration_seconds / run_stages, stamped at the run's end. */
export function runOutcomeSeries(run: RunRecord, timestampMs: number): Series[] {
  const l = runLabelsOf(run);
  const base = { ...l.static, run_id: l.runId, matrix: l.matrix };
  const end = run.finishedAt ? Date.parse(run.finishedAt) : timestampMs;
  const s = (name: string, value: number, extra: Record<string, string> = {}): Series => ({
    labels: { ...base, ...extra, __name__: PREFIX + name },
    value,
    timestampMs,
  });
  return [
    s('run_info', 1, { status: run.status, verdict: run.verdict }),
    s('run_pass', run.verdict === 'pass' ? 1 : 0),
    s('run_start_timestamp_seconds', Date.parse(run.startedAt) / 1000),
    s('run_duration_seconds', (end - Date.parse(run.startedAt)) / 1000),
    s('run_stages', run.stages.length),
  ];
}

/** Everything a finished run.json says, each stage stamped at its own end. */
export function finalSeries(run: RunRecord, timestampMs: number): Series[] {
  const l = runLabelsOf(run);
  return [
    ...runOutcomeSeries(run, timestampMs),
    ...run.stages.filter((st) => st.status !== 'skipped').flatMap((st) => stageSeries(l, st, Date.parse(st.finishedAt))),
  ];
}
