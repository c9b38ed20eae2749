// Property tests of the Locust response parsers (src/adapters/locust/parse.ts, csv.ts) on hostile
// bodies: the real captures of 2.12.1 and 2.47.0 with mutations, arbitrary JSON, arbitrary CSV text
// (quotes, CRLF, missing columns, N/A, huge numbers, unicode) and well-formed tables of arbitrary
// cells. Whatever the body: a well-typed value, or a LocustError whose one-line, bounded message
// names the endpoint and what was expected — never another exception, never slow.
import { readdirSync, readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { dropOrReplace, pickNode } from '../../../support/mutate.js';
import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv, parseCsvTable } from '../../../../src/adapters/locust/csv.js';
import {
  parseExceptionsCsv,
  parseExceptionsJson,
  parseFailuresCsv,
  parseLiveStats,
  parseStatsCsv,
  parseSwarmResponse,
  parseVersionFromHtml,
} from '../../../../src/adapters/locust/parse.js';
import { LocustError } from '../../../../src/core/errors.js';
import { exitCode } from '../../../../src/core/exit-code.js';
import { PERCENTILES, type EndpointStats } from '../../../../src/core/model.js';

const SEED = 4711;
const BOUND_MS = 1_000;
const MAX_MESSAGE = 1_200;
const VERSIONS = ['2.12.1', '2.47.0'] as const;
const fixture = (v: string, f: string): string => readFileSync(new URL(`../../../fixtures/locust/${v}/${f}`, import.meta.url), 'utf8');
const fixtures = (ext: string): { name: string; text: string }[] =>
  VERSIONS.flatMap((v) =>
    readdirSync(new URL(`../../../fixtures/locust/${v}/`, import.meta.url))
      .filter((f) => f.endsWith(ext))
      .map((f) => ({ name: `${v}/${f}`, text: fixture(v, f) })),
  );
const JSON_CAPTURES = fixtures('.json').map((f) => ({ name: f.name, body: JSON.parse(f.text) as unknown }));
const CSV_CAPTURES = fixtures('.csv');

class ForeignError extends Error {}

/** Runs one parser call: a value, or a LocustError with a clear, bounded, one-line message. */
function valueOrLocustError<T>(fn: () => T, endpoint: RegExp): T | LocustError {
  const started = performance.now();
  let out: T | LocustError;
  try {
    out = fn();
  } catch (e) {
    if (!(e instanceof LocustError)) throw new ForeignError(`${(e as Error)?.constructor?.name}: ${String((e as Error)?.message ?? e)}`, { cause: e });
    expect(exitCode({ error: e })).toBe(3);
    expect(e.message).toMatch(endpoint);
    expect(e.message).toMatch(/: expected .+; found: /);
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    out = e;
  }
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
  return out;
}

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isNumOrNull = (n: unknown): boolean => n === null || (typeof n === 'number' && Number.isFinite(n));

function checkEndpoint(e: EndpointStats): void {
  expect(typeof e.method).toBe('string');
  expect(typeof e.name).toBe('string');
  expect(isCount(e.requests)).toBe(true);
  expect(isCount(e.failures)).toBe(true);
  for (const v of [e.medianMs, e.avgMs, e.minMs, e.maxMs, e.avgContentBytes]) expect(isNumOrNull(v)).toBe(true);
  expect(Number.isFinite(e.rps)).toBe(true);
  expect(Number.isFinite(e.failPerSec)).toBe(true);
  expect(Object.keys(e.percentiles).sort()).toEqual([...PERCENTILES].sort());
  for (const p of PERCENTILES) expect(isNumOrNull(e.percentiles[p])).toBe(true);
}

/** Every parser on one text body; each result checked for its type. */
function allTextParsers(t: string): void {
  const stats = valueOrLocustError(() => parseStatsCsv(t), /^Locust \/stats\/requests\/csv: /);
  if (!(stats instanceof LocustError)) {
    stats.endpoints.forEach(checkEndpoint);
    checkEndpoint(stats.aggregated);
  }
  const failures = valueOrLocustError(() => parseFailuresCsv(t), /^Locust \/stats\/failures\/csv: /);
  if (!(failures instanceof LocustError)) {
    for (const f of failures) {
      expect([typeof f.method, typeof f.name, typeof f.error]).toEqual(['string', 'string', 'string']);
      expect(isCount(f.occurrences)).toBe(true);
    }
  }
  const exceptions = valueOrLocustError(() => parseExceptionsCsv(t), /^Locust \/exceptions\/csv: /);
  if (!(exceptions instanceof LocustError)) expect(isCount(exceptions)).toBe(true);
  const started = performance.now();
  const v = parseVersionFromHtml(t);
  expect(v === null || (typeof v === 'string' && v.length <= 64)).toBe(true);
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
}

