// Is a stage's load steady, or still drifting when the window was cut (a cache warming, an
// autoscaler catching up)? A Mann–Kendall trend test on the sub-window series, with Sen's slope for
// the size of the drift. Both must speak: the test says the trend is unlikely to be chance
// (p < 0.025 for each of the two series), and the drift must be large enough to matter (at least DRIFT_MIN of the level over the
// window) — with hundreds of sub-windows a 0.5 % trend is "significant" and no reason to distrust the
// stage. Mann–Kendall needs no normality and is robust to the odd outlying sub-window.
import { median, normalCdf } from './distributions.js';

/** Fewer sub-windows than this: no trend test (too few to tell a drift from noise). */
export const MIN_TREND_POINTS = 8;
/**
 * Significance of each trend test (two-sided): 0.05 shared by the two series a stage tests
 * (throughput, latency), so a flat stage is called drifting in at most about 5 % of cases.
 */
export const TREND_ALPHA = 0.025;
/** A significant trend smaller than this share of the level over the window is not called a drift. */
export const DRIFT_MIN = 0.05;

export interface Trend {
  /** Mann–Kendall S and its two-sided p-value (normal approximation, ties corrected). */
  s: number;
  p: number;
  /** Sen's slope: units of the series per second. */
  slopePerSec: number;
  /** The Sen line's value at the first and last sub-window. */
  from: number;
  to: number;
  /** (to − from) / from; null when from is 0. */
  relativeDrift: number | null;
  drifting: boolean;
}

/** One point of the series: its value at a time (seconds, e.g. the sub-window's midpoint). */
export interface Point {
  t: number;
  y: number;
}

/** Null with fewer than MIN_TREND_POINTS points. */
export function trendOf(points: readonly Point[]): Trend | null {
  const n = points.length;
  if (n < MIN_TREND_POINTS) return null;
  let s = 0;
  const slopes: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = points[i] as Point;
    for (let j = i + 1; j < n; j++) {
      const b = points[j] as Point;
      s += Math.sign(b.y - a.y);
      if (b.t !== a.t) slopes.push((b.y - a.y) / (b.t - a.t));
    }
  }
  // Variance of S with the correction for tied values.
  const ties = new Map<number, number>();
  for (const p of points) ties.set(p.y, (ties.get(p.y) ?? 0) + 1);
  let tieTerm = 0;
  for (const k of ties.values()) tieTerm += k * (k - 1) * (2 * k + 5);
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = varS <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  const p = 2 * (1 - normalCdf(Math.abs(z)));
  const slope = slopes.length > 0 ? median(slopes) : 0;
  const intercept = median(points.map((q) => q.y - slope * q.t));
  const t0 = (points[0] as Point).t;
  const t1 = (points[n - 1] as Point).t;
  const from = intercept + slope * t0;
  const to = intercept + slope * t1;
  const relativeDrift = from !== 0 ? (to - from) / Math.abs(from) : null;
  const drifting = p < TREND_ALPHA && relativeDrift !== null && Math.abs(relativeDrift) >= DRIFT_MIN;
  return { s, p, slopePerSec: slope, from, to, relativeDrift, drifting };
}

/** "throughput rose 18 % over the window" / "mean latency fell 7 % over the window". */
export function driftWords(what: string, t: Trend): string {
  const pct = Math.round(Math.abs(t.relativeDrift ?? 0) * 100);
  return `${what} ${(t.relativeDrift ?? 0) >= 0 ? 'rose' : 'fell'} ${pct} % over the window`;
}
