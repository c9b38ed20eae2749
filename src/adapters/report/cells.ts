// How a number looks in a report table (summary.md and report.html share it).
import type { StageResult } from '../../core/model.js';

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

/** 2026-11-28T10:55:19.123Z → 2026-11-28 10:55:19 UTC */
export function utc(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m === null ? iso : `${m[1]} ${m[2]} UTC`;
}

/** A run's length for people: "1 h 4 min", "2 min 5 s", "33 s". */
export function duration(totalMs: number): string {
  if (!Number.isFinite(totalMs) || totalMs < 0) return 'unknown duration';
  const s = Math.round(totalMs / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

/** Why there is no knee: too few stages to tell, or latency stayed flat up to the largest user count. */
export function noKnee(stages: readonly StageResult[]): string {
  const users = stages.filter((s) => s.status === 'completed' && s.totals !== null && s.totals.requests > 0).map((s) => s.users);
  if (new Set(users).size < 2) return 'none: needs at least two completed stages with different user counts';
  return `no knee: latency stayed flat up to ${Math.max(...users)} users`;
}
