// Property tests of the report writers on hostile runs: stage names with slashes, `..`, unicode, emoji,
// RTL text, markup, pipes and line breaks, very long names, slugs that collide or try to leave the
// run folder, huge and tiny numbers, empty endpoints, thousands of failures whose error text holds
// commas, quotes and newlines. Properties: summary.csv reads back as RFC 4180 with one row per stage;
// every summary.md table row keeps its column count; junit.xml is well-formed XML whose test names
// read back; FsReportSink writes only inside the run folder; the generators never throw.
import { lstat, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import * as fc from 'fast-check';
import { parseCsvStrict } from '../../../support/strict-csv.js';
import { describe, expect, it } from 'vitest';
import { FsReportSink, stageFolder } from '../../../../src/adapters/report/fs-sink.js';
import { humanReports } from '../../../../src/adapters/report/human-reports.js';
import { junitXml } from '../../../../src/adapters/report/junit.js';
import { REPLICA_COLUMNS, replicasCsv, SAMPLE_COLUMNS, samplesCsv } from '../../../../src/adapters/report/samples-csv.js';
import { SUMMARY_COLUMNS, summaryCsv } from '../../../../src/adapters/report/summary-csv.js';
import { comparisonMarkdown, summaryMarkdown } from '../../../../src/adapters/report/summary-md.js';
import { compareRuns, DEFAULT_TOLERANCES } from '../../../../src/core/compare.js';
import type { FailureRow, RunRecord, Sample, SloVerdict, StageResult, Totals } from '../../../../src/core/model.js';
import { slugify } from '../../../../src/core/plan.js';
import { findBest, findKnee } from '../../../../src/core/summary.js';
import { makePlanStage, makeRunRecord, makeStage, makeTotals, makeWindowStats, RUN_START } from '../../../fakes/run-record.js';

const SEED = 1337;

// ---------------------------------------------------------------------------------------------
// Readers used as oracles

/** GFM table cells (cmark-gfm: a pipe preceded by a backslash is part of the cell). */
function tableCells(line: string): number {
  const inner = line.replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).length;
}

/** Every GFM table in a markdown text: its header's cell count and each row's. */
function markdownTables(md: string): { header: string; columns: number; rows: { line: string; cells: number }[] }[] {
  const lines = md.split('\n');
  const tables: { header: string; columns: number; rows: { line: string; cells: number }[] }[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = lines[i] as string;
    if (!head.startsWith('|') || !/^\|(?:\s*:?-+:?\s*\|)+$/.test(lines[i + 1] as string)) continue;
    const columns = tableCells(head);
    expect(tableCells(lines[i + 1] as string)).toBe(columns);
    const rows: { line: string; cells: number }[] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] as string).startsWith('|'); j++) rows.push({ line: lines[j] as string, cells: tableCells(lines[j] as string) });
    // a row that fell apart would continue on a line of its own: the table must end at a blank line
    if (j < lines.length) expect(lines[j]).toBe('');
    tables.push({ header: head, columns, rows });
    i = j;
  }
  return tables;
}

const XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;

function decodeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e in named) return named[e] as string;
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
}

