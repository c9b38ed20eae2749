// The comparison with a baseline run: each matched stage's changes, regressions flagged.
import { fmtMs, fmtRps } from '../../../../core/summary.js';
import type { CompareMetric, RunRecord, StageComparison } from '../../../../core/model.js';
import { DASH, utc } from '../../cells.js';
import { pctText, section, stageRef } from '../blocks.js';
import { esc } from '../escape.js';

export function comparisonSection(run: RunRecord): string {
  const cmp = run.comparison;
  if (cmp === null) return '';
  const metrics = [...new Set(cmp.stages.flatMap((s) => s.deltas.map((d) => d.metric)))];
  const tol = Object.entries(cmp.tolerances)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([m, v]) => `${m} ${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);
  const lead =
    `<p>Baseline <code>${esc(cmp.baselineRunId)}</code>, started ${esc(utc(cmp.baselineStartedAt))}. ` +
    (cmp.regression ? `<strong class="bad">Regression</strong>: ` : '<strong class="good">No regression</strong>: ') +
    `${esc(cmp.reason)}</p>` +
    (tol.length > 0 ? `<p class="muted">Allowed change: ${esc(tol.join(', '))}.</p>` : '');
  if (cmp.stages.length === 0) return section('comparison', 'Compared with the baseline', `${lead}<p class="muted">No stage matched.</p>`);
  const head = `<tr><th>Stage</th>${metrics.map((m) => `<th class="num">${compareLabel(m)}</th>`).join('')}<th>Regressions</th></tr>`;
  const rows = cmp.stages.map((s) => {
    const cells = metrics.map((m) => {
      const d = s.deltas.find((x) => x.metric === m);
      if (d === undefined) return `<td class="num">${DASH}</td>`;
      return (
        `<td class="num${d.regression ? ' regress' : ''}" title="${esc(d.reason)}">` +
        `<span class="big">${d.change === null ? DASH : changeText(d.change)}</span>` +
        `<span class="small">${compareValue(m, d.baseline)} → ${compareValue(m, d.current)}</span></td>`
      );
    });
    const reasons = s.deltas.filter((d) => d.regression).map((d) => esc(d.reason));
    return (
      `<tr${s.regression ? ' class="breach"' : ''}><td>${comparedStage(s, run)}</td>${cells.join('')}` +
      `<td>${reasons.length === 0 ? '<span class="muted">none</span>' : reasons.join('<br>')}</td></tr>`
    );
  });
  return section(
    'comparison',
    'Compared with the baseline',
    `${lead}<div class="scroll"><table class="compare"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>` +
      '<p class="muted">Each cell: the relative change, then baseline → this run. Regressions (beyond the allowed change) are red.</p>',
  );
}

function comparedStage(s: StageComparison, run: RunRecord): string {
  const cur = s.currentIndex === null ? undefined : run.stages.find((x) => x.index === s.currentIndex);
  const label =
    cur !== undefined ? stageRef(cur.index, cur.name) : s.currentIndex === null ? '<span class="muted">only in the baseline</span>' : `stage ${s.currentIndex}`;
  const base = s.baselineIndex === null ? ' <span class="tag">new</span>' : '';
  return `${label}${base}<br><span class="small">${esc(s.key)}</span>`;
}

function compareLabel(m: CompareMetric): string {
  return m === 'failRatio' ? 'failures' : m === 'rps' ? 'RPS' : m === 'avg' ? 'average' : m;
}

function compareValue(m: CompareMetric, v: number | null): string {
  if (v === null) return DASH;
  if (m === 'failRatio') return pctText(v);
  if (m === 'rps') return `${fmtRps(v)}/s`;
  return esc(fmtMs(v));
}

function changeText(change: number): string {
  const pct = change * 100;
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct).toFixed(1)}%`;
}
