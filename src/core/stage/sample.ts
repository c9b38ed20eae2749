// One row of a stage's samples from one read of the master: what is new in it, and what is not.
import type { LiveStats, Sample } from '../model.js';
import { LOCUST_TIMING } from '../locust-timing.js';
import { isoTime } from '../units.js';

/** The cluster columns come from Kubernetes, added by the caller. */
export type MasterSample = Omit<Sample, 'replicasReady' | 'replicasDesired' | 'hpaCurrent' | 'hpaDesired' | 'hpaCpuPercent' | 'hpaLastScaleAt'>;

/**
 * @param s the master's answer (with the plugin: its view right after a flush)
 * @param prev the previous sample of the stage, null for the first
 * @param prevAnswer the answer behind the previous sample (a cached answer repeats it exactly)
 * @param resetAt when the window's stats were reset (epoch ms)
 * @param exact the answer came from the plugin: its counts are the master's right after every
 *   worker reported, so the rates are the requests since the previous sample (the first: since the
 *   reset) over the time between — real data from the first sample on
 */
export function toSample(s: LiveStats, prev: Sample | null, prevAnswer: LiveStats | null, now: number, resetAt: number, exact: boolean): MasterSample {
  const cpu = s.workers.reduce<number | null>((m, w) => (w.cpuPercent === null ? m : Math.max(m ?? 0, w.cpuPercent)), null);
  // Locust's rolling values cover about the last 10 s (ending 2 s ago) and read 0 until data
  // arrives after the reset: a 0 then means "no data yet", never "fast".
  const warming = now - resetAt < LOCUST_TIMING.statsCacheMs + LOCUST_TIMING.currentWindowMs;
  const rolling = (v: number | null) => (warming && v === 0 ? null : v);
  const base = { at: isoTime(now), elapsedMs: now - resetAt, users: s.userCount, workers: s.workerCount, requests: s.requests, failures: s.failures };
  if (exact) {
    const since = prev ? resetAt + prev.elapsedMs : resetAt;
    const secs = Math.max(0.001, (now - since) / 1000);
    return {
      ...base,
      rps: (s.requests - (prev?.requests ?? 0)) / secs,
      failPerSec: (s.failures - (prev?.failures ?? 0)) / secs,
      p50Ms: rolling(s.currentP50Ms),
      p95Ms: rolling(s.currentP95Ms),
      workerCpuMaxPercent: cpu,
      stale: false,
    };
  }
  return {
    ...base,
    rps: rolling(s.currentRps),
    failPerSec: warming && s.currentRps === 0 ? null : s.currentFailPerSec,
    p50Ms: rolling(s.currentP50Ms),
    p95Ms: rolling(s.currentP95Ms),
    workerCpuMaxPercent: cpu,
    stale: prevAnswer !== null && sameAnswer(s, prevAnswer),
  };
}

/**
 * Whether two answers of /stats/requests are the same one: Locust memoizes it for 2 s, and a fresh
 * answer of a running test differs in something (a count, a rolling value, a worker's CPU).
 */
export function sameAnswer(a: LiveStats, b: LiveStats): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
