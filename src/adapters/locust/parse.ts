// Version-tolerant parsing of what a Locust 2.x master serves (2.12.1 … 2.47.0), proven on real
// captures in test/fixtures/locust/. Every function either returns plain model data or throws a
// LocustError that says what was expected and what was found. Field history: locust-api.md §4, §5, §8.
import * as z from 'zod';
import { LocustError } from '../../core/errors.js';
import { PERCENTILES } from '../../core/model.js';
import type { EndpointStats, FailureRow, LiveStats, PercentileKey, WorkerInfo } from '../../core/model.js';
import { CsvSyntaxError, parseCsvTable, type CsvTable } from './csv.js';

const PREVIEW_CHARS = 200;

/** At most 200 characters of a body, on one line, for error messages. Never throws. */
function preview(body: unknown): string {
  let text: string;
  if (body === undefined) return '(nothing)';
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what JSON cannot show
      text = JSON.stringify(body) ?? String(body);
    } catch {
      try {
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a cycle or a BigInt
        text = String(body);
      } catch {
        text = `[unprintable ${typeof body}]`;
      }
    }
  }
  const oneLine = text
    .slice(0, PREVIEW_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim();
  if (oneLine === '') return '(an empty body)';
  return oneLine.length > PREVIEW_CHARS ? `${oneLine.slice(0, PREVIEW_CHARS)}…` : oneLine;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  // The path can hold keys the body chose (a record's keys): keep it short and on one line.
  const path = issue.path.length > 0 ? `${preview(issue.path.map(String).join('.'))}: ` : '';
  return `${path}${preview(issue.message)}`;
}

function fail(what: string, expected: string, body: unknown, detail?: string, cause?: unknown): never {
  const why = detail === undefined ? '' : ` (${detail})`;
  throw new LocustError(`Locust ${what}: expected ${expected}${why}; found: ${preview(body)}`, { cause, code: 'LOCUST_BAD_RESPONSE' });
}

// ---------------------------------------------------------------------------------------------
// HTML entities

