// summary.md: what a person reads first, in a terminal, a PR comment or a GitHub step summary.
// Highlights are recomputed from the stages, so a partial run's summary is as current as its table.
import { findBest, findKnee, fmtMs, fmtRps } from '../../core/summary.js';
import { breachText } from '../../core/slo.js';
import { stageNote, toleranceText } from '../../core/compare.js';
import type { CompareMetric, Comparison, Highlight, RunRecord, SloSpec, StageComparison, StageResult } from '../../core/model.js';
import { DASH, duration, group, msCell, noKnee, num, utc } from './cells.js';
import { repeatsSection, scalabilityLines, STATS_HOW_TO_READ, statsSection } from './stats-md.js';

const MAX_FAILURE_ROWS = 10;
const MAX_ERROR_CHARS = 160;

export function summaryMarkdown(run: RunRecord): string {
  const out: string[] = [];
  out.push(`# Load test: ${inline(run.name)}`, '');
  out.push(...header(run), '');
  out.push(...table(run), '');

  const best = findBest(run.stages);
  const knee = findKnee(run.stages);
  out.push(`- **Best throughput:** ${best === null ? 'none: no stage completed with requests' : bestText(best, run.stages)}`);
  out.push(`- **Knee:** ${knee === null ? noKnee(run.stages) : `stage ${knee.stageIndex} · ${inline(knee.stageName)}: ${inline(knee.reason)}`}`);
  out.push(...scalabilityLines(run, prose));
  out.push('');
  const stats = statsSection(
    run.stages,
    (s) => cellText(stageLabel(s)),
    (t) => cellText(prose(t)),
  );
  if (stats.length > 0) out.push(...stats, '');
  const repeats = repeatsSection(run, (t) => cellText(inline(t)));
  if (repeats.length > 0) out.push(...repeats, '');

  const incomplete = run.stages.filter((s) => s.status !== 'completed');
  if (incomplete.length > 0) {
    out.push('## Stages that did not complete', '');
    for (const s of incomplete) out.push(`- ${stageLabel(s)}: **${s.status}** ${DASH} ${prose(s.reason ?? 'no reason recorded')}`);
    out.push('');
  }

  const retried = run.stages.filter((s) => s.retries.length > 0);
  if (retried.length > 0 || run.resumes.length > 0) {
    out.push('## Faults the run survived', '');
    for (const r of run.resumes) out.push(`- resumed at ${utc(r.at)} from stage ${r.fromStage} (the stages before it were kept, not run again)`);
    for (const s of retried) {
      for (const r of s.retries)
        out.push(`- ${stageLabel(s)}: an attempt was interrupted at ${utc(r.at)} ${DASH} ${prose(r.reason)}; the numbers are from attempt ${s.attempt}`);
    }
    out.push('');
  }

  if (run.comparison !== null) out.push(...comparisonSection(run.comparison, run, null), '');

  out.push(...failures(run.stages));

  out.push('## How to read this', '');
  out.push(
    `- Each stage is measured over its **window**, after the ramp-up: it starts where the requests counted after the master's stats reset begin (Locust's workers report every 3 s, so their first report after the reset reaches back up to 3 s; the driver measures where) and ends ${
      run.plan.transition === 'continue'
        ? "where the workers' last reports before the read reach (transition: continue: the users keep running into the next stage, so a window can reach back up to 3 s into the previous stage's load)"
        : "when the users were stopped, once the workers' last reports are in"
    }.`,
    '- **RPS** = requests in the window / window seconds. **p50/p95/p99/Max** are cumulative over the whole window, as in Locust\'s CSV, not its rolling "current" values.',
    '- **Fail %** = failed requests / requests. The **knee** is the first stage (by users) where p95 climbs more than 1.5× above the lower-load level, or throughput grows less than half as fast as the users.',
    "- Every number is in `summary.csv` and `run.json`; Locust's own CSVs and the time series are in `stages/`.",
    ...(run.stages.some((s) => s.stats) || run.scalability || (run.repeats ?? []).length > 0 ? STATS_HOW_TO_READ : []),
    '',
  );
  return out.join('\n');
}