/** Every JSON parser on one body. */
function allJsonParsers(body: unknown): void {
  const s = valueOrLocustError(() => parseLiveStats(body), /^Locust \/stats\/requests: /);
  if (!(s instanceof LocustError)) {
    expect(typeof s.state).toBe('string');
    expect(isCount(s.requests)).toBe(true);
    expect(isCount(s.failures)).toBe(true);
    expect(Number.isFinite(s.workerCount)).toBe(true);
    expect(Number.isFinite(s.userCount)).toBe(true);
    for (const x of [s.currentRps, s.currentFailPerSec, s.currentP50Ms, s.currentP95Ms]) expect(x === null || typeof x === 'number').toBe(true);
    expect(['legacy', 'modern']).toContain(s.schema);
  }
  const w = valueOrLocustError(() => parseSwarmResponse(body), /^Locust \/swarm: /);
  if (!(w instanceof LocustError)) expect([typeof w.success, typeof w.message]).toEqual(['boolean', 'string']);
  const x = valueOrLocustError(() => parseExceptionsJson(body), /^Locust \/exceptions: /);
  if (!(x instanceof LocustError)) expect(isCount(x)).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Mutations of real JSON bodies

const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    -0,
    1.5,
    1e308,
    -1e308,
    1e-300,
    2 ** 53,
    2 ** 53 + 2,
    NaN,
    Infinity,
    -Infinity,
    '',
    'N/A',
    'NaN',
    '1e309',
    'Aggregated',
    'running',
    'ready',
    'missing',
    '\u0000',
    '\u202E',
    '日本',
    '🚀',
    'x'.repeat(100_000),
    null,
    true,
    false,
    [],
    {},
    [[[[[[]]]]]],
    { name: 'Aggregated', method: '', num_requests: 1, num_failures: 0 },
    { response_time_percentile_0_5: 1 },
    { ['k'.repeat(50_000)]: 'x' },
    { 'a\nb': 'x' },
  ),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }),
);

interface JsonMutation {
  op: 'drop' | 'replace' | 'retype' | 'add' | 'nest' | 'duplicate';
  pick: number;
  value: unknown;
  key: string;
}

function mutateJson(doc: unknown, m: JsonMutation): unknown {
  const p = pickNode(doc, m.pick);
  if (p === null) return m.value;
  const { parent, last, current: cur } = p;
  if (dropOrReplace(m.op, p, m.value)) return p.copy;
  switch (m.op) {
    case 'retype':
      parent[last] = typeof cur === 'number' ? String(cur) : typeof cur === 'string' ? Number(cur) : Array.isArray(cur) ? cur[0] : [cur];
      break;
    case 'add':
      if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) (cur as Record<string, unknown>)[m.key] = m.value;
      else if (Array.isArray(cur)) cur.push(m.value);
      else parent[last] = { [m.key]: cur };
      break;
    case 'nest':
      parent[last] = { value: [cur] };
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(cur));
      break;
  }
  return p.copy;
}

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  op: fc.constantFrom('drop', 'replace', 'retype', 'add', 'nest', 'duplicate'),
  pick: fc.nat(),
  value: nastyJson,
  key: fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'stats', 'workers', 'current_rps', 'worker_count', 'num_requests', 'name', 'method', 'count'),
    fc.string({ maxLength: 6 }),
  ),
});

const mutatedJson = fc
  .tuple(fc.constantFrom(...JSON_CAPTURES), fc.array(jsonMutation, { minLength: 1, maxLength: 4 }))
  .map(([c, ms]) => ms.reduce<unknown>((d, m) => mutateJson(d, m), c.body));

// ---------------------------------------------------------------------------------------------
// Mutations of real CSV bodies

const CSV_TOKENS = [
  '"',
  '""',
  ',',
  ',,',
  '\r\n',
  '\n',
  '\r',
  '"\r\n"',
  'N/A',
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e308',
  '1e309',
  '-1e309',
  'nan',
  'inf',
  '-inf',
  '9'.repeat(400),
  '0x10',
  '1_000',
  '+3',
  '.5',
  '5.',
  'Aggregated',
  'GET',
  '&quot;',
  '&amp;lt;',
  "'",
  '\u0000',
  '\uFEFF',
  '\u202E',
  'é',
  '日本語',
  '🚀',
  '<html>',
  '{"a":1}',
  '\t',
];

