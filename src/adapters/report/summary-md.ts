// summary.md: what a person reads first, in a terminal, a PR comment or a GitHub step summary.
// Highlights are recomputed from the stages, so a partial run's summary is as current as its table.
import { findBest, findKnee, fmtMs, fmtRps } from '../../core/summary.js';
import type { Highlight, RunRecord, StageResult } from '../../core/model.js';

const DASH = '–';
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
  out.push('');

  const incomplete = run.stages.filter((s) => s.status !== 'completed');
  if (incomplete.length > 0) {
    out.push('## Stages that did not complete', '');
    for (const s of incomplete) out.push(`- ${stageLabel(s)}: **${s.status}** ${DASH} ${inline(s.reason ?? 'no reason recorded')}`);
    out.push('');
  }

  out.push(...failures(run.stages));

  out.push('## How to read this', '');
  out.push(
    "- Each stage is measured over its **window**, after the ramp-up: it starts where the requests counted after the master's stats reset begin (Locust's workers report every 3 s, so their first report after the reset reaches back up to 3 s; the driver measures where) and ends when the users were stopped, once the workers' last reports are in.",
    '- **RPS** = requests in the window / window seconds. **p50/p95/p99/Max** are cumulative over the whole window, as in Locust\'s CSV, not its rolling "current" values.',
    '- **Fail %** = failed requests / requests. The **knee** is the first stage (by users) where p95 climbs more than 1.5× above the lower-load level, or throughput grows less than half as fast as the users.',
    '- Every number is in `summary.csv` and `run.json`; Locust\'s own CSVs and the time series are in `stages/`.',
    '',
  );
  return out.join('\n');
}

function header(run: RunRecord): string[] {
  const status =
    run.status === 'running' ? `running (${run.stages.length} of ${run.plan.stages.length} stages finished)` : run.status;
  const lines = [`- **Run:** ${code(run.runId)} · **status:** ${status} · **verdict:** ${run.verdict}`];
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
  if (run.error !== null) lines.push(`- **Error:** ${inline(run.error)}`);
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
    ['Status', 'l', (s) => (s.status === 'completed' ? s.status : `**${s.status}**`)],
  ];
  const lines = [
    `| ${cols.map((c) => c[0]).join(' | ')} |`,
    `|${cols.map((c) => (c[1] === 'r' ? '---:' : ':---')).join('|')}|`,
  ];
  for (const s of run.stages) lines.push(`| ${cols.map((c) => cellText(c[2](s))).join(' | ')} |`);
  return lines;
}

function failures(stages: readonly StageResult[]): string[] {
  const rows = stages
    .flatMap((s) => s.failures.map((f) => ({ stage: s, f })))
    .sort((a, b) => b.f.occurrences - a.f.occurrences);
  if (rows.length === 0) return [];
  const out = ['## Failures', '', '| Stage | Request | Error | Occurrences |', '|:---|:---|:---|---:|'];
  for (const { stage, f } of rows.slice(0, MAX_FAILURE_ROWS)) {
    const request = `${f.method} ${f.name}`.trim();
    out.push(`| ${cellText(stageLabel(stage))} | ${cellText(request)} | ${cellText(truncate(f.error))} | ${group(f.occurrences)} |`);
  }
  if (rows.length > MAX_FAILURE_ROWS) out.push('', `_${rows.length - MAX_FAILURE_ROWS} more in the stages' failures.csv._`);
  out.push('');
  return out;
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

function noKnee(stages: readonly StageResult[]): string {
  const users = stages.filter((s) => s.status === 'completed' && s.totals !== null && s.totals.requests > 0).map((s) => s.users);
  if (new Set(users).size < 2) return 'none: needs at least two completed stages with different user counts';
  return `no knee: latency stayed flat up to ${Math.max(...users)} users`;
}

function stageLabel(s: StageResult): string {
  return `${s.index} · ${inline(s.name)}`;
}

function msCell(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(1)));
}

function num(value: number | null): string {
  return value === null ? DASH : String(value);
}

/** 1234567 → 1,234,567 (fixed, not locale-dependent). */
function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** One line, with the characters that would break a table row or a paragraph made harmless. */
function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/([\\`*_<>[\]|])/g, '\\$1');
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

/** 2026-11-28T10:55:19.123Z → 2026-11-28 10:55:19 UTC */
function utc(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m === null ? iso : `${m[1]} ${m[2]} UTC`;
}

function duration(totalMs: number): string {
  if (!Number.isFinite(totalMs) || totalMs < 0) return 'unknown duration';
  const s = Math.round(totalMs / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}
