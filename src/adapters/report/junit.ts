// junit.xml: the run as test results for CI systems (Jenkins, GitLab, GitHub test reporters).
// One <testsuite> per run; one <testcase> per stage (did it run and produce valid numbers?), one per
// stage × SLO threshold, one per stage compared with a baseline, plus one for the capacity answer and
// one for a run that failed or was interrupted as a whole. Test names are stable from run to run
// (`03 u400 · p95 ≤ 500 ms`), so CI history lines them up.
import { stageNote } from '../../core/compare.js';
import type { RunRecord, SloMetric, SloSpec, StageResult } from '../../core/model.js';

type Outcome = { kind: 'pass' } | { kind: 'failure' | 'error'; type: string; message: string; details?: string } | { kind: 'skipped'; message: string };

interface Case {
  name: string;
  timeS: number;
  outcome: Outcome;
  out?: string;
}

export function junitXml(run: RunRecord): string {
  const classname = `locust-driver.${run.name}`;
  const cases: Case[] = [];
  if (run.status === 'failed' || run.status === 'aborted') {
    const message = run.error ?? `the run ${run.status}`;
    cases.push({ name: '00 run', timeS: 0, outcome: { kind: 'error', type: run.status, message } });
  }
  for (const stage of run.stages) {
    cases.push(stageCase(stage));
    cases.push(...sloCases(run, stage));
  }
  if (run.capacity !== null) {
    const c = run.capacity;
    cases.push({
      name: 'capacity',
      timeS: 0,
      outcome: c.users === null ? { kind: 'failure', type: 'capacity', message: c.reason } : { kind: 'pass' },
      out: `${c.reason}\nprobes: ${c.probes.map((p) => `${p.users} ${p.pass ? 'pass' : 'fail'}`).join(', ')}`,
    });
  }
  cases.push(...comparisonCases(run));

  const count = (k: Outcome['kind']) => cases.filter((c) => c.outcome.kind === k).length;
  const totals = `tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}"`;
  const time = seconds(runSeconds(run));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="locust-driver" ${totals} time="${time}">`,
    `  <testsuite name="${attr(run.name)}" ${totals} time="${time}" timestamp="${attr(run.startedAt)}">`,
    '    <properties>',
    ...properties(run).map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`),
    '    </properties>',
  ];
  for (const c of cases) lines.push(...caseXml(classname, c));
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function stageCase(s: StageResult): Case {
  const name = stageName(s);
  const timeS = (s.window?.durationMs ?? 0) / 1000;
  const reason = s.reason ?? `stage ${s.status}`;
  const out = s.totals === null ? undefined : totalsLine(s);
  switch (s.status) {
    case 'completed':
      return { name, timeS, outcome: { kind: 'pass' }, out };
    case 'failed':
    case 'invalid':
      return { name, timeS, outcome: { kind: 'failure', type: s.status, message: reason }, out };
    case 'aborted':
      return { name, timeS, outcome: { kind: 'error', type: s.status, message: reason }, out };
    case 'skipped':
      return { name, timeS, outcome: { kind: 'skipped', message: reason } };
  }
}

function sloCases(run: RunRecord, s: StageResult): Case[] {
  if (s.slo.length > 0) {
    return s.slo.map((v) => {
      const name = `${stageName(s)} · ${thresholdText(v.metric, v.threshold)}`;
      // An invalid stage's numbers describe the load generators, not the service: not judged.
      if (s.status === 'invalid')
        return { name, timeS: 0, outcome: { kind: 'skipped', message: `not judged: the stage is invalid (${s.reason ?? 'no reason'}); observed ${v.reason}` } };
      if (v.pass) return { name, timeS: 0, outcome: { kind: 'pass' }, out: v.reason };
      return {
        name,
        timeS: 0,
        outcome: { kind: 'failure', type: 'slo', message: v.reason, details: `${v.reason} (threshold ${v.threshold}, observed ${v.observed ?? 'none'})` },
      };
    });
  }
  // A stage that did not complete has no verdicts; list its thresholds as skipped, so the test count
  // of a matrix stays the same from run to run.
  const spec = s.status === 'completed' ? null : planSlo(run, s);
  if (spec === null) return [];
  return thresholds(spec).map(([metric, threshold]) => ({
    name: `${stageName(s)} · ${thresholdText(metric, threshold)}`,
    timeS: 0,
    outcome: { kind: 'skipped', message: `not judged: the stage is ${s.status}${s.reason ? ` (${s.reason})` : ''}` },
  }));
}