/** A small XML 1.0 well-formedness checker (no DTDs): throws with the offset of the first problem. */
function parseXml(xml: string): XmlElement[] {
  const bad = XML_CHAR.exec(xml);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16)} is not allowed in XML (at ${bad.index})`);
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let i = 0;
  let rootClosed = false;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(xml.slice(Math.max(0, i - 40), i + 40))}`);
  };
  const checkAmp = (s: string, base: number): void => {
    for (let k = s.indexOf('&'); k >= 0; k = s.indexOf('&', k + 1)) {
      if (!ENTITY.test(s.slice(k))) {
        i = base + k;
        fail('a bare &');
      }
    }
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('an unterminated XML declaration');
    i = end + 2;
  }
  while (i < xml.length) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) fail('an unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('CDATA outside the root');
      const end = xml.indexOf(']]>', i);
      if (end < 0) fail('an unterminated CDATA section');
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_:][\w.:-]*)\s*>/.exec(xml.slice(i, i + 200));
      if (!m) fail('a malformed end tag');
      const open = stack.pop();
      if (open?.name !== m![1]) fail(`</${m![1]}> closes <${open?.name ?? 'nothing'}>`);
      if (stack.length === 0) rootClosed = true;
      i += m![0].length;
    } else if (xml[i] === '<') {
      if (rootClosed) fail('a second root element');
      const nm = /^<([A-Za-z_:][\w.:-]*)/.exec(xml.slice(i, i + 200));
      if (!nm) fail('a malformed start tag');
      const el: XmlElement = { name: nm![1] as string, attrs: {}, text: '' };
      i += nm![0].length;
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i, i + 100))![0];
        i += ws.length;
        if (xml.startsWith('/>', i)) {
          i += 2;
          elements.push(el);
          if (stack.length === 0) rootClosed = true;
          break;
        }
        if (xml[i] === '>') {
          i += 1;
          elements.push(el);
          stack.push(el);
          break;
        }
        if (ws === '') fail('no space before an attribute');
        const an = /^([A-Za-z_:][\w.:-]*)\s*=\s*(["'])/.exec(xml.slice(i, i + 200));
        if (!an) fail('a malformed attribute');
        const name = an![1] as string;
        const quote = an![2] as string;
        i += an![0].length;
        const end = xml.indexOf(quote, i);
        if (end < 0) fail('an unterminated attribute value');
        const raw = xml.slice(i, end);
        if (raw.includes('<')) fail('< in an attribute value');
        checkAmp(raw, i);
        if (Object.hasOwn(el.attrs, name)) fail(`attribute ${name} twice`);
        el.attrs[name] = decodeXml(raw);
        i = end + 1;
      }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      if (stack.length === 0 && raw.trim() !== '') fail('text outside the root element');
      if (raw.includes(']]>')) fail(']]> in text');
      checkAmp(raw, i);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeXml(raw);
      i += raw.length;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!rootClosed) fail('no root element');
  return elements;
}

// ---------------------------------------------------------------------------------------------
// Hostile runs

const HOSTILE = [
  'a/b',
  '../..',
  '..',
  '.',
  '/',
  '\\',
  'a\\..\\b',
  '../../../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\x',
  '~',
  '-rf',
  '.hidden',
  'a|b',
  '|',
  '||',
  '\\|',
  '\\\\|',
  'a\\',
  '`',
  '``',
  '`a|b`',
  '<script>alert(1)</script>',
  '<b>',
  '&',
  '&amp;',
  '&#0;',
  ']]>',
  '<!--',
  '"',
  "'",
  '""',
  'a,b',
  '"a,b"',
  '\n',
  '\r\n',
  '\r',
  'two\nlines',
  'cr\ronly',
  '\t',
  '\u0001',
  '\u001B[31mred',
  '\u007F',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDC00',
  'x\uD83D',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום',
  '日本語のステージ',
  '🚀',
  '👨‍👩‍👧‍👦',
  '🇩🇪',
  'é',
  'ﬁ',
  'İ',
  '\u00A0',
  '\u2028',
  '\u2029',
  '\uFEFF',
  '*bold*',
  '_x_',
  '[l](http://x)',
  '# h',
  '- i',
  '---',
  '{{x}}',
  '${x}',
  'x'.repeat(5_000),
  '🚀'.repeat(300),
];

const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength: 4 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replaceAll('\0', '')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const name = text.filter((s) => s.trim() !== '');

const bigOrTiny: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1e308, 1.7976931348623157e308, 1e-300, 5e-324, 1e21, 1e21 + 1e6, 123_456.789, 2 ** 53 - 1, 0.05, 99.95, 100, 999.95),
  fc.double({ min: 0, max: 1e308, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 0, max: 10_000, noNaN: true }),
);
const anyRatio = fc.double({ min: 0, max: 1, noNaN: true });
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });
const count: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(0, 1, 2 ** 53 - 1, 1_000_000_000_000), fc.nat());

const totals = (num: fc.Arbitrary<number>, ratio: fc.Arbitrary<number>): fc.Arbitrary<Totals> =>
  fc
    .record({
      requests: count,
      failures: count,
      rps: num,
      failRatio: ratio,
      ms: fc.array(maybe(num), { minLength: 15, maxLength: 15 }),
    })
    .map(({ ms, ...t }) => {
      const [avgMs, minMs, maxMs, p50Ms, p66Ms, p75Ms, p80Ms, p90Ms, p95Ms, p98Ms, p99Ms, p999Ms, p9999Ms, p100Ms] = ms;
      return makeTotals({ ...t, avgMs, minMs, maxMs, p50Ms, p66Ms, p75Ms, p80Ms, p90Ms, p95Ms, p98Ms, p99Ms, p999Ms, p9999Ms, p100Ms });
    });

const failure: fc.Arbitrary<FailureRow> = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', ''), text),
  name: text,
  error: text,
  occurrences: count,
});

