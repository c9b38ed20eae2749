// The statistics (src/core/stats): each stage's 95 % intervals and steady state, and the fitted
// Universal Scalability Law drawn through the measured points.
import type { RunRecord, StageResult } from '../../../../core/model.js';
import type { Interval } from '../../../../core/stats/types.js';
import { fmtRps } from '../../../../core/summary.js';
import { DASH, msCell } from '../../cells.js';
import { repeatCell } from '../../stats-md.js';
import { badge, section } from '../blocks.js';
import { chart } from '../chart-kit/chart.js';
import type { Mark } from '../chart-kit/marks.js';
import { extent } from '../chart-kit/scale.js';
import { esc } from '../escape.js';
import { C, HEIGHT, WIDTH } from '../theme.js';

export function statisticsSection(run: RunRecord): string {
  const withStats = run.stages.filter((s) => s.stats);
  const groups = run.repeats ?? [];
  if (withStats.length === 0 && !run.scalability && groups.length === 0) return '';
  const parts: string[] = [];
  if (run.scalability) parts.push(scalability(run));
  if (withStats.length > 0) parts.push(table(withStats));
  if (groups.length > 0) parts.push(repeatsTable(groups));
  parts.push(
    '<p class="muted">± is the half-width of a 95 % interval by batch means over the sub-windows (⚠: batches still correlated, likely too narrow). ' +
      'Drifting: a Mann–Kendall trend (p &lt; 0.025 per series) of at least 5 % over the window in throughput or mean latency. ' +
      'The USL curve only describes the measured stages; verdicts come from measurements alone.</p>',
  );
  return section('statistics', 'Steady state, intervals and scalability', parts.join(''));
}

function table(stages: readonly StageResult[]): string {
  const rows = stages.map((s) => {
    const st = s.stats as NonNullable<StageResult['stats']>;
    const steady = st.steady.drifting ? `${badge('drifting', 'bad')} ${esc(st.steady.verdict)}` : esc(st.steady.verdict);
    return `<tr${st.steady.drifting ? ' class="warn"' : ''}><td>${s.index} · ${esc(s.name)}</td><td class="num">${cell(s.totals?.rps ?? null, st.confidence.rps, fmtRps)}</td><td class="num">${cell(s.totals?.avgMs ?? null, st.confidence.avgMs, msCell)}</td><td class="num">${st.subWindows.length}</td><td>${steady}</td></tr>`;
  });
  const head = '<tr><th>Stage</th><th class="num">RPS (95 %)</th><th class="num">Mean ms (95 %)</th><th class="num">Sub-windows</th><th>Steady state</th></tr>';
  return `<div class="scroll"><table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function repeatsTable(groups: NonNullable<RunRecord['repeats']>): string {
  const head =
    '<tr><th>Repeats (stages)</th><th>Parameters</th><th class="num">RPS</th><th class="num">Mean ms</th><th class="num">p95 ms</th><th class="num">p99 ms</th></tr>';
  const rows = groups.map(
    (g) =>
      `<tr><td>${g.stageIndexes.join(', ')}</td><td>${esc(g.key)}</td><td class="num">${repeatCell(g.metrics.rps, fmtRps)}</td><td class="num">${repeatCell(g.metrics.avgMs, msCell)}</td><td class="num">${repeatCell(g.metrics.p95Ms, msCell)}</td><td class="num">${repeatCell(g.metrics.p99Ms, msCell)}</td></tr>`,
  );
  return `<h3>Repeats: mean ± 95 % over the repeats (range)</h3><div class="scroll"><table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function cell(value: number | null, i: Interval | null, fmt: (v: number) => string): string {
  if (value === null) return DASH;
  if (i === null) return `${fmt(value)} <span class="muted">(no interval)</span>`;
  return `${fmt(value)} ± ${fmt(i.halfWidth)}${i.independent ? '' : ' ⚠'}`;
}

function scalability(run: RunRecord): string {
  const m = run.scalability as NonNullable<RunRecord['scalability']>;
  const warnings = m.warnings.length > 0 ? `<ul>${m.warnings.map((w) => `<li>⚠ ${esc(w)}</li>`).join('')}</ul>` : '';
  const f = m.fit;
  let figure = '';
  let params = '';
  if (f !== null) {
    const se = (v: number, e: number | null) => `${num(v)}${e === null ? '' : ` ± ${num(e)}`}`;
    params = `<p>λ ${se(f.lambda, f.lambdaSe)} req/s · σ ${se(f.sigma, f.sigmaSe)} · κ ${se(f.kappa, f.kappaSe)} (standard errors) · R² ${f.r2.toFixed(3)}</p>`;
    const [xlo, xhi] = extent([0, ...m.points.map((p) => p.n), ...f.curve.map((p) => p.n)]);
    const [, yhi] = extent([0, ...m.points.map((p) => p.rps), ...f.curve.map((p) => p.rps)]);
    const peak: Mark[] =
      f.peakN !== null && f.peakN <= xhi
        ? [{ kind: 'vrule', x: f.peakN, color: '#888', dash: '4,3', label: `N* ≈ ${Math.round(f.peakN)}`, labelColor: '#666' }]
        : [];
    figure = `<figure>${chart(
      `Throughput against ${m.against}: the measured stages and the fitted Universal Scalability Law`,
      [
        {
          width: WIDTH,
          height: HEIGHT,
          x: { kind: 'linear', min: xlo, max: xhi, title: m.against },
          y: { kind: 'linear', min: 0, max: yhi, title: 'req/s' },
          marks: [
            { kind: 'line', points: f.curve.map((p) => [p.n, p.rps] as const), color: C.muted, width: 2, dash: '5,3' },
            { kind: 'dots', points: m.points.map((p) => [p.n, p.rps] as const), color: C.rps, r: 4.5 },
            ...peak,
          ],
        },
      ],
      {
        title: 'Scalability model (USL)',
        legend: [
          { label: 'measured', color: C.rps, symbol: 'circle' },
          { label: 'USL fit', color: C.muted, symbol: 'line' },
        ],
      },
    )}</figure>`;
  }
  return `<p><strong>${esc(m.summary)}</strong></p>${params}${warnings}${figure}`;
}

function num(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? String(Math.round(v)) : a >= 0.01 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}
