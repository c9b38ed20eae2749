// Seeded synthetic stages for the statistics tests: cumulative counters as the master would show
// them, from a known true throughput and latency with correlated noise.
import type { CounterSample } from '../../../../src/core/stats/sub-windows.js';

/** mulberry32: a small, seedable PRNG (uniform in [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export interface SyntheticStage {
  /** Sub-window length, ms. */
  stepMs: number;
  steps: number;
  rps: number;
  meanMs: number;
  /** Relative noise per sub-window, and its lag-1 correlation (AR(1)). */
  noise: number;
  phi: number;
  /** Relative change of the rate / latency from the first to the last step (0: flat). */
  rpsDrift?: number;
  latencyDrift?: number;
  /** Every fresh sample is followed by this many cached repeats (Locust's 2 s cache). */
  repeats?: number;
}

/** Cumulative samples of a stage; the true long-run values are `rps` and `meanMs`. */
export function synthStage(o: SyntheticStage, seed: number): CounterSample[] {
  const u = rng(seed);
  let eR = 0;
  let eL = 0;
  let requests = 0;
  let summed = 0;
  const out: CounterSample[] = [{ elapsedMs: 0, requests: 0, failures: 0, avgMs: null }];
  const innov = Math.sqrt(1 - o.phi * o.phi);
  for (let i = 1; i <= o.steps; i++) {
    eR = o.phi * eR + innov * o.noise * normal(u);
    eL = o.phi * eL + innov * o.noise * normal(u);
    const frac = (i - 1) / Math.max(1, o.steps - 1);
    const rate = o.rps * (1 + (o.rpsDrift ?? 0) * frac) * (1 + eR);
    const lat = o.meanMs * (1 + (o.latencyDrift ?? 0) * frac) * (1 + eL);
    const n = Math.max(0, Math.round((rate * o.stepMs) / 1000));
    requests += n;
    summed += n * Math.max(0, lat);
    const s: CounterSample = { elapsedMs: i * o.stepMs, requests, failures: 0, avgMs: requests > 0 ? summed / requests : null };
    out.push(s);
    for (let k = 0; k < (o.repeats ?? 0); k++) out.push({ ...s, elapsedMs: s.elapsedMs + (k + 1) * 10 });
  }
  return out;
}