function header(run: RunRecord): string[] {
  const status = run.status === 'running' ? `running (${run.stages.length} of ${run.plan.stages.length} stages finished)` : run.status;
  const lines = [`- **Run:** ${code(run.runId)} · **status:** ${status}`, `- **Verdict:** ${verdictText(run)}`];
  const slo = sloText(run);
  if (slo !== null) lines.push(`- **SLO:** ${slo}`);
  if (run.capacity !== null) {
    const c = run.capacity;
    lines.push(`- **Capacity:** ${prose(c.reason)}`);
    if (c.probes.length > 0) lines.push(`- **Probes:** ${c.probes.map((p) => `${p.users} users ${p.pass ? 'pass' : '**fail**'}`).join(' · ')}`);
  }
  const when = `- **When:** ${utc(run.startedAt)}`;
  lines.push(
    run.finishedAt === null
      ? `${when}, still running`
      : `${when} → ${utc(run.finishedAt)} (${duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))})`,
  );
  const loc = run.environment.locust;
  const workers = run.environment.workers;
  lines.push(
    `- **Locust:** ${loc.version ?? 'version unknown'} at ${code(loc.url)}` +
      (loc.embedded ? ' (embedded local stack)' : '') +
      (workers === null ? '' : ` · ${workers} ${workers === 1 ? 'worker' : 'workers'}`),
  );
  if (run.plan.target.host !== null) lines.push(`- **Target:** ${code(run.plan.target.host)}`);
  if (run.error !== null) lines.push(`- **Error:** ${prose(run.error)}`);
  return lines;
}

type Column = readonly [title: string, align: 'l' | 'r', text: (s: StageResult) => string];

function table(run: RunRecord): string[] {
  if (run.stages.length === 0) return ['_No stage has finished yet._'];
  const showReplicas = run.stages.some((s) => s.replicas !== null);
  const showWorkers = run.stages.some((s) => s.workers !== null);
  const cols: Column[] = [
    ['Stage', 'l', stageLabel],
    ...(showReplicas ? [['Replicas', 'r', (s) => num(s.replicas)] satisfies Column] : []),
    ...(showWorkers ? [['Workers', 'r', (s) => num(s.workers)] satisfies Column] : []),
    ['Users', 'r', (s) => String(s.users)],
    ['Spawn rate', 'r', (s) => `${Number(s.spawnRate.toFixed(2))}/s`],
    ['Requests', 'r', (s) => (s.totals === null ? DASH : group(s.totals.requests))],
    ['RPS', 'r', (s) => (s.totals === null ? DASH : fmtRps(s.totals.rps))],
    ['p50 (ms)', 'r', (s) => msCell(s.totals?.p50Ms)],
    ['p95 (ms)', 'r', (s) => msCell(s.totals?.p95Ms)],
    ['p99 (ms)', 'r', (s) => msCell(s.totals?.p99Ms)],
    ['Max (ms)', 'r', (s) => msCell(s.totals?.maxMs)],
    ['Fail %', 'r', (s) => (s.totals === null ? DASH : (s.totals.failRatio * 100).toFixed(2))],
    ['Status', 'l', (s) => `${s.status === 'completed' ? s.status : `**${s.status}**`}${s.retries.length > 0 ? ` (attempt ${s.attempt})` : ''}`],
    ...(hasSlo(run) ? [['SLO', 'l', sloCell] satisfies Column] : []),
  ];
  const lines = [`| ${cols.map((c) => c[0]).join(' | ')} |`, `|${cols.map((c) => (c[1] === 'r' ? '---:' : ':---')).join('|')}|`];
  for (const s of run.stages) lines.push(`| ${cols.map((c) => cellText(c[2](s))).join(' | ')} |`);
  return lines;
}

function failures(stages: readonly StageResult[]): string[] {
  const rows = stages.flatMap((s) => s.failures.map((f) => ({ stage: s, f }))).sort((a, b) => b.f.occurrences - a.f.occurrences);
  if (rows.length === 0) return [];
  const out = ['## Failures', '', '| Stage | Request | Error | Occurrences |', '|:---|:---|:---|---:|'];
  for (const { stage, f } of rows.slice(0, MAX_FAILURE_ROWS)) {
    const request = `${f.method} ${f.name}`.trim();
    // The request name is the locustfile's (a URL, any text): one line, markdown made harmless, like the error.
    out.push(`| ${cellText(stageLabel(stage))} | ${cellText(inline(request))} | ${cellText(truncate(f.error))} | ${group(f.occurrences)} |`);
  }
  if (rows.length > MAX_FAILURE_ROWS) out.push('', `_${rows.length - MAX_FAILURE_ROWS} more in the stages' failures.csv._`);
  out.push('');
  return out;
}

