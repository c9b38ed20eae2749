// A stage's statistics from its samples: the sub-window series, the steady-state test and the
// 95 % intervals. Computed once, when the stage's result is taken into the run record (before its
// samples are thinned: the series needs every fresh sample).
import type { StageResult } from '../model.js';
import { subWindows, type SubWindow } from './sub-windows.js';
import { driftWords, MIN_TREND_POINTS, trendOf, type Point } from './steady-state.js';
import { batchMeansInterval } from './confidence.js';
import type { StageStats } from './types.js';

/** Null for a stage without a measured window (skipped, aborted before it, or no samples). */
export function stageStats(r: Pick<StageResult, 'status' | 'window' | 'samples'>): StageStats | null {
  if (r.window === null || r.samples.length === 0) return null;
  return statsOf(subWindows(r.samples));
}

export function statsOf(series: SubWindow[]): StageStats {
  const mid = (w: SubWindow) => (w.fromMs + w.toMs) / 2000;
  const tput: Point[] = series.map((w) => ({ t: mid(w), y: w.rps }));
  const withMean = series.filter((w) => w.meanMs !== null);
  const lat: Point[] = withMean.map((w) => ({ t: mid(w), y: w.meanMs as number }));
  const throughput = trendOf(tput);
  const latency = withMean.length === series.length ? trendOf(lat) : null;
  const words: string[] = [];
  if (throughput?.drifting) words.push(driftWords('throughput', throughput));
  if (latency?.drifting) words.push(driftWords('mean latency', latency));
  let verdict: string;
  if (words.length > 0) verdict = words.join('; ');
  else if (throughput === null) verdict = `not tested: ${series.length} sub-windows, at least ${MIN_TREND_POINTS} needed`;
  else verdict = latency === null ? 'steady throughput (latency not tested: the samples carry no mean response time)' : 'steady';

  const rps = batchMeansInterval(
    series.map((w) => ({ num: w.requests, den: (w.toMs - w.fromMs) / 1000 })),
    'throughput',
  );
  const avg =
    withMean.length === series.length && series.length > 0
      ? batchMeansInterval(
          series.map((w) => ({ num: w.responseMs ?? 0, den: w.requests })),
          'mean latency',
        )
      : { interval: null, note: 'no interval for mean latency: the samples carry no mean response time' };
  return {
    subWindows: series,
    steady: { throughput, latency, drifting: words.length > 0, verdict },
    confidence: { rps: rps.interval, avgMs: avg.interval, method: `throughput: ${rps.note}; mean latency: ${avg.note}` },
  };
}
