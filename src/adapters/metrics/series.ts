// Run events → Prometheus series (one sample each). Pure: the remote write and metrics.prom both
// build on it, so the two outputs carry the same names and labels.
import type { Sample, StagePlan, StageResult, Totals } from '../../core/model.js';

export interface Series {
  /** Label name → value, __name__ included; sorted by name when encoded (remote write requires it). */
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** The run's identity on every series: run_id and matrix, plus the user's static labels. */
export interface RunLabels {
  runId: string;
  matrix: string;
  static: Record<string, string>;
}

export const PREFIX = 'locust_driver_';

type StageLike = Pick<StagePlan, 'index' | 'name' | 'users'> & { replicas: number | null; workers: number | null };

/** run_id, matrix, stage, stage_index, users, replicas, workers (the last two only when the stage sets them). */
export function stageLabels(run: RunLabels, s: StageLike): Record<string, string> {
  const labels: Record<string, string> = {
    ...run.static,
    run_id: run.runId,
    matrix: run.matrix,
    stage: s.name,
    stage_index: String(s.index),
    users: String(s.users),
  };
  // An empty label value is no label in Prometheus: leave them out rather than send "".
  if (s.replicas !== null) labels.replicas = String(s.replicas);
  if (s.workers !== null) labels.workers = String(s.workers);
  return labels;
}

function push(out: Series[], base: Record<string, string>, name: string, value: number | null, timestampMs: number, extra: Record<string, string> = {}): void {
  if (value === null || !Number.isFinite(value)) return; // unknown is absent, never 0
  out.push({ labels: { ...base, ...extra, __name__: PREFIX + name }, value, timestampMs });
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

/** What a sample shows, as [metric name, value, extra labels]. */
const SAMPLE_FIELDS: [string, (s: Sample) => number | null, Record<string, string>?][] = [
  ['sample_users', (s) => s.users],
  ['sample_workers', (s) => s.workers],
  ['sample_requests', (s) => s.requests],
  ['sample_failures', (s) => s.failures],
  ['sample_rps', (s) => s.rps],
  ['sample_fail_per_second', (s) => s.failPerSec],
  ['sample_response_time_seconds', (s) => seconds(s.p50Ms), { quantile: '0.5' }],
  ['sample_response_time_seconds', (s) => seconds(s.p95Ms), { quantile: '0.95' }],
  ['sample_worker_cpu_max_percent', (s) => s.workerCpuMaxPercent],
  ['sample_replicas_ready', (s) => s.replicasReady],
  ['sample_replicas_desired', (s) => s.replicasDesired],
  ['sample_hpa_current_replicas', (s) => s.hpaCurrent],
  ['sample_hpa_desired_replicas', (s) => s.hpaDesired],
  ['sample_hpa_cpu_percent', (s) => s.hpaCpuPercent],
];

/** One poll of the master during the measured window, stamped at its own time. */
export function sampleSeries(run: RunLabels, stage: StagePlan, sample: Sample): Series[] {
  const base = stageLabels(run, stage);
  const t = Date.parse(sample.at);
  const out: Series[] = [];
  for (const [name, value, extra] of SAMPLE_FIELDS) push(out, base, name, value(sample), t, extra);
  return out;
}

const QUANTILES: [Exclude<keyof Totals, 'requests' | 'failures' | 'rps' | 'failRatio'>, string][] = [
  ['p50Ms', '0.5'],
  ['p90Ms', '0.9'],
  ['p95Ms', '0.95'],
  ['p99Ms', '0.99'],
  ['p100Ms', '1'],
];

/** A finished stage: its window's totals, SLO verdicts, status and boundaries, stamped at timestampMs. */
export function stageSeries(run: RunLabels, r: StageResult, timestampMs: number): Series[] {
  const base = stageLabels(run, r);
  const out: Series[] = [];
  const t = timestampMs;
  push(out, base, 'stage_info', 1, t, { status: r.status, verdict: stageVerdict(r) });
  push(out, base, 'stage_pass', stageVerdict(r) === 'pass' ? 1 : 0, t);
  push(out, base, 'stage_attempt', r.attempt, t);
  push(out, base, 'stage_start_timestamp_seconds', Date.parse(r.window?.start ?? r.startedAt) / 1000, t);
  push(out, base, 'stage_end_timestamp_seconds', Date.parse(r.window?.end ?? r.finishedAt) / 1000, t);
  push(out, base, 'stage_window_seconds', seconds(r.window?.durationMs ?? null), t);
  push(out, base, 'stage_ramp_seconds', seconds(r.rampMs), t);
  const tot = r.totals;
  if (tot) {
    push(out, base, 'stage_requests', tot.requests, t);
    push(out, base, 'stage_failures', tot.failures, t);
    push(out, base, 'stage_rps', tot.rps, t);
    push(out, base, 'stage_fail_ratio', tot.failRatio, t);
    push(out, base, 'stage_response_time_avg_seconds', seconds(tot.avgMs), t);
    for (const [key, q] of QUANTILES) push(out, base, 'stage_response_time_seconds', seconds(tot[key]), t, { quantile: q });
  }
  for (const v of r.slo) {
    push(out, base, 'stage_slo_pass', v.pass ? 1 : 0, t, { metric: v.metric });
    push(out, base, 'stage_slo_threshold', v.threshold, t, { metric: v.metric });
    push(out, base, 'stage_slo_observed', v.observed, t, { metric: v.metric });
  }
  push(out, base, 'stage_workers_seen_min', r.workersSeen?.min ?? null, t);
  push(out, base, 'stage_worker_cpu_max_percent', r.workerCpuMaxPercent, t);
  return out;
}

/** pass / fail / none: a stage without SLO verdicts has none; an unfinished one fails. */
export function stageVerdict(r: StageResult): 'pass' | 'fail' | 'none' {
  if (r.status !== 'completed') return r.status === 'skipped' ? 'none' : 'fail';
  if (r.slo.length === 0) return 'none';
  return r.slo.every((v) => v.pass) ? 'pass' : 'fail';
}
