// Sub-window series of a stage: what happened between two consecutive samples, from the differences
// of the cumulative counters the master reports (requests, failures, and the summed response time
// where the sample has Locust's cumulative mean). Locust caches /stats/requests for 2 s, so a sample
// that repeats the previous counts brings no news: it is merged into the next interval rather than
// counted as an interval without requests (which would invent a throughput dip).
import type { Sample } from '../model.js';

/** What the series needs of a sample; `stale` (the master's cached answer) and `avgMs` may be absent. */
export type CounterSample = Pick<Sample, 'elapsedMs' | 'requests' | 'failures'> & { avgMs?: number | null; stale?: boolean };

export interface SubWindow {
  /** Since the stats reset, ms: the previous fresh sample and this one. */
  fromMs: number;
  toMs: number;
  requests: number;
  failures: number;
  /** requests / interval seconds. */
  rps: number;
  /** Summed response time of the interval's requests, ms; null when the samples carry no mean. */
  responseMs: number | null;
  /** responseMs / requests; null without requests or without means. */
  meanMs: number | null;
}

/**
 * Differences of consecutive fresh samples. The first fresh sample only opens the series: what lies
 * before it began before the window's counted start (the ramp, the first reports) and has no known
 * duration. A count that falls (a reset between samples) starts the series afresh.
 */
export function subWindows(samples: readonly CounterSample[]): SubWindow[] {
  const out: SubWindow[] = [];
  let prev: CounterSample | null = null;
  for (const s of samples) {
    if (s.stale === true) continue;
    if (prev === null || s.requests < prev.requests || s.failures < prev.failures) {
      prev = s;
      continue;
    }
    if (s.requests === prev.requests && s.failures === prev.failures) continue; // no news: keep the older edge
    const secs = (s.elapsedMs - prev.elapsedMs) / 1000;
    if (secs <= 0) continue;
    const requests = s.requests - prev.requests;
    const sum = summed(s);
    const prevSum = summed(prev);
    const responseMs = sum !== null && prevSum !== null ? Math.max(0, sum - prevSum) : null;
    out.push({
      fromMs: prev.elapsedMs,
      toMs: s.elapsedMs,
      requests,
      failures: s.failures - prev.failures,
      rps: requests / secs,
      responseMs,
      meanMs: responseMs !== null && requests > 0 ? responseMs / requests : null,
    });
    prev = s;
  }
  return out;
}

/** Cumulative mean × count = the summed response time since the reset (0 before any request). */
function summed(s: CounterSample): number | null {
  if (s.requests === 0) return 0;
  return s.avgMs === undefined || s.avgMs === null ? null : s.avgMs * s.requests;
}
