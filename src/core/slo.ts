// Service-level objectives → one verdict per threshold, with a reason a person can read.
import type { SloMetric, SloSpec, SloVerdict, Totals } from './model.js';

interface Rule {
  metric: SloMetric;
  label: string;
  threshold: (s: SloSpec) => number | null;
  observed: (t: Totals) => number | null;
  /** true: the observed value must stay at or under the threshold; false: at or over it. */
  ceiling: boolean;
  format: (v: number) => string;
}

const msText = (v: number) => `${Number(v.toFixed(1))} ms`;
const pctText = (v: number) => `${(v * 100).toFixed(2)}%`;
const rpsText = (v: number) => `${v.toFixed(1)} req/s`;

const RULES: Rule[] = [
  { metric: 'p50', label: 'p50', threshold: (s) => s.p50Ms, observed: (t) => t.p50Ms, ceiling: true, format: msText },
  { metric: 'p90', label: 'p90', threshold: (s) => s.p90Ms, observed: (t) => t.p90Ms, ceiling: true, format: msText },
  { metric: 'p95', label: 'p95', threshold: (s) => s.p95Ms, observed: (t) => t.p95Ms, ceiling: true, format: msText },
  { metric: 'p99', label: 'p99', threshold: (s) => s.p99Ms, observed: (t) => t.p99Ms, ceiling: true, format: msText },
  { metric: 'avg', label: 'avg', threshold: (s) => s.avgMs, observed: (t) => t.avgMs, ceiling: true, format: msText },
  { metric: 'max', label: 'max', threshold: (s) => s.maxMs, observed: (t) => t.maxMs, ceiling: true, format: msText },
  { metric: 'failRatio', label: 'failures', threshold: (s) => s.failRatio, observed: (t) => t.failRatio, ceiling: true, format: pctText },
  { metric: 'minRps', label: 'throughput', threshold: (s) => s.minRps, observed: (t) => t.rps, ceiling: false, format: rpsText },
];

/** Judges a stage's window totals (the master's aggregated numbers) against its thresholds. */
export function evaluateSlo(slo: SloSpec, totals: Totals | null): SloVerdict[] {
  const out: SloVerdict[] = [];
  for (const r of RULES) {
    const threshold = r.threshold(slo);
    if (threshold === null) continue;
    const observed = totals ? r.observed(totals) : null;
    // A latency with no requests behind it proves nothing: no numbers never pass.
    const noData = observed === null || totals === null || totals.requests === 0;
    const pass = !noData && (r.ceiling ? observed <= threshold : observed >= threshold);
    const reason = noData
      ? `${r.label} not measured (no requests in the window)`
      : `${r.label} ${r.format(observed)} ${pass ? (r.ceiling ? '≤' : '≥') : r.ceiling ? '>' : '<'} ${r.format(threshold)}`;
    out.push({ metric: r.metric, threshold, observed: noData ? null : observed, pass, reason });
  }
  return out;
}

/** The breaches of a stage, in one line: "p95 612 ms > 500 ms; failures 2.30% > 1.00%". */
export function breachText(verdicts: SloVerdict[]): string {
  return verdicts
    .filter((v) => !v.pass)
    .map((v) => v.reason)
    .join('; ');
}