interface CsvMutation {
  op: 'insert' | 'delete' | 'truncate' | 'dropColumn' | 'swapLines' | 'duplicateLine' | 'replaceCell' | 'crlf';
  at: number;
  len: number;
  token: string;
}

function mutateCsv(text: string, m: CsvMutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  switch (m.op) {
    case 'insert':
      return text.slice(0, at) + m.token + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + (m.len % 40));
    case 'truncate':
      return text.slice(0, at);
    case 'dropColumn': {
      // naive on purpose: quoted commas get split too, which is one more way to be malformed
      const lines = text.split('\r\n');
      return lines
        .map((l) =>
          l
            .split(',')
            .filter((_, i) => i !== m.len % 25)
            .join(','),
        )
        .join('\r\n');
    }
    case 'swapLines': {
      const lines = text.split('\r\n');
      const i = m.at % Math.max(1, lines.length);
      const j = m.len % Math.max(1, lines.length);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      return lines.join('\r\n');
    }
    case 'duplicateLine': {
      const lines = text.split('\r\n');
      const i = m.at % Math.max(1, lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\r\n');
    }
    case 'replaceCell': {
      const lines = text.split('\r\n');
      const i = m.at % Math.max(1, lines.length);
      const cells = (lines[i] ?? '').split(',');
      cells[m.len % Math.max(1, cells.length)] = m.token;
      lines[i] = cells.join(',');
      return lines.join('\r\n');
    }
    case 'crlf':
      return m.len % 2 === 0 ? text.replaceAll('\r\n', '\n') : text.replaceAll('\r\n', '\r');
  }
}

const csvMutation: fc.Arbitrary<CsvMutation> = fc.record({
  op: fc.constantFrom('insert', 'delete', 'truncate', 'dropColumn', 'swapLines', 'duplicateLine', 'replaceCell', 'crlf'),
  at: fc.nat(),
  len: fc.nat(),
  token: fc.oneof(fc.constantFrom(...CSV_TOKENS), fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 })),
});

const mutatedCsv = fc
  .tuple(fc.constantFrom(...CSV_CAPTURES), fc.array(csvMutation, { minLength: 1, maxLength: 5 }))
  .map(([c, ms]) => ms.reduce((t, m) => mutateCsv(t, m), c.text));

// Well-formed CSV (as Python's csv.writer would quote it) with a real header and arbitrary cells.
const HEADERS = [
  ...VERSIONS.map((v) => parseCsv(fixture(v, 'stats.csv'))[0] as string[]),
  ['Method', 'Name', 'Error', 'Occurrences'],
  ['Method', 'Name', 'Error', 'Occurrences', 'First Seen', 'Last Seen'],
  ['Count', 'Message', 'Traceback', 'Nodes'],
];
const anyCell = fc.oneof(
  fc.constantFrom(...CSV_TOKENS),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.double().map(String),
  fc.nat().map(String),
);
const wellFormedTable = fc
  .tuple(fc.constantFrom(...HEADERS), fc.array(fc.array(anyCell, { maxLength: 26 }), { maxLength: 6 }))
  .map(([h, rows]) => formatCsv([h, ...rows.filter((r) => r.length > 0)]));

// ---------------------------------------------------------------------------------------------

describe('Locust JSON parsers: a value or a clear LocustError', () => {
  it('real captures parse', () => {
    for (const c of JSON_CAPTURES) allJsonParsers(c.body);
  });

  it('mutated real captures (dropped, replaced, retyped, added, nested, duplicated fields)', () => {
    fc.assert(
      fc.property(mutatedJson, (body) => allJsonParsers(body)),
      { numRuns: 3_000, seed: SEED },
    );
  });

  it('arbitrary JSON values and JavaScript values (NaN, ∞, sparse arrays, prototype keys)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything({ withSparseArray: true, withNullPrototype: true, withBoxedValues: true })), (body) =>
        allJsonParsers(body),
      ),
      {
        numRuns: 2_000,
        seed: SEED,
      },
    );
  });

  it('messages stay short and on one line when the body chose long or multi-line keys', () => {
    for (const body of [
      { state: 'x', stats: [], current_response_time_percentiles: { ['k'.repeat(1_000_000)]: 'bad' } },
      { state: 'x', stats: [], current_response_time_percentiles: { 'a\nb\r\nc': 'bad' } },
      { state: 'x', stats: [{ name: 'Aggregated', method: '', num_requests: -1, num_failures: 0 }] },
      { state: 'x', stats: [{ name: 'Aggregated', method: '', num_requests: 1.5, num_failures: 0 }] },
      { exceptions: [{ count: Number.MAX_SAFE_INTEGER }, { count: Number.MAX_SAFE_INTEGER }] },
    ]) {
      allJsonParsers(body);
    }
  });

  it('counts must be whole and ≥ 0: negative, fractional or unsafe counts are LocustErrors', () => {
    const agg = (n: unknown) => ({ state: 'running', stats: [{ name: 'Aggregated', method: '', num_requests: n, num_failures: 0 }] });
    for (const n of [-1, 1.5, 2 ** 53, 1e308]) {
      expect(valueOrLocustError(() => parseLiveStats(agg(n)), /num_requests/)).toBeInstanceOf(LocustError);
    }
    expect(parseLiveStats(agg(0)).requests).toBe(0);
    expect(valueOrLocustError(() => parseExceptionsJson({ exceptions: [{ count: -2 }] }), /exceptions/)).toBeInstanceOf(LocustError);
  });
});