function comparisonCases(run: RunRecord): Case[] {
  const cmp = run.comparison;
  if (cmp === null) return [];
  const out: Case[] = [];
  for (const sc of cmp.stages) {
    if (sc.currentIndex === null || sc.baselineIndex === null) continue;
    const stage = run.stages.find((s) => s.index === sc.currentIndex);
    const name = `${stage ? stageName(stage) : pad(sc.currentIndex)} · compared with the baseline`;
    const note = stageNote(sc);
    const summary = `baseline ${cmp.baselineRunId} stage ${sc.baselineIndex} (${sc.key})`;
    if (note !== null) {
      out.push({ name, timeS: 0, outcome: { kind: 'skipped', message: note }, out: summary });
      continue;
    }
    const all = sc.deltas.map((d) => d.reason).join('\n');
    const bad = sc.deltas.filter((d) => d.regression).map((d) => d.reason);
    out.push({
      name,
      timeS: 0,
      ...(sc.regression
        ? { outcome: { kind: 'failure', type: 'regression', message: bad.join('; '), details: `${summary}\n${all}` } }
        : { outcome: { kind: 'pass' }, out: `${summary}\n${all}` }),
    });
  }
  return out;
}

function caseXml(classname: string, c: Case): string[] {
  const open = `    <testcase classname="${attr(classname)}" name="${attr(c.name)}" time="${seconds(c.timeS)}"`;
  const body: string[] = [];
  const o = c.outcome;
  if (o.kind === 'failure' || o.kind === 'error') {
    body.push(`      <${o.kind} message="${attr(o.message)}" type="${attr(o.type)}">${text(o.details ?? o.message)}</${o.kind}>`);
  } else if (o.kind === 'skipped') {
    body.push(`      <skipped message="${attr(o.message)}"/>`);
  }
  if (c.out !== undefined) body.push(`      <system-out>${text(c.out)}</system-out>`);
  if (body.length === 0) return [`${open}/>`];
  return [`${open}>`, ...body, '    </testcase>'];
}

function properties(run: RunRecord): [string, string][] {
  const p: [string, string][] = [
    ['runId', run.runId],
    ['status', run.status],
    ['verdict', run.verdict],
    ['locust.version', run.environment.locust.version ?? 'unknown'],
    ['locust.url', run.environment.locust.url],
  ];
  if (run.plan.target.host !== null) p.push(['target', run.plan.target.host]);
  if (run.comparison !== null) p.push(['baseline', run.comparison.baselineRunId]);
  return p;
}

/** `03 u400`: the 2-digit index of the stage folders, and the stage's name. */
function stageName(s: StageResult): string {
  return `${pad(s.index)} ${s.name}`;
}

function pad(index: number): string {
  return String(index).padStart(2, '0');
}

function totalsLine(s: StageResult): string {
  const t = s.totals;
  if (t === null) return '';
  const ms = (v: number | null) => (v === null ? 'n/a' : `${Number(v.toFixed(1))} ms`);
  return `users ${s.users}, requests ${t.requests}, failures ${t.failures} (${(t.failRatio * 100).toFixed(2)}%), rps ${t.rps.toFixed(1)}, p50 ${ms(t.p50Ms)}, p95 ${ms(t.p95Ms)}, p99 ${ms(t.p99Ms)}, max ${ms(t.maxMs)}`;
}

const LABELS: Record<SloMetric, string> = {
  p50: 'p50',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
  avg: 'avg',
  max: 'max',
  failRatio: 'failures',
  minRps: 'throughput',
};

/** "p95 ≤ 500 ms", "failures ≤ 1.00%", "throughput ≥ 50 req/s" (the wording of the SLO reasons). */
function thresholdText(metric: SloMetric, threshold: number): string {
  if (metric === 'failRatio') return `${LABELS[metric]} ≤ ${(threshold * 100).toFixed(2)}%`;
  if (metric === 'minRps') return `${LABELS[metric]} ≥ ${Number(threshold.toFixed(1))} req/s`;
  return `${LABELS[metric]} ≤ ${Number(threshold.toFixed(1))} ms`;
}

/** The thresholds a stage was planned with (capacity probes share the template, the plan's first stage). */
function planSlo(run: RunRecord, s: StageResult): SloSpec | null {
  const planned = run.plan.capacity !== null ? run.plan.stages[0] : run.plan.stages.find((p) => p.index === s.index);
  return planned?.slo ?? null;
}

function thresholds(spec: SloSpec): [SloMetric, number][] {
  const all: [SloMetric, number | null][] = [
    ['p50', spec.p50Ms],
    ['p90', spec.p90Ms],
    ['p95', spec.p95Ms],
    ['p99', spec.p99Ms],
    ['avg', spec.avgMs],
    ['max', spec.maxMs],
    ['failRatio', spec.failRatio],
    ['minRps', spec.minRps],
  ];
  return all.filter((e): e is [SloMetric, number] => e[1] !== null);
}

function runSeconds(run: RunRecord): number {
  const end = run.finishedAt ?? run.stages.at(-1)?.finishedAt ?? run.startedAt;
  const s = (Date.parse(end) - Date.parse(run.startedAt)) / 1000;
  return Number.isFinite(s) && s > 0 ? s : 0;
}

function seconds(s: number): string {
  return s.toFixed(3);
}

/** Characters XML 1.0 does not allow at all (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Element text: markup escaped, forbidden characters removed. */
export function text(s: string): string {
  return s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value: also quotes, and tab/LF/CR as references (a parser would turn them into spaces). */
export function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
