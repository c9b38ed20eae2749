// Where the ticks of a value axis go, and how their labels read.
/** A "nice" step for about `count` ticks over a span (1, 2 or 5 × a power of ten), as d3 and Vega pick them. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const err = raw / power;
  return power * (err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1);
}

export interface AxisTicks {
  lo: number;
  hi: number;
  ticks: number[];
  decimals: number;
}

/**
 * Ticks of a [min, max] axis with about `count` ticks. `nice`: the ends are rounded out to whole
 * steps (value axes); otherwise the axis spans exactly [min, max] (a time axis ends where the
 * samples end). `integer`: steps of at least 1 (counts). An empty span gets room around its value.
 */
export function axisTicks(min: number, max: number, count: number, nice = true, integer = false): AxisTicks {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : lo + 1;
  if (!(hi > lo)) {
    const room = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    hi = lo + room;
    lo = lo - room < 0 && lo >= 0 ? 0 : lo - room;
  }
  const stepFor = (span: number) => (integer ? Math.max(1, Math.round(niceStep(span, count))) : niceStep(span, count));
  let step = stepFor(hi - lo);
  if (nice) {
    // Rounding the ends out can call for a coarser step (as d3's nice() iterates): settle once more.
    for (let i = 0; i < 2; i++) {
      lo = Math.floor(lo / step + 1e-9) * step;
      hi = Math.ceil(hi / step - 1e-9) * step;
      const again = stepFor(hi - lo);
      if (again === step) break;
      step = again;
    }
  }
  // At most 20 decimals (toFixed and toLocaleString refuse more): a series of denormal values is
  // drawn flat at 0 rather than crash the report.
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const ticks: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return { lo, hi, ticks, decimals };
}

export function tickLabel(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