describe('Locust CSV parsers: a value or a clear LocustError', () => {
  it('real captures parse', () => {
    for (const c of CSV_CAPTURES) allTextParsers(c.text);
  });

  it('mutated real captures (quotes, CRLF/LF/CR, missing columns, N/A, huge numbers, unicode)', () => {
    fc.assert(
      fc.property(mutatedCsv, (t) => allTextParsers(t)),
      { numRuns: 3_000, seed: SEED },
    );
  });

  it('well-formed tables with real headers and arbitrary cells', () => {
    fc.assert(
      fc.property(wellFormedTable, (t) => allTextParsers(t)),
      { numRuns: 2_000, seed: SEED },
    );
  });

  it('arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom(...CSV_TOKENS), maxLength: 80 })), (t) =>
        allTextParsers(t),
      ),
      { numRuns: 2_000, seed: SEED },
    );
  });

  it('numbers written as Locust writes them read back exactly; N/A and empty cells are null', () => {
    const header = HEADERS[1] as string[];
    const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: 0 }), fc.nat());
    const endpoint = fc.record({
      name: fc.string({ unit: 'grapheme', maxLength: 10 }),
      requests: fc.nat(),
      failures: fc.nat(),
      cells: fc.array(fc.oneof(num.map(String), fc.constantFrom('N/A', '')), { minLength: header.length - 4, maxLength: header.length - 4 }),
    });
    fc.assert(
      fc.property(fc.array(endpoint, { maxLength: 5 }), (eps) => {
        const rows = eps.map((e) => ['GET', e.name === 'Aggregated' ? 'A' : e.name, String(e.requests), String(e.failures), ...e.cells]);
        const parsed = parseStatsCsv(formatCsv([header, ...rows]));
        expect(parsed.endpoints).toHaveLength(eps.length);
        parsed.endpoints.forEach((p, i) => {
          const e = eps[i]!;
          expect([p.requests, p.failures]).toEqual([e.requests, e.failures]);
          const expected = (cell: string): number | null => (cell === '' || cell === 'N/A' ? null : Number(cell));
          // With no requests Locust writes 0 for the times: those read as null ("not measured").
          const rps = expected(e.cells[5]!);
          expect(p.rps).toBe(rps ?? 0);
          expect(p.medianMs).toBe(e.requests === 0 ? null : expected(e.cells[0]!));
          expect(p.percentiles['100']).toBe(e.requests === 0 ? null : expected(e.cells[e.cells.length - 1]!));
        });
        expect(parsed.aggregated.requests).toBe(0); // no Aggregated row: all zeros
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it('stays linear on wide, long and deeply quoted bodies', () => {
    const n = 60_000;
    const cols = Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    const started = performance.now();
    // A very wide header over many short records: was rows × columns (quadratic) before the fix.
    expect(valueOrLocustError(() => parseStatsCsv(`Name,Request Count,Failure Count,${cols}\n${'x\n'.repeat(n)}`), /stats/)).toBeInstanceOf(LocustError);
    expect(parseCsvTable(`${cols}\n${'1\n'.repeat(n)}`).rows).toHaveLength(n);
    // One giant quoted cell full of doubled quotes and line breaks.
    expect(parseFailuresCsv(`Method,Name,Error,Occurrences\r\nGET,/,"${'""\r\n'.repeat(n)}",1\r\n`)[0]!.error.length).toBe(3 * n);
    // An unterminated quote at the very start of a big body.
    expect(valueOrLocustError(() => parseExceptionsCsv(`"${'a,'.repeat(n)}`), /exceptions/)).toBeInstanceOf(LocustError);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
