import { describe, expect, it } from 'vitest';
import { junitXml } from '../../../../src/adapters/report/junit.js';
import { compareRuns, DEFAULT_TOLERANCES } from '../../../../src/core/compare.js';
import type { RunRecord, SloSpec, SloVerdict, StageResult } from '../../../../src/core/model.js';
import { makeRunRecord, makeStage, makeTotals, STAGE_TOTALS } from '../../../fakes/run-record.js';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(s)) throw new Error(`bare & in ${JSON.stringify(s)}`);
  return s.replace(/&(amp|lt|gt|quot|apos|#(\d+));/g, (_m, name: string, num: string | undefined) =>
    num ? String.fromCodePoint(Number(num)) : (ENTITIES[name] ?? ''),
  );
}

/** A small strict XML reader: one root, balanced tags, quoted attributes, only the five entities, no forbidden characters. */
function parseXml(xml: string): El {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) throw new Error('control character in the document');
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')) throw new Error('no XML declaration');
  const body = xml.slice(xml.indexOf('?>') + 2);
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const re = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body)) !== null) {
    pos = re.lastIndex;
    const top = stack[stack.length - 1] as El;
    if (m[5] !== undefined) {
      if (m[5].includes('>') && m[5].includes(']]>')) throw new Error(']]> in text');
      top.text += decode(m[5]);
      continue;
    }
    const [, close, name = '', attrText = '', selfClose] = m;
    if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      if (a[1] === undefined || a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      attrs[a[1]] = decode(a[2] ?? '');
    }
    const el: El = { name, attrs, children: [], text: '' };
    top.children.push(el);
    if (!selfClose) stack.push(el);
  }
  if (pos !== body.length) throw new Error(`unparsable at ${pos}: ${JSON.stringify(body.slice(pos, pos + 40))}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  const elements = root.children;
  if (elements.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return elements[0] as El;
}

const all = (el: El, name: string): El[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
const child = (el: El, name: string): El | undefined => el.children.find((c) => c.name === name);

function suiteOf(run: RunRecord): { root: El; suite: El; cases: El[] } {
  const root = parseXml(junitXml(run));
  const suite = child(root, 'testsuite');
  if (!suite) throw new Error('no testsuite');
  return { root, suite, cases: all(suite, 'testcase') };
}

function expectCounts(root: El, suite: El, cases: El[]): void {
  const n = (kind: string) => cases.filter((c) => child(c, kind) !== undefined).length;
  for (const el of [root, suite]) {
    expect(el.attrs.tests).toBe(String(cases.length));
    expect(el.attrs.failures).toBe(String(n('failure')));
    expect(el.attrs.errors).toBe(String(n('error')));
    expect(el.attrs.skipped).toBe(String(n('skipped')));
  }
}

const SLO: SloSpec = { p50Ms: null, p90Ms: null, p95Ms: 500, p99Ms: null, avgMs: null, maxMs: null, failRatio: 0.01, minRps: null };

function verdicts(p95: number, failRatio: number): SloVerdict[] {
  return [
    { metric: 'p95', threshold: 500, observed: p95, pass: p95 <= 500, reason: `p95 ${p95} ms ${p95 <= 500 ? '≤' : '>'} 500 ms` },
    {
      metric: 'failRatio',
      threshold: 0.01,
      observed: failRatio,
      pass: failRatio <= 0.01,
      reason: `failures ${(failRatio * 100).toFixed(2)}% ${failRatio <= 0.01 ? '≤' : '>'} 1.00%`,
    },
  ];
}

/** The fake run with an SLO: p95 ≤ 500 ms, failures ≤ 1 %; stage 3 (p95 620 ms) breaches it. */
function sloRun(overrides: Partial<RunRecord> = {}): RunRecord {
  const base = makeRunRecord();
  const stages = base.stages.map((s) => ({ ...s, slo: verdicts(s.totals?.p95Ms ?? 0, s.totals?.failRatio ?? 0) }));
  return { ...base, verdict: 'fail', stages, plan: { ...base.plan, stages: base.plan.stages.map((p) => ({ ...p, slo: SLO })) }, ...overrides };
}

describe('junitXml', () => {
  it('writes one suite per run with one case per stage', () => {
    const { root, suite, cases } = suiteOf(makeRunRecord());
    expect(root.name).toBe('testsuites');
    expect(suite.attrs).toMatchObject({
      name: 'inference-capacity',
      timestamp: '2026-11-28T10:00:00.000Z',
      tests: '3',
      failures: '0',
      errors: '0',
      skipped: '0',
    });
    expect(Number(suite.attrs.time)).toBeGreaterThan(400);
    expect(cases.map((c) => c.attrs.name)).toEqual(['01 u100', '02 u200', '03 u400']);
    expect(cases.every((c) => c.attrs.classname === 'locust-driver.inference-capacity')).toBe(true);
    expect(cases[0]?.attrs.time).toBe('117.000'); // the measured window
    expect(child(cases[0] as El, 'system-out')?.text).toMatch(/^users 100, requests 23460, failures 0 \(0\.00%\), rps 195\.5, p50 38 ms, p95 95 ms/);
    const props = Object.fromEntries((child(suite, 'properties')?.children ?? []).map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toMatchObject({ runId: '20261128-100000-inference-capacity', status: 'completed', verdict: 'none', 'locust.version': '2.46.3' });
  });

  it('adds a case per stage and threshold, with a failure naming the breach', () => {
    const { root, suite, cases } = suiteOf(sloRun());
    expect(cases.map((c) => c.attrs.name)).toEqual([
      '01 u100',
      '01 u100 · p95 ≤ 500 ms',
      '01 u100 · failures ≤ 1.00%',
      '02 u200',
      '02 u200 · p95 ≤ 500 ms',
      '02 u200 · failures ≤ 1.00%',
      '03 u400',
      '03 u400 · p95 ≤ 500 ms',
      '03 u400 · failures ≤ 1.00%',
    ]);
    const breach = child(cases[7] as El, 'failure');
    expect(breach?.attrs).toEqual({ message: 'p95 620 ms > 500 ms', type: 'slo' });
    expect(breach?.text).toBe('p95 620 ms > 500 ms (threshold 500, observed 620)');
    expect(suite.attrs).toMatchObject({ tests: '9', failures: '1', errors: '0', skipped: '0' });
    expectCounts(root, suite, cases);
  });

  it('maps stage statuses: failed and invalid → failure, aborted → error, skipped → skipped; unjudged thresholds skipped', () => {
    const t = STAGE_TOTALS;
    const stages: StageResult[] = [
      makeStage({ index: 1, users: 100, totals: null, status: 'failed', reason: 'ramp timed out: 61 of 100 users after 5m' }),
      { ...makeStage({ index: 2, users: 200, totals: t[1] ?? null, status: 'invalid', reason: 'worker CPU 97 % ≥ 90 %' }), slo: verdicts(110, 0) },
      makeStage({ index: 3, users: 400, totals: null, status: 'aborted', reason: 'interrupted by SIGTERM' }),
      makeStage({ index: 4, users: 800, totals: null, status: 'skipped', reason: 'the run was interrupted' }),
    ];
    const run = sloRun({ stages, status: 'aborted', error: 'interrupted by SIGTERM' });
    run.plan.stages.push({ ...(run.plan.stages[0] as (typeof run.plan.stages)[number]), index: 4, users: 800 });
    const { root, suite, cases } = suiteOf(run);
    const byName = (n: string) => cases.find((c) => c.attrs.name === n) as El;
    expect(child(byName('00 run'), 'error')?.attrs).toEqual({ message: 'interrupted by SIGTERM', type: 'aborted' });
    expect(child(byName('01 u100'), 'failure')?.attrs).toEqual({ message: 'ramp timed out: 61 of 100 users after 5m', type: 'failed' });
    expect(child(byName('01 u100 · p95 ≤ 500 ms'), 'skipped')?.attrs.message).toBe(
      'not judged: the stage is failed (ramp timed out: 61 of 100 users after 5m)',
    );
    expect(child(byName('02 u200'), 'failure')?.attrs).toEqual({ message: 'worker CPU 97 % ≥ 90 %', type: 'invalid' });
    expect(child(byName('02 u200 · p95 ≤ 500 ms'), 'skipped')?.attrs.message).toMatch(
      /^not judged: the stage is invalid \(worker CPU 97 % ≥ 90 %\); observed p95 110 ms ≤ 500 ms$/,
    );
    expect(child(byName('03 u400'), 'error')?.attrs).toEqual({ message: 'interrupted by SIGTERM', type: 'aborted' });
    expect(child(byName('04 u800'), 'skipped')?.attrs.message).toBe('the run was interrupted');
    expect(suite.attrs).toMatchObject({ tests: '13', failures: '2', errors: '2', skipped: '9' });
    expectCounts(root, suite, cases);
  });

  it('adds a case per compared stage, failing with the regressions', () => {
    const baseline = makeRunRecord({ runId: 'nightly-1' });
    const current = makeRunRecord({ runId: 'nightly-2' });
    current.stages = current.stages.map((s) => (s.index === 3 ? { ...s, totals: makeTotals({ ...(s.totals ?? {}), p95Ms: 800, rps: 400 }) } : s));
    current.comparison = compareRuns(baseline, current, DEFAULT_TOLERANCES);
    const { root, suite, cases } = suiteOf(current);
    const cmp = cases.filter((c) => c.attrs.name?.endsWith('· compared with the baseline'));
    expect(cmp.map((c) => c.attrs.name)).toEqual([
      '01 u100 · compared with the baseline',
      '02 u200 · compared with the baseline',
      '03 u400 · compared with the baseline',
    ]);
    expect(child(cmp[0] as El, 'failure')).toBeUndefined();
    const f = child(cmp[2] as El, 'failure');
    expect(f?.attrs.type).toBe('regression');
    expect(f?.attrs.message).toBe('p95 +29.0 % (620 → 800 ms) > +10 %; rps -21.9 % (512.1 → 400.0 req/s) < -5 %');
    expect(f?.text).toMatch(/^baseline nightly-1 stage 3 \(users=400 spawnRate=20 duration=2m\)\n/);
    expectCounts(root, suite, cases);
    expect(suite.attrs.failures).toBe('1');
  });

  it('reports the capacity answer', () => {
    const run = sloRun({
      capacity: {
        users: 240,
        breachedAt: 260,
        probes: [
          { stageIndex: 1, users: 240, pass: true },
          { stageIndex: 2, users: 260, pass: false },
        ],
        reason: '240 users meet the SLO; 260 breach it (p95 612 ms > 500 ms); known within 20 users after 2 probes',
      },
    });
    const cap = suiteOf(run).cases.find((c) => c.attrs.name === 'capacity') as El;
    expect(child(cap, 'failure')).toBeUndefined();
    expect(child(cap, 'system-out')?.text).toBe(
      '240 users meet the SLO; 260 breach it (p95 612 ms > 500 ms); known within 20 users after 2 probes\nprobes: 240 pass, 260 fail',
    );
    const none = sloRun({
      capacity: {
        users: null,
        breachedAt: 8,
        probes: [{ stageIndex: 1, users: 8, pass: false }],
        reason: 'even 8 users (the first probe) breached the SLO: p95 900 ms > 500 ms',
      },
    });
    expect(child(suiteOf(none).cases.find((c) => c.attrs.name === 'capacity') as El, 'failure')?.attrs.message).toMatch(/^even 8 users/);
  });

  it('escapes markup and quotes, keeps unicode, and drops characters XML cannot hold', () => {
    const name = `a<b>&"c"'d' Übergröße → 日本語 🚀\u0001\u001b[31m\uFFFE`;
    const stage = makeStage(
      { index: 1, users: 100, totals: null, status: 'failed', reason: `line one\nline\ttwo <script>alert("x")</script> & \u0007bell` },
      { name },
    );
    const run = makeRunRecord({ name: 'nightly <prod> & "co"', stages: [stage], status: 'failed', error: 'it\'s "broken" ]]> here' });
    const xml = junitXml(run);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain(']]>');
    const { suite, cases } = suiteOf(run);
    expect(suite.attrs.name).toBe('nightly <prod> & "co"');
    expect(cases[0]?.attrs.classname).toBe('locust-driver.nightly <prod> & "co"');
    expect(child(cases[0] as El, 'error')?.attrs.message).toBe('it\'s "broken" ]]> here');
    expect(cases[1]?.attrs.name).toBe(`01 a<b>&"c"'d' Übergröße → 日本語 🚀[31m`);
    const failure = child(cases[1] as El, 'failure');
    expect(failure?.attrs.message).toBe('line one\nline\ttwo <script>alert("x")</script> & bell');
    expect(failure?.text).toBe('line one\nline\ttwo <script>alert("x")</script> & bell');
  });

  it('is well formed for an empty run', () => {
    const run = makeRunRecord({ stages: [], status: 'failed', error: 'master unreachable', finishedAt: null });
    const { root, suite, cases } = suiteOf(run);
    expect(cases).toHaveLength(1);
    expectCounts(root, suite, cases);
    expect(suite.attrs.time).toBe('0.000');
  });
});

it('the fake SLO run is judged as the real evaluator would', async () => {
  const { evaluateSlo } = await import('../../../../src/core/slo.js');
  expect(evaluateSlo(SLO, STAGE_TOTALS[2] ?? null).map((v) => v.pass)).toEqual([false, true]);
});
