// Axes as scales: where a value lands along an axis, and its ticks.
import { r1 } from './text.js';
import { axisTicks, tickLabel } from './ticks.js';

export type Value = number | string;

/** Where a value lands along an axis of `size` pixels. */
export interface Scale {
  size: number;
  pos(v: Value): number;
  /** Tick positions and labels. */
  ticks: { at: number; label: string }[];
  /** Bar width of a band axis (0 otherwise). */
  band: number;
}

export type AxisSpec =
  | { kind: 'linear'; min: number; max: number; title: string | null; nice?: boolean; integer?: boolean; labels?: boolean }
  /** Categories with a band each (bars), left to right. */
  | { kind: 'band'; domain: string[]; title: string | null }
  /** Categories as points, first at the top (an ordinal y axis). */
  | { kind: 'point'; domain: string[]; title: string | null };

export function scaleOf(axis: AxisSpec, size: number, vertical: boolean): Scale {
  if (axis.kind === 'linear') {
    // About a tick per 40 px up the side, per 80 px along the bottom (room for the labels).
    const t = axisTicks(axis.min, axis.max, Math.ceil(size / (vertical ? 40 : 80)), axis.nice ?? true, axis.integer ?? false);
    const at = (v: number) => {
      const f = (v - t.lo) / (t.hi - t.lo);
      return r1(vertical ? size - f * size : f * size);
    };
    return { size, pos: (v) => at(Number(v)), ticks: t.ticks.map((v) => ({ at: at(v), label: tickLabel(v, t.decimals) })), band: 0 };
  }
  const n = Math.max(1, axis.domain.length);
  const step = size / n;
  const index = (v: Value) => Math.max(0, axis.domain.indexOf(String(v)));
  const pos = (v: Value) => r1((index(v) + 0.5) * step);
  return { size, pos, ticks: axis.domain.map((d) => ({ at: pos(d), label: d })), band: axis.kind === 'band' ? Math.max(1, step * 0.8) : 0 };
}

/** [min, max] of some numbers (NaN-free); [0, 0] when there are none. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}
