// How a number looks in a report table (summary.md and report.html share it).

export const DASH = '–';

/** Milliseconds: whole above 100 ms, one decimal below; a dash when there is none. */
export function msCell(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(1)));
}

export function num(value: number | null): string {
  return value === null ? DASH : String(value);
}

/** 1234567 → 1,234,567 (fixed, not locale-dependent). */
export function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
