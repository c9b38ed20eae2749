// Repeats: the stages a run ran more than once with the same parameters (`repeat:`, or the same
// stage listed again), grouped by their parameters, with every metric as the mean over the repeats,
// its 95 % interval (Student's t over the repeats' values) and the spread between them. The
// repeats are independent runs of the stage, so unlike the sub-window intervals this one also
// covers what changes from one run to the next (a warmer cache, another moment of the node).
import type { StageResult, Totals } from '../model.js';
import { mean, t975 } from './distributions.js';

export const REPEAT_METRICS = ['rps', 'avgMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'maxMs', 'failRatio'] as const;
export type RepeatMetric = (typeof REPEAT_METRICS)[number];

export interface RepeatStat {
  n: number;
  mean: number;
  /** Sample standard deviation over the repeats. */
  sd: number;
  low: number;
  high: number;
  halfWidth: number;
  min: number;
  max: number;
}

export interface RepeatGroup {
  /** The parameters the repeats share (compare.ts's stageKey). */
  key: string;
  stageIndexes: number[];
  metrics: Partial<Record<RepeatMetric, RepeatStat>>;
}

/**
 * Groups of at least two completed stages with requests and the same parameters, in order of their
 * first stage. `keyOf` is compare.ts's stageKey (passed in: compare.ts uses these groups too).
 */
export function repeatsOf(stages: readonly StageResult[], keyOf: (s: StageResult) => string): RepeatGroup[] {
  const by = new Map<string, StageResult[]>();
  for (const s of stages) {
    if (s.status !== 'completed' || s.totals === null || s.totals.requests === 0) continue;
    const k = keyOf(s);
    by.set(k, [...(by.get(k) ?? []), s]);
  }
  const out: RepeatGroup[] = [];
  for (const [key, list] of by) {
    if (list.length < 2) continue;
    const metrics: RepeatGroup['metrics'] = {};
    for (const m of REPEAT_METRICS) {
      const values = list.map((s) => (s.totals as Totals)[m]).filter((v): v is number => v !== null);
      const st = statOf(values);
      if (st) metrics[m] = st;
    }
    out.push({ key, stageIndexes: list.map((s) => s.index), metrics });
  }
  return out;
}

/** Mean, t-interval and spread of at least two values; null with fewer. */
export function statOf(values: readonly number[]): RepeatStat | null {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values);
  const sd = Math.sqrt(values.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
  const halfWidth = (t975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, low: m - halfWidth, high: m + halfWidth, halfWidth, min: Math.min(...values), max: Math.max(...values) };
}