const verdict = (num: fc.Arbitrary<number>): fc.Arbitrary<SloVerdict> =>
  fc.record({
    metric: fc.constantFrom('p50', 'p90', 'p95', 'p99', 'avg', 'max', 'failRatio', 'minRps'),
    threshold: num,
    observed: maybe(num),
    pass: fc.boolean(),
    reason: text,
  });

const sample = (num: fc.Arbitrary<number>, i: number): fc.Arbitrary<Sample> =>
  fc.record({
    at: fc.constant(new Date(RUN_START + i * 2_000).toISOString()),
    elapsedMs: fc.oneof(fc.constant(i * 2_000), fc.constantFrom(0, 1e12)),
    users: count,
    workers: count,
    requests: count,
    failures: count,
    rps: maybe(num),
    failPerSec: maybe(num),
    p50Ms: maybe(num),
    p95Ms: maybe(num),
    workerCpuMaxPercent: maybe(num),
    replicasReady: maybe(fc.nat()),
    replicasDesired: maybe(fc.nat()),
    hpaCurrent: maybe(fc.nat()),
    hpaDesired: maybe(fc.nat()),
    hpaCpuPercent: maybe(num),
    stale: fc.boolean(),
  });

interface StageGen {
  name: string;
  slug: string | null; // null: slugify(name), as the plan does
  users: number;
  status: StageResult['status'];
  reason: string | null;
  totals: Totals | null;
  failures: FailureRow[];
  slo: SloVerdict[];
  samples: Sample[];
  endpoints: 'default' | 'none' | 'hostile';
  endpointName: string;
  replicas: number | null;
  workers: number | null;
  windowMs: number;
  spawnRate: number;
}

const stageGen = (num: fc.Arbitrary<number>, ratio: fc.Arbitrary<number>, maxFailures: number): fc.Arbitrary<StageGen> =>
  fc.record({
    name,
    slug: fc.option(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 300 })), { nil: null, freq: 2 }),
    users: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constant(1)),
    status: fc.constantFrom('completed', 'completed', 'failed', 'aborted', 'skipped', 'invalid'),
    reason: maybe(text),
    totals: maybe(totals(num, ratio)),
    failures: fc.array(failure, { maxLength: maxFailures }),
    slo: fc.array(verdict(num), { maxLength: 4 }),
    samples: fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => sample(num, i + 1)))),
    endpoints: fc.constantFrom('default', 'none', 'hostile'),
    endpointName: text,
    replicas: maybe(fc.integer({ min: 0, max: 10_000 })),
    workers: maybe(fc.integer({ min: 1, max: 10_000 })),
    windowMs: fc.oneof(fc.constantFrom(0, 1, 117_000, 1e12), fc.integer({ min: 0, max: 1e9 })),
    spawnRate: fc.oneof(fc.constantFrom(0.001, 20, 100_000), fc.double({ min: 0.001, max: 100_000, noNaN: true })),
  });

function buildStage(g: StageGen, index: number): StageResult {
  const base = makeStage({
    index,
    users: g.users,
    totals: g.totals,
    status: g.status,
    reason: g.reason,
    failures: g.failures,
    replicas: g.replicas,
    workers: g.workers,
  });
  const endpoints =
    g.endpoints === 'none' || g.totals === null ? [] : g.endpoints === 'hostile' ? [{ ...g.totals, method: 'GET', name: g.endpointName }] : base.endpoints;
  return {
    ...base,
    name: g.name,
    slug: g.slug ?? (slugify(g.name) || 'stage'),
    spawnRate: g.spawnRate,
    slo: g.slo,
    samples: g.samples,
    endpoints,
    window: base.window === null ? null : { ...base.window, durationMs: g.windowMs },
  };
}

const runGen = (num: fc.Arbitrary<number>, ratio: fc.Arbitrary<number>, maxStages = 6, maxFailures = 12) =>
  fc.record({
    stages: fc.array(stageGen(num, ratio, maxFailures), { maxLength: maxStages }),
    firstIndex: fc.constantFrom(1, 1, 1, 99, 123_456),
    name: fc.oneof(fc.constantFrom('inference-capacity', 'a b.c_d-e'), name),
    runId: fc.oneof(fc.constant('20261128-100000-x'), text),
    status: fc.constantFrom('running', 'completed', 'aborted', 'failed'),
    verdict: fc.constantFrom('pass', 'fail', 'none'),
    error: maybe(text),
    url: fc.oneof(fc.constant('http://locust-master:8089/'), text),
    version: maybe(fc.oneof(fc.constantFrom('2.47.0', '2.12.1', '3.0', 'x'), text)),
    host: maybe(text),
    capacity: fc.option(
      fc.record({
        users: maybe(fc.nat()),
        breachedAt: maybe(fc.nat()),
        reason: text,
        probes: fc.array(fc.record({ users: fc.nat(), pass: fc.boolean() }), { maxLength: 4 }),
      }),
      { nil: null },
    ),
    compare: fc.option(fc.record({ baselineRunId: text, reason: text }), { nil: null }),
    slo: fc.boolean(),
  });