/** pass / fail / none, and why. */
function verdictText(run: RunRecord): string {
  if (run.verdict === 'none') {
    // No SLO: a comparison that found no regression judges nothing, but it did happen.
    return run.comparison ? `none (no SLO; no regression against ${code(run.comparison.baselineRunId)})` : 'none (no SLO, no baseline)';
  }
  const why: string[] = [];
  const breached = run.stages.filter((s) => s.status === 'completed' && s.slo.some((v) => !v.pass));
  if (breached.length > 0) {
    why.push(`SLO breached in ${plural(breached.length, 'stage')}: ${breached.map((s) => `${stageLabel(s)} (${prose(breachText(s.slo))})`).join('; ')}`);
  }
  const judged = run.stages.filter((s) => s.status === 'completed' && s.slo.length > 0 && s.slo.every((v) => v.pass)).length;
  const bad = run.stages.filter((s) => s.status === 'failed' || s.status === 'invalid' || s.status === 'aborted');
  if (bad.length > 0) why.push(`${bad.map((s) => `${stageLabel(s)} ${s.status}`).join(', ')}`);
  if (run.capacity !== null && run.capacity.users === null) why.push('no user count met the SLO');
  if (run.comparison !== null) {
    why.push(
      run.comparison.regression
        ? `**regression** against ${code(run.comparison.baselineRunId)}`
        : `no regression against ${code(run.comparison.baselineRunId)}`,
    );
  }
  if (run.verdict === 'pass') {
    const held = judged > 0 ? [`every SLO held in ${plural(judged, 'stage')}`] : [];
    return `**pass** ${DASH} ${[...held, ...why].join('; ') || 'every check held'}`;
  }
  return `**fail** ${DASH} ${why.join('; ') || 'see the stages below'}`;
}

/** The thresholds, when every stage has the same ones ("p95 ≤ 500 ms, failures ≤ 1.00%"). */
function sloText(run: RunRecord): string | null {
  const specs = run.plan.stages.map((p) => p.slo).filter((x): x is SloSpec => x !== null);
  if (specs.length === 0) return null;
  const texts = new Set(specs.map(sloSpecText));
  const first = sloSpecText(specs[0] as SloSpec);
  if (texts.size > 1 || specs.length < run.plan.stages.length) return `per stage (from ${first} in stage 1; see run.json)`;
  return first + (run.plan.onBreach === 'stop' ? ' · on breach: stop' : '');
}

function sloSpecText(s: SloSpec): string {
  const ms = (label: string, v: number | null) => (v === null ? [] : [`${label} ≤ ${Number(v.toFixed(1))} ms`]);
  return [
    ...ms('p50', s.p50Ms),
    ...ms('p90', s.p90Ms),
    ...ms('p95', s.p95Ms),
    ...ms('p99', s.p99Ms),
    ...ms('avg', s.avgMs),
    ...ms('max', s.maxMs),
    ...(s.failRatio === null ? [] : [`failures ≤ ${(s.failRatio * 100).toFixed(2)}%`]),
    ...(s.minRps === null ? [] : [`throughput ≥ ${Number(s.minRps.toFixed(1))} req/s`]),
  ].join(', ');
}

function hasSlo(run: RunRecord): boolean {
  return run.stages.some((s) => s.slo.length > 0) || run.plan.stages.some((p) => p.slo !== null);
}

function sloCell(s: StageResult): string {
  if (s.slo.length === 0) return DASH;
  const breach = breachText(s.slo);
  if (s.status === 'invalid') return `not judged (invalid)${breach ? `: ${prose(breach)}` : ''}`;
  return breach === '' ? 'pass' : `**fail**: ${prose(breach)}`;
}

const COMPARE_HEADINGS: Record<CompareMetric, string> = {
  p50: 'p50 (ms)',
  p90: 'p90 (ms)',
  p95: 'p95 (ms)',
  p99: 'p99 (ms)',
  avg: 'Avg (ms)',
  max: 'Max (ms)',
  rps: 'RPS',
  failRatio: 'Fail %',
};

/**
 * The comparison with a baseline: its verdict and a table of per-stage changes, regressions in bold.
 * `baseline` (when at hand) names the stages that only the baseline had.
 */
export function comparisonSection(cmp: Comparison, current: RunRecord, baseline: RunRecord | null): string[] {
  return [
    `## Comparison with ${code(cmp.baselineRunId)}`,
    '',
    `- **Baseline:** ${code(cmp.baselineRunId)}, started ${utc(cmp.baselineStartedAt)} · ${toleranceText(cmp.tolerances)}`,
    resultLine(cmp),
    '',
    ...comparisonTable(cmp, current, baseline),
  ];
}

/** The whole `compare` output: a title, the two runs, the verdict and the table. */
export function comparisonMarkdown(cmp: Comparison, current: RunRecord, baseline: RunRecord): string {
  return [
    `# Comparison: ${inline(current.name)}`,
    '',
    `- **Baseline:** ${code(baseline.runId)} (${utc(baseline.startedAt)}, ${baseline.status})`,
    `- **Current:** ${code(current.runId)} (${utc(current.startedAt)}, ${current.status})`,
    `- **Tolerances:** ${toleranceText(cmp.tolerances).replace(/^tolerances /, '')}`,
    resultLine(cmp),
    '',
    ...comparisonTable(cmp, current, baseline),
    '',
  ].join('\n');
}

