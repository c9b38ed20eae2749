// The SLO verdicts: each stage's thresholds, what was observed, pass or fail and why.
import { fmtMs, fmtRps } from '../../../../core/summary.js';
import type { RunRecord, SloMetric } from '../../../../core/model.js';
import { DASH } from '../../cells.js';
import { badge, pctText, section, stageRef } from '../blocks.js';
import { esc } from '../escape.js';

export function sloSection(run: RunRecord): string {
  const judged = run.stages.filter((s) => s.slo.length > 0);
  if (judged.length === 0) return '';
  const rows = judged.flatMap((s) =>
    s.slo.map(
      (v, i) =>
        `<tr class="${v.pass ? '' : 'breach'}">` +
        (i === 0 ? `<td rowspan="${s.slo.length}">${stageRef(s.index, s.name)}</td>` : '') +
        `<td>${sloLabel(v.metric)}</td><td class="num">${sloValue(v.metric, v.threshold)}</td>` +
        `<td class="num">${v.observed === null ? DASH : sloValue(v.metric, v.observed)}</td>` +
        `<td>${v.pass ? badge('pass', 'good') : badge('fail', 'bad')}</td><td>${esc(v.reason)}</td></tr>`,
    ),
  );
  const breaches = judged.reduce((n, s) => n + s.slo.filter((v) => !v.pass).length, 0);
  const lead =
    breaches === 0
      ? '<p>Every threshold held.</p>'
      : `<p class="alert bad"><strong>${breaches} ${breaches === 1 ? 'threshold' : 'thresholds'} breached.</strong> Thresholds are judged on the master's aggregated numbers for each stage's window.</p>`;
  return section(
    'slo',
    'SLO verdicts',
    `${lead}<div class="scroll"><table class="slo"><thead><tr><th>Stage</th><th>Metric</th><th class="num">Threshold</th><th class="num">Observed</th><th>Result</th><th>Reason</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
  );
}

const SLO_LABELS: Record<SloMetric, string> = {
  p50: 'p50',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
  avg: 'average',
  max: 'max',
  failRatio: 'failures',
  minRps: 'min throughput',
};

function sloLabel(m: SloMetric): string {
  return SLO_LABELS[m];
}

function sloValue(m: SloMetric, v: number): string {
  if (m === 'failRatio') return pctText(v);
  if (m === 'minRps') return `${fmtRps(v)} req/s`;
  return esc(fmtMs(v));
}