type ArbValue<A> = A extends fc.Arbitrary<infer T> ? T : never;

function buildRun(g: ArbValue<ReturnType<typeof runGen>>): RunRecord {
  const stages = g.stages.map((s, i) => buildStage(s, g.firstIndex + i));
  const base = makeRunRecord({ stages });
  const run: RunRecord = {
    ...base,
    runId: g.runId,
    name: g.name,
    status: g.status,
    verdict: g.verdict,
    error: g.error,
    finishedAt: g.status === 'running' ? null : (base.finishedAt ?? new Date(RUN_START).toISOString()),
    plan: {
      ...base.plan,
      name: g.name,
      target: { host: g.host, healthPath: null },
      stages: stages.map((s) => ({
        ...makePlanStage(s.index, s.users),
        name: s.name,
        slug: s.slug,
        slo: g.slo ? { p50Ms: 100, p90Ms: null, p95Ms: 500, p99Ms: null, avgMs: null, maxMs: null, failRatio: 0.01, minRps: 1 } : null,
      })),
    },
    environment: { ...base.environment, locust: { ...base.environment.locust, url: g.url, version: g.version } },
    summary: { best: findBest(stages), knee: findKnee(stages) },
    capacity: g.capacity === null ? null : { ...g.capacity, probes: g.capacity.probes.map((p, i) => ({ ...p, stageIndex: i + 1 })) },
  };
  if (g.compare !== null) {
    const cmp = compareRuns(makeRunRecord(), run, DEFAULT_TOLERANCES);
    run.comparison = { ...cmp, baselineRunId: g.compare.baselineRunId, reason: g.compare.reason };
  }
  return run;
}

const hostileRun = runGen(bigOrTiny, anyRatio).map(buildRun);
/** Smaller runs for the slow paths (report.html renders charts with Vega; the sink writes files). */
const htmlRun = runGen(bigOrTiny, anyRatio, 4, 4).map(buildRun);

// ---------------------------------------------------------------------------------------------

describe('summary.csv, samples.csv, replicas.csv: RFC 4180 that reads back', () => {
  it('one row per stage, every row as wide as the header, names and reasons exactly as given', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        const rows = parseCsvStrict(summaryCsv(run));
        expect(rows).toHaveLength(run.stages.length + 1);
        expect(rows[0]).toEqual(SUMMARY_COLUMNS);
        const col = (c: string) => SUMMARY_COLUMNS.indexOf(c);
        run.stages.forEach((s, i) => {
          const row = rows[i + 1]!;
          expect(row).toHaveLength(SUMMARY_COLUMNS.length);
          expect(row[col('Name')]).toBe(s.name);
          expect(row[col('Reason')]).toBe(s.reason ?? '');
          expect(row[col('Stage')]).toBe(String(s.index));
          // numbers are written out in full (never 1e+21 or 1e-7), or left empty
          for (const c of ['RPS', 'Median_ms', 'P95_ms', 'Requests', 'Max_ms', 'Duration_s', 'SpawnRate']) expect(row[col(c)]).toMatch(/^(-?\d+(\.\d+)?)?$/);
        });
        for (const s of run.stages) {
          const samples = parseCsvStrict(samplesCsv(s.samples));
          expect(samples).toHaveLength(s.samples.length + 1);
          for (const r of samples) expect(r).toHaveLength(SAMPLE_COLUMNS.length);
          const replicas = parseCsvStrict(replicasCsv(s.samples));
          for (const r of replicas) expect(r).toHaveLength(REPLICA_COLUMNS.length);
        }
      }),
      { numRuns: 400, seed: SEED },
    );
  });
});

