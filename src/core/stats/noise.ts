// How much a metric moves between two runs by chance alone: the half-width of the 95 % interval of
// the difference, from both runs' intervals (√(h_b² + h_c²), the intervals taken as independent).
// `compare` calls a change a regression only when it exceeds both this and the tolerance.
import type { CompareMetric, StageResult } from '../model.js';
import type { RepeatGroup, RepeatMetric } from './repeats.js';

export interface Noise {
  /** Relative to the baseline (0.04 = ±4 %); for failRatio absolute (0.004 = ±0.4 points). */
  value: number;
  /** interval: the metric's own batch-means intervals; proxy: the mean latency's relative interval
   * (percentiles have none of their own); binomial: the failure ratio's sampling error; repeats:
   * the spread between each run's repeats of the stage. */
  via: 'interval' | 'proxy' | 'binomial' | 'repeats';
}

/** Null when either run lacks what is needed (older run.json, a stage too short for an interval). */
const REPEAT_METRIC: Record<CompareMetric, RepeatMetric> = {
  rps: 'rps',
  avg: 'avgMs',
  p50: 'p50Ms',
  p90: 'p90Ms',
  p95: 'p95Ms',
  p99: 'p99Ms',
  max: 'maxMs',
  failRatio: 'failRatio',
};

/**
 * With repeats in both runs, their spread is the noise, for every metric and percentile: one stage
 * against one stage differs by chance about 1.96·√(sd_b² + sd_c²) (the sd of single repeats, not of
 * their mean: the comparison is of single stages). Otherwise the stages' own intervals.
 */
export function noiseOf(metric: CompareMetric, b: StageResult, c: StageResult, rb?: RepeatGroup, rc?: RepeatGroup): Noise | null {
  // Only runs that measured their noise (run.json with stats): older ones keep the tolerance alone.
  if (!b.stats || !c.stats) return null;
  const sb = rb?.metrics[REPEAT_METRIC[metric]];
  const sc = rc?.metrics[REPEAT_METRIC[metric]];
  if (sb && sc) {
    const spread = 1.96 * Math.sqrt(sb.sd ** 2 + sc.sd ** 2);
    if (metric === 'failRatio') return { value: spread, via: 'repeats' };
    if (sb.mean !== 0) return { value: spread / Math.abs(sb.mean), via: 'repeats' };
  }
  if (metric === 'failRatio') {
    const bt = b.totals;
    const ct = c.totals;
    if (!bt || !ct || bt.requests === 0 || ct.requests === 0) return null;
    const v = (t: { failRatio: number; requests: number }) => (t.failRatio * (1 - t.failRatio)) / t.requests;
    return { value: 1.96 * Math.sqrt(v(bt) + v(ct)), via: 'binomial' };
  }
  const which = metric === 'rps' ? 'rps' : 'avgMs';
  const bi = b.stats?.confidence[which] ?? null;
  const ci = c.stats?.confidence[which] ?? null;
  if (bi === null || ci === null || bi.relativeHalfWidth === null || ci.relativeHalfWidth === null) return null;
  if (metric === 'rps' || metric === 'avg') {
    if (bi.estimate === 0) return null;
    return { value: Math.sqrt(bi.halfWidth ** 2 + ci.halfWidth ** 2) / Math.abs(bi.estimate), via: 'interval' };
  }
  // Percentiles and the maximum: no interval of their own from the sub-windows (Locust's counters
  // carry no per-interval percentiles); the mean latency's relative spread stands in. Tail values
  // move at least as much as the mean, so this under- rather than over-states their noise: it can
  // only let the tolerance decide, never excuse a real change.
  return { value: Math.sqrt(bi.relativeHalfWidth ** 2 + ci.relativeHalfWidth ** 2), via: 'proxy' };
}