function resultLine(cmp: Comparison): string {
  return `- **Result:** ${cmp.regression ? '**regression**' : 'no regression'} ${DASH} ${prose(cmp.reason)}`;
}

function comparisonTable(cmp: Comparison, current: RunRecord, baseline: RunRecord | null): string[] {
  if (cmp.stages.length === 0) return ['_No stages to compare._'];
  const metrics = Array.from(new Set(cmp.stages.flatMap((s) => s.deltas.map((d) => d.metric))));
  // Built from a list, so no metric at all (nothing matched) gives no empty column: GFM only reads a
  // table whose header and delimiter rows have the same number of cells.
  const out = [
    `| ${['Stage', 'Parameters', ...metrics.map((m) => COMPARE_HEADINGS[m]), 'Result'].join(' | ')} |`,
    `|:---|:---|${metrics.map(() => '---:|').join('')}:---|`,
  ];
  for (const sc of cmp.stages) {
    const stage = current.stages.find((s) => s.index === sc.currentIndex);
    const base = baseline?.stages.find((s) => s.index === sc.baselineIndex);
    const label = stage !== undefined ? stageLabel(stage) : base !== undefined ? `baseline ${stageLabel(base)}` : `baseline stage ${sc.baselineIndex ?? '?'}`;
    const note = stageNote(sc);
    const cells = metrics.map((m) => deltaCell(sc, m));
    const result = note !== null ? prose(note) : sc.regression ? '**regression**' : 'ok';
    out.push(`| ${[label, code(sc.key), ...cells, result].map(cellText).join(' | ')} |`);
  }
  return out;
}

function deltaCell(sc: StageComparison, metric: CompareMetric): string {
  const d = sc.deltas.find((x) => x.metric === metric);
  if (d === undefined || d.baseline === null || d.current === null) return DASH;
  const fmt = (v: number) => (metric === 'failRatio' ? (v * 100).toFixed(2) : metric === 'rps' ? fmtRps(v) : msCell(v));
  const values = `${fmt(d.baseline)} → ${fmt(d.current)}`;
  if (d.change === null) return values;
  const sign = d.change < 0 ? '-' : '+';
  const change = metric === 'failRatio' ? `${sign}${Math.abs(d.change * 100).toFixed(2)} pp` : `${sign}${Math.abs(d.change * 100).toFixed(1)} %`;
  return d.regression ? `${values} (**${change}**)` : `${values} (${change})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function bestText(h: Highlight, stages: readonly StageResult[]): string {
  const stage = stages.find((s) => s.index === h.stageIndex);
  const setup: string[] = [];
  const replicas = stage?.replicas ?? null;
  const workers = stage?.workers ?? null;
  if (replicas !== null) setup.push(`${replicas} ${replicas === 1 ? 'replica' : 'replicas'}`);
  if (workers !== null) setup.push(`${workers} ${workers === 1 ? 'worker' : 'workers'}`);
  const p95 = h.p95Ms === null ? '' : `, p95 ${fmtMs(h.p95Ms)}`;
  return (
    `${fmtRps(h.rps)} req/s at ${h.users} users` +
    (setup.length > 0 ? ` with ${setup.join(', ')}` : '') +
    ` (stage ${h.stageIndex} · ${inline(h.stageName)}${p95})`
  );
}

function stageLabel(s: StageResult): string {
  return `${s.index} · ${inline(s.name)}`;
}

/** One line, with the characters that would break a table row or a paragraph made harmless. */
function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/([\\`*_<>[\]|])/g, '\\$1');
}

/**
 * Text the driver wrote itself (reasons, errors): one line, markdown and HTML made harmless, but the
 * comparison signs of "p95 612 ms > 500 ms" kept as they are, so the line also reads well on a terminal.
 */
function prose(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/([\\`*_[\]|])/g, '\\$1')
    .replace(/<(?=[A-Za-z/!?])/g, '\\<');
}

function cellText(text: string): string {
  // Table cells are built from inline() text or plain numbers; only a raw '|' would split the row.
  return text.replace(/(?<!\\)\|/g, '\\|');
}

function code(text: string): string {
  return text.includes('`') ? inline(text) : `\`${text}\``;
}

function truncate(text: string): string {
  const one = inline(text);
  return one.length > MAX_ERROR_CHARS ? `${one.slice(0, MAX_ERROR_CHARS - 1)}…` : one;
}