describe('summary.md: tables keep their shape', () => {
  it('every table row has as many cells as its header; one stage row per stage; at most 10 failure rows', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        const md = summaryMarkdown(run);
        const tables = markdownTables(md);
        for (const t of tables) for (const r of t.rows) expect({ row: r.line, cells: r.cells }).toEqual({ row: r.line, cells: t.columns });
        const stageTable = tables.find((t) => t.header.startsWith('| Stage |') && t.header.includes('| Users |'));
        if (run.stages.length > 0) expect(stageTable?.rows).toHaveLength(run.stages.length);
        const failureTable = tables.find((t) => t.header === '| Stage | Request | Error | Occurrences |');
        const failures = run.stages.reduce((n, s) => n + s.failures.length, 0);
        expect(failureTable?.rows.length ?? 0).toBe(Math.min(10, failures));
        // the title stays one line whatever the run's name
        expect(md.split('\n')[0]).toMatch(/^# Load test: /);
        expect(md.split('\n')[1]).toBe('');
        if (run.comparison !== null) {
          const baseline = makeRunRecord();
          for (const t of markdownTables(comparisonMarkdown(run.comparison, run, baseline))) for (const r of t.rows) expect(r.cells).toBe(t.columns);
        }
      }),
      { numRuns: 400, seed: SEED },
    );
  });
});

describe('junit.xml: well-formed, with the test names of the stages', () => {
  it('parses as XML 1.0; testsuite counts match the test cases; names read back', () => {
    // the characters XML 1.0 forbids, which junit.xml drops
    const stripInvalid = (s: string) =>
      // eslint-disable-next-line no-control-regex
      s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
    fc.assert(
      fc.property(hostileRun, (run) => {
        const xml = junitXml(run);
        const els = parseXml(xml);
        expect(els[0]?.name).toBe('testsuites');
        const suite = els.find((e) => e.name === 'testsuite')!;
        const cases = els.filter((e) => e.name === 'testcase');
        expect(Number(suite.attrs['tests'])).toBe(cases.length);
        const failures = els.filter((e) => e.name === 'failure').length;
        const errors = els.filter((e) => e.name === 'error').length;
        const skipped = els.filter((e) => e.name === 'skipped').length;
        expect([Number(suite.attrs['failures']), Number(suite.attrs['errors']), Number(suite.attrs['skipped'])]).toEqual([failures, errors, skipped]);
        expect(suite.attrs['name']).toBe(stripInvalid(run.name));
        const names = new Set(cases.map((c) => c.attrs['name']));
        for (const s of run.stages) expect(names.has(`${String(s.index).padStart(2, '0')} ${stripInvalid(s.name)}`)).toBe(true);
        for (const c of cases) expect(Number.isFinite(Number(c.attrs['time']))).toBe(true);
      }),
      { numRuns: 400, seed: SEED },
    );
  });

  it('the checker itself rejects broken XML', () => {
    for (const broken of [
      '<a>',
      '<a></b>',
      '<a x="1" x="2"/>',
      '<a x="<"/>',
      '<a>&nope;</a>',
      '<a>\u0001</a>',
      '<a/><b/>',
      '<a>]]></a>',
      'text<a/>',
      '<a x=1/>',
      '<a>\uD800</a>',
    ]) {
      expect(() => parseXml(broken), broken).toThrow();
    }
    expect(parseXml('<?xml version="1.0"?>\n<a x="&quot;&#10;"><b>&amp;&#x1F680;</b><!-- c --></a>\n')[0]!.attrs['x']).toBe('"\n');
  });
});