const ENTITIES: Record<string, string> = {
  '&quot;': '"',
  '&#x27;': "'",
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
};
const ENTITY_RE = /&(?:quot|#x27|#39|lt|gt|amp);/g;
const HAS_ENTITY_RE = /&(?:quot|#x27|#39|lt|gt|amp);/; // not global: .test() keeps no lastIndex

/** Undoes Python's `html.escape` (the entities Locust's web UI produced up to 2.28.0 / 2.37.13). */
export function unescapeHtml(s: string): string {
  // One pass, so "&amp;lt;" becomes "&lt;" (escaped once), not "<".
  return s.replace(ENTITY_RE, (m) => ENTITIES[m] ?? m);
}

/**
 * True when `s` reads as the output of Python's `html.escape(…, quote=True)`: it holds at least one
 * of its entities and none of the characters that function always replaces.
 */
function looksHtmlEscaped(s: string): boolean {
  if (/["'<>]/.test(s)) return false;
  if (s.replace(ENTITY_RE, '').includes('&')) return false;
  return HAS_ENTITY_RE.test(s);
}

// ---------------------------------------------------------------------------------------------
// GET /stats/requests

const optNum = z.number().nullable().optional();
/** A request/failure count: Locust only ever sends whole numbers ≥ 0. */
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const StatsRow = z.looseObject({
  name: z.string(),
  // "" for the Aggregated row; null before the first test up to 2.45.x.
  method: z.string().nullable().optional(),
  num_requests: count,
  num_failures: count,
  current_rps: optNum,
  current_fail_per_sec: optNum,
  avg_response_time: optNum,
});

const Worker = z.looseObject({
  id: z.string(),
  state: z.string(),
  user_count: optNum,
  cpu_usage: optNum,
  memory_usage: optNum,
});

const StatsRequests = z.looseObject({
  state: z.string(),
  // Rows are checked one by one below: only the Aggregated row is needed, so an odd endpoint row
  // added by a future version does not make the whole poll fail.
  stats: z.array(z.unknown()),
  user_count: optNum,
  workers: z.array(Worker).nullable().optional(),
  worker_count: optNum, // ≥ 2.37.2
  current_rps: optNum, // ≥ 2.45.0
  current_fail_per_sec: optNum, // ≥ 2.45.0
  // ≥ 2.20.0 (modern UI), the only form since 2.28.0. Keys from PERCENTILES_TO_CHART.
  current_response_time_percentiles: z.record(z.string(), z.number().nullable()).nullable().optional(),
  current_response_time_percentile_50: optNum, // ≤ 2.15.0
  current_response_time_percentile_95: optNum,
  current_response_time_percentile_1: optNum, // 2.15.1 – 2.27.x legacy UI: PERCENTILES_TO_CHART[0], [1]
  current_response_time_percentile_2: optNum,
});

type StatsRowT = z.infer<typeof StatsRow>;

const COUNTED_WORKER_STATES = new Set(['ready', 'spawning', 'running']);

/** Picks the `response_time_percentile_<q>` entry whose quantile equals `q` (accepts "0.5" and "0.50"). */
function percentileFromDict(dict: Record<string, number | null>, q: number): number | null {
  for (const [key, value] of Object.entries(dict)) {
    const m = /^response_time_percentile_(\d+(?:\.\d+)?|\.\d+)$/.exec(key);
    if (m?.[1] !== undefined && Number(m[1]) === q) return value;
  }
  return null;
}

/** The Aggregated row: the last row named "Aggregated" with an empty or null method (normally last). */
function findAggregated(rows: unknown[]): StatsRowT | null {
  let fallback: StatsRowT | null = null;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null || (row as { name?: unknown }).name !== 'Aggregated') continue;
    const parsed = StatsRow.safeParse(row);
    if (!parsed.success) {
      fail('/stats/requests', 'an Aggregated row with whole, non-negative num_requests and num_failures', row, firstIssue(parsed.error));
    }
    const method = parsed.data.method;
    if (method === '' || method === null || method === undefined) return parsed.data;
    fallback ??= parsed.data; // a user's request named "Aggregated" — only if nothing better exists
  }
  return fallback;
}

/** Normalises a `GET /stats/requests` body of any Locust 2.x version. */
export function parseLiveStats(body: unknown): LiveStats {
  const parsed = StatsRequests.safeParse(body);
  if (!parsed.success) {
    fail('/stats/requests', 'a JSON object with "state" (string) and "stats" (array)', body, firstIssue(parsed.error));
  }
  const d = parsed.data;

  // Locust always appends the Aggregated row when it has a runner; without one `stats` is empty.
  const aggregated = findAggregated(d.stats);
  const requests = aggregated?.num_requests ?? 0;
  const failures = aggregated?.num_failures ?? 0;

  const workers: WorkerInfo[] = (d.workers ?? []).map((w) => ({
    id: w.id,
    state: w.state,
    userCount: w.user_count ?? 0,
    cpuPercent: w.cpu_usage ?? null,
    memoryBytes: w.memory_usage ?? null,
  }));
  const workerCount = typeof d.worker_count === 'number' ? d.worker_count : workers.filter((w) => COUNTED_WORKER_STATES.has(w.state)).length;
  const userCount = d.user_count ?? workers.reduce((sum, w) => sum + w.userCount, 0);

  const dict = d.current_response_time_percentiles;
  let p50: number | null;
  let p95: number | null;
  if (dict !== null && dict !== undefined) {
    p50 = percentileFromDict(dict, 0.5);
    p95 = percentileFromDict(dict, 0.95);
  } else if (d.current_response_time_percentile_50 !== undefined || d.current_response_time_percentile_95 !== undefined) {
    p50 = d.current_response_time_percentile_50 ?? null;
    p95 = d.current_response_time_percentile_95 ?? null;
  } else {
    // _1/_2 follow PERCENTILES_TO_CHART, [0.5, 0.95] unless a locustfile changed it.
    p50 = d.current_response_time_percentile_1 ?? null;
    p95 = d.current_response_time_percentile_2 ?? null;
  }

  return {
    state: d.state,
    userCount,
    workers,
    workerCount,
    requests,
    failures,
    // Top-level current_rps exists since 2.45.0; before, the Aggregated row holds the same number.
    // (Top-level total_rps is not used: it changed meaning in 2.43.4.)
    currentRps: d.current_rps ?? aggregated?.current_rps ?? null,
    currentFailPerSec: d.current_fail_per_sec ?? aggregated?.current_fail_per_sec ?? null,
    currentP50Ms: p50,
    currentP95Ms: p95,
    // Cumulative since the reset: the sub-window series (core/stats) takes differences of mean × count.
    avgMs: requests > 0 ? (aggregated?.avg_response_time ?? null) : null,
    schema: dict !== null && dict !== undefined ? 'modern' : 'legacy',
  };
}

// ---------------------------------------------------------------------------------------------
// CSV endpoints

function readCsv(what: string, text: string, required: readonly string[], example: string): CsvTable {
  if (typeof text !== 'string') fail(what, 'CSV text', text);
  let table: CsvTable;
  try {
    table = parseCsvTable(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) fail(what, `a CSV with header ${example}`, text, e.message, e);
    throw e;
  }
  const missing = required.filter((col) => !table.header.includes(col));
  if (missing.length > 0) {
    fail(what, `a CSV with header ${example}`, text, `no column ${missing.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  return table;
}

// Unambiguous on purpose (no two adjacent repeats can match the same digits): linear on any cell.
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A CSV number: `N/A` or an empty/absent cell → null; anything else non-numeric → LocustError. */
function csvNumber(what: string, row: Readonly<Record<string, string>>, col: string, line: number): number | null {
  const raw = row[col];
  if (raw === undefined) return null;
  const s = raw.trim();
  if (s === '' || s === 'N/A') return null;
  if (NUMBER_RE.test(s)) {
    const v = Number(s);
    if (Number.isFinite(v)) return v;
  }
  if (s === 'nan' || s === 'inf' || s === '-inf') return null; // Python's float formatting
  return fail(what, `a number or N/A in column "${col}" of data row ${line}`, raw);
}

/** A CSV count (requests, failures, occurrences): a whole number ≥ 0, never N/A or empty. */
function csvCount(what: string, row: Readonly<Record<string, string>>, col: string, line: number): number {
  const v = csvNumber(what, row, col, line);
  if (v === null || !Number.isSafeInteger(v) || v < 0) {
    fail(what, `a count in column "${col}" of data row ${line} (a whole number ≥ 0)`, row[col] ?? '(missing)');
  }
  return v;
}

const STATS_HEADER =
  'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,' +
  'Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,…,100%';
const STATS_REQUIRED = ['Name', 'Request Count', 'Failure Count'] as const;

function zeroRow(): EndpointStats {
  return {
    method: '',
    name: 'Aggregated',
    requests: 0,
    failures: 0,
    medianMs: null,
    avgMs: null,
    minMs: null,
    maxMs: null,
    avgContentBytes: null,
    rps: 0,
    failPerSec: 0,
    percentiles: Object.fromEntries(PERCENTILES.map((p) => [p, null])) as Record<PercentileKey, null>,
  };
}

/**
 * Parses `/stats/requests/csv` (same columns from 2.12.1 to 2.47.0). Columns are found by name, so
 * extra or missing percentile columns are tolerated (missing → null). With no requests Locust
 * writes 0 for the median/average/min/max/size, which would read as "fast": those become null.
 * Without an Aggregated row (a header-only body) the aggregate is all zeros and nulls.
 */
export function parseStatsCsv(text: string): { endpoints: EndpointStats[]; aggregated: EndpointStats } {
  const what = '/stats/requests/csv';
  const table = readCsv(what, text, STATS_REQUIRED, STATS_HEADER);
  const rows: EndpointStats[] = table.rows.map((row, idx) => {
    const line = idx + 2;
    const n = (col: string): number | null => csvNumber(what, row, col, line);
    const count = (col: string): number => csvCount(what, row, col, line);
    const requests = count('Request Count');
    const none = requests === 0;
    const time = (col: string): number | null => (none ? null : n(col));
    return {
      method: row['Type'] ?? '',
      name: row['Name'] ?? '',
      requests,
      failures: count('Failure Count'),
      medianMs: time('Median Response Time'),
      avgMs: time('Average Response Time'),
      minMs: time('Min Response Time'),
      maxMs: time('Max Response Time'),
      avgContentBytes: time('Average Content Size'),
      rps: n('Requests/s') ?? 0,
      failPerSec: n('Failures/s') ?? 0,
      percentiles: Object.fromEntries(PERCENTILES.map((p) => [p, none ? null : n(`${p}%`)])) as Record<PercentileKey, number | null>,
    };
  });
  // The Aggregated row: empty Type, Name "Aggregated", normally last.
  let aggIdx = -1;
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    if (r !== undefined && r.name === 'Aggregated' && r.method === '') {
      aggIdx = i;
      break;
    }
  }
  const aggregated = aggIdx >= 0 ? rows[aggIdx] : undefined;
  return {
    endpoints: rows.filter((_, i) => i !== aggIdx),
    aggregated: aggregated ?? zeroRow(),
  };
}

/**
 * In 2.12.1 – 2.27.x a distributed master wrapped the worker's error text in a second repr:
 * `"HTTPError('404 …')"` (or `'ValueError()'` when the text holds no single quote). Undo one level.
 */
function stripReprQuotes(s: string): string {
  if (s.length >= 2) {
    const q = s[0];
    if (q === '"' && s.endsWith('"') && !s.slice(1, -1).includes('"')) return s.slice(1, -1);
    if (q === "'" && s.endsWith("'") && !s.slice(1, -1).includes("'")) return s.slice(1, -1);
  }
  return s;
}

/**
 * Parses `/stats/failures/csv`: `Method,Name,Error,Occurrences` (+ `First Seen,Last Seen` since
 * 2.44.0). Old masters' extra repr quotes around Error are removed (only in the old layout without
 * "First Seen"), and text that reads as HTML-escaped is unescaped, so the same failure gives the
 * same row in every version.
 */
export function parseFailuresCsv(text: string): FailureRow[] {
  const what = '/stats/failures/csv';
  const table = readCsv(what, text, ['Method', 'Name', 'Error', 'Occurrences'], 'Method,Name,Error,Occurrences');
  const legacy = !table.header.includes('First Seen');
  const clean = (s: string): string => (looksHtmlEscaped(s) ? unescapeHtml(s) : s);
  return table.rows.map((row, idx) => {
    const occurrences = csvCount(what, row, 'Occurrences', idx + 2);
    const error = row['Error'] ?? '';
    return {
      method: clean(row['Method'] ?? ''),
      name: clean(row['Name'] ?? ''),
      // Unescape first: an escaped body carries its repr quotes as &quot;…&quot;.
      error: legacy ? stripReprQuotes(clean(error)) : clean(error),
      occurrences,
    };
  });
}

/** Parses `/exceptions/csv` (`Count,Message,Traceback,Nodes`) into the total count. */
export function parseExceptionsCsv(text: string): number {
  const what = '/exceptions/csv';
  const table = readCsv(what, text, ['Count'], 'Count,Message,Traceback,Nodes');
  let total = 0;
  table.rows.forEach((row, idx) => {
    total += csvCount(what, row, 'Count', idx + 2);
  });
  if (!Number.isSafeInteger(total)) fail(what, 'counts that add up to a whole number', `${total}`);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Other JSON bodies

const Exceptions = z.looseObject({
  exceptions: z.array(z.looseObject({ count })),
});

/** Parses `GET /exceptions` into the total count of user exceptions. */
export function parseExceptionsJson(body: unknown): number {
  const parsed = Exceptions.safeParse(body);
  if (!parsed.success) {
    fail('/exceptions', 'a JSON object with "exceptions": [{count, msg, traceback, nodes}]', body, firstIssue(parsed.error));
  }
  const total = parsed.data.exceptions.reduce((sum, e) => sum + e.count, 0);
  if (!Number.isSafeInteger(total)) fail('/exceptions', 'counts that add up to a whole number', body);
  return total;
}

const Swarm = z.looseObject({
  success: z.boolean(),
  message: z.string().nullable().optional(),
});

/** Parses the JSON answer of `POST /swarm` (also fits `/stop`): `{success, message, host?, …}`. */
export function parseSwarmResponse(body: unknown): { success: boolean; message: string } {
  const parsed = Swarm.safeParse(body);
  if (!parsed.success) {
    fail('/swarm', 'a JSON object with "success" (boolean) and "message"', body, firstIssue(parsed.error));
  }
  return { success: parsed.data.success, message: parsed.data.message ?? '' };
}

// ---------------------------------------------------------------------------------------------
// GET / (web UI page)

// "2.47.0", "2.12.1", "2.34.1.dev12", "2.0b3": no two adjacent repeats overlap, so it is linear.
const VERSION_RE = /^\d+\.\d[A-Za-z0-9.+-]*$/;

function plausibleVersion(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t.length <= 64 && VERSION_RE.test(t) ? t : null;
}

/**
 * The Locust version as the web UI page shows it: `"version": "2.47.0"` in the React page's
 * `window.templateArgs` (2.22+), or `Version <a href=".../releases/tag/2.12.1">2.12.1</a>` and
 * `?v=2.12.1` asset suffixes in the legacy page. Null when not found (e.g. Debian's 2.12.1 package,
 * whose version string is empty).
 */
export function parseVersionFromHtml(html: string): string | null {
  if (typeof html !== 'string') return null;
  // React UI: one JSON object literal on a line of its own.
  const args = /window\.templateArgs\s*=\s*(\{.*\})\s*;?\s*$/m.exec(html);
  if (args?.[1] !== undefined) {
    try {
      const parsed: unknown = JSON.parse(args[1]);
      if (typeof parsed === 'object' && parsed !== null && 'version' in parsed) {
        const v = parsed.version;
        if (typeof v === 'string') return plausibleVersion(v);
      }
    } catch {
      // not JSON after all: fall through to the patterns
    }
  }
  const patterns = [
    /"version"\s*:\s*"([^"]*)"/,
    /Version\s*<a\b[^>]*>([^<]*)<\/a>/i, // trimmed by plausibleVersion; no lazy \s* (backtracking)
    /\/releases\/tag\/([^"'<>\s]*)/,
    /[?&]v=([0-9][^"'&<>\s]*)/,
  ];
  for (const re of patterns) {
    const v = plausibleVersion(re.exec(html)?.[1]);
    if (v !== null) return v;
  }
  return null;
}
