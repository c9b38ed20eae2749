// Durations ("90s", "2m", "1h30m", "500ms") and percentages ("1%", "0.01") as the matrix file writes them.

const DURATION_RE = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or null when the text is not a duration with units. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const m = DURATION_RE.exec(t);
  if (!m || m.slice(1).every((g) => g === undefined)) return null;
  const [, h, min, s, ms] = m;
  const total = Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(s ?? 0) * 1_000 + Number(ms ?? 0);
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** "1h 2m 3s" style, for plans and logs; sub-second values keep their milliseconds. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''];
  return parts.filter(Boolean).join(' ');
}

/** A ratio in [0, 1] from "1%", "0.5%" or 0.01; null when invalid. */
export function parsePercent(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
  const t = value.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const r = Number(pct[1]) / 100;
    return r <= 1 ? r : null;
  }
  if (/^\d+(?:\.\d+)?$/.test(t)) return parsePercent(Number(t));
  return null;
}

/** Epoch ms as the ISO 8601 UTC text run.json uses for every time. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