describe('human reports never throw; FsReportSink stays inside the run folder', () => {
  async function files(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const out: string[] = [];
    for (const e of entries) {
      const p = join(e.parentPath, e.name);
      expect((await lstat(p)).isSymbolicLink()).toBe(false);
      if (e.isFile()) out.push(p);
    }
    return out;
  }

  it('summary.csv, summary.md, junit.xml for any hostile run', () => {
    fc.assert(
      fc.property(hostileRun, (run) => {
        for (const content of [summaryCsv(run), summaryMarkdown(run), junitXml(run)]) expect(typeof content).toBe('string');
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('report.html (with the others) for hostile runs, numbers from denormals to 1e308', async () => {
    await fc.assert(
      fc.asyncProperty(htmlRun, async (run) => {
        const reports = await humanReports(run);
        for (const [, content] of reports) expect(typeof content).toBe('string');
      }),
      { numRuns: 15, seed: SEED },
    );
  }, 60_000);

  // Found by fuzzing, fixed: axis ticks asked toFixed() for 323 decimals on a series of denormals.
  it('report.html renders a stage whose only sample has p95 = 4e-323 ms', async () => {
    const stage = makeStage({ index: 1, users: 1, totals: null });
    const s: Sample = {
      at: new Date(RUN_START + 2_000).toISOString(),
      elapsedMs: 2_000,
      users: 0,
      workers: 0,
      requests: 0,
      failures: 0,
      rps: null,
      failPerSec: null,
      p50Ms: null,
      p95Ms: 4e-323,
      workerCpuMaxPercent: null,
      replicasReady: null,
      replicasDesired: null,
      hpaCurrent: null,
      hpaDesired: null,
      hpaCpuPercent: null,
      stale: false,
    };
    await humanReports(makeRunRecord({ stages: [{ ...stage, samples: [s] }] }));
  });

  it('report.html renders a stage whose failRatio is 5e-324', async () => {
    const stage = makeStage({ index: 1, users: 1, totals: makeTotals({ requests: 0, failRatio: 5e-324 }) });
    await humanReports(makeRunRecord({ stages: [stage] }));
  });

  it('every file written is under <out>/<run-id>/, one stage folder per stage, no temp files left', async () => {
    await fc.assert(
      fc.asyncProperty(htmlRun, fc.boolean(), async (run0, withWindow) => {
        const out = await mkdtemp(join(tmpdir(), 'ld-fuzz-sink-'));
        try {
          const run = { ...run0, runId: 'fuzz-run' };
          const sink = await FsReportSink.create(out, run.runId);
          for (const stage of run.stages) await sink.stageFinished(run, stage, withWindow ? makeWindowStats(stage) : null);
          await sink.runUpdated(run);
          const root = (await realpath(sink.dir)) + sep;
          const written = await files(out);
          for (const f of written) expect((await realpath(f)).startsWith(root)).toBe(true);
          expect(await readdir(out)).toEqual(['fuzz-run']);
          expect(written.some((f) => f.endsWith('.tmp'))).toBe(false);
          const folders = run.stages.length === 0 ? [] : await readdir(join(sink.dir, 'stages'));
          expect(folders.sort()).toEqual(run.stages.map((s) => stageFolder(s)).sort());
          for (const f of folders) expect(f).toMatch(/^\d{2,}-[A-Za-z0-9_][A-Za-z0-9._-]*$/);
          // as UTF-8 holds it: a lone surrogate in a name is written as U+FFFD
          expect(await readFile(join(sink.dir, 'summary.csv'), 'utf8')).toBe(Buffer.from(summaryCsv(run), 'utf8').toString('utf8'));
        } finally {
          await rm(out, { recursive: true, force: true });
        }
      }),
      { numRuns: 12, seed: SEED },
    );
  }, 60_000);

  it('stage folders are safe names for any slug: no separators, no leading dot, not too long', () => {
    fc.assert(
      fc.property(fc.nat(), fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 400 })), (index, slug) => {
        const f = stageFolder({ index, slug });
        expect(f).not.toMatch(/[/\\\0]/);
        expect(f.startsWith('.')).toBe(false);
        expect(f).not.toMatch(/^\d+-\.\.?$/);
        expect(Buffer.byteLength(f)).toBeLessThanOrEqual(255);
      }),
      { numRuns: 2_000, seed: SEED },
    );
  });

  it('thousands of failures with commas, quotes and newlines in the error text', async () => {
    const errors = ['a,b', 'say "hi"', 'two\nlines', 'crlf\r\nend', '| pipe |', '<x>&</x>', '\u0001ctl', '🚀', 'x'.repeat(2_000)];
    const failures: FailureRow[] = Array.from({ length: 5_000 }, (_, i) => ({
      method: 'POST',
      name: `/p,${i}"`,
      error: `${errors[i % errors.length]} #${i}`,
      occurrences: i,
    }));
    const stage = makeStage({ index: 1, users: 10, totals: makeTotals({ failures: 5_000 }), failures });
    const run = makeRunRecord({ stages: [stage] });
    const started = performance.now();
    const md = summaryMarkdown(run);
    const failureTable = markdownTables(md).find((t) => t.header === '| Stage | Request | Error | Occurrences |')!;
    expect(failureTable.rows).toHaveLength(10);
    for (const r of failureTable.rows) expect(r.cells).toBe(4);
    expect(md).toContain("_4990 more in the stages' failures.csv._");
    parseXml(junitXml(run));
    expect(parseCsvStrict(summaryCsv(run))).toHaveLength(2);
    const html = (await humanReports(run)).find(([n]) => n === 'report.html')![1];
    expect(html.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
