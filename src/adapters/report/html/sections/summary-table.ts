// The table of stages: a row per stage with its setup, load, numbers and status.
import { fmtRps } from '../../../../core/summary.js';
import type { RunRecord, StageResult } from '../../../../core/model.js';
import { DASH, group, msCell, num } from '../../cells.js';
import { badge, section } from '../blocks.js';
import { esc } from '../escape.js';

export function summaryTable(run: RunRecord): string {
  if (run.stages.length === 0) return section('summary', 'Stages', '<p class="muted">No stage has finished yet.</p>');
  const showReplicas = run.stages.some((s) => s.replicas !== null);
  const showWorkers = run.stages.some((s) => s.workers !== null);
  type Col = [title: string, numeric: boolean, cell: (s: StageResult) => string];
  const cols: Col[] = [
    ['Stage', false, (s) => stageCell(s, run)],
    ...(showReplicas ? [['Replicas', true, (s: StageResult) => num(s.replicas)] as Col] : []),
    ...(showWorkers ? [['Workers', true, (s: StageResult) => num(s.workers)] as Col] : []),
    ['Users', true, (s) => String(s.users)],
    ['Spawn rate', true, (s) => `${Number(s.spawnRate.toFixed(2))}/s`],
    ['Requests', true, (s) => (s.totals === null ? DASH : group(s.totals.requests))],
    ['RPS', true, (s) => (s.totals === null ? DASH : fmtRps(s.totals.rps))],
    ['p50 (ms)', true, (s) => msCell(s.totals?.p50Ms)],
    ['p95 (ms)', true, (s) => msCell(s.totals?.p95Ms)],
    ['p99 (ms)', true, (s) => msCell(s.totals?.p99Ms)],
    ['Max (ms)', true, (s) => msCell(s.totals?.maxMs)],
    ['Fail %', true, (s) => (s.totals === null ? DASH : (s.totals.failRatio * 100).toFixed(2))],
    ['Status', false, statusCell],
  ];
  const head = `<tr>${cols.map(([t, n]) => `<th${n ? ' class="num"' : ''}>${t}</th>`).join('')}</tr>`;
  const rows = run.stages.map((s) => {
    const cls = s.status !== 'completed' || s.slo.some((v) => !v.pass) ? ' class="warn"' : '';
    return `<tr${cls}>${cols.map(([, n, cell]) => `<td${n ? ' class="num"' : ''}>${cell(s)}</td>`).join('')}</tr>`;
  });
  return section('summary', 'Stages', `<div class="scroll"><table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`);
}

function stageCell(s: StageResult, run: RunRecord): string {
  const tags: string[] = [];
  if (run.summary.best?.stageIndex === s.index) tags.push('<span class="tag good">best</span>');
  if (run.summary.knee?.stageIndex === s.index) tags.push('<span class="tag warnt">knee</span>');
  return `${s.index} · ${esc(s.name)}${tags.length > 0 ? ' ' + tags.join(' ') : ''}`;
}

function statusCell(s: StageResult): string {
  const parts = [badge(s.status, s.status === 'completed' ? 'good' : s.status === 'skipped' ? 'neutral' : 'bad')];
  if (s.slo.length > 0) parts.push(s.slo.every((v) => v.pass) ? badge('SLO met', 'good') : badge('SLO breach', 'bad'));
  return parts.join(' ');
}
