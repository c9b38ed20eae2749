// Cards at the top: the best throughput, the knee, and the capacity, SLO and baseline answers.
import { fmtMs, fmtRps } from '../../../../core/summary.js';
import type { Highlight, RunRecord, StageResult } from '../../../../core/model.js';
import { noKnee } from '../../cells.js';
import { stageRef } from '../blocks.js';
import { esc } from '../escape.js';
import { setupOf } from '../setup.js';

export function highlights(run: RunRecord): string {
  const best = run.summary.best;
  const knee = run.summary.knee;
  const cards = [
    card('Best throughput', best === null ? '<span class="muted">none: no stage completed with requests</span>' : bestText(best, run.stages)),
    card(
      'Knee',
      knee === null
        ? `<span class="muted">${esc(noKnee(run.stages))}</span>`
        : `<strong>${knee.users} users</strong> (${stageRef(knee.stageIndex, knee.stageName)}): ${esc(knee.reason)}`,
    ),
  ];
  if (run.capacity !== null) {
    cards.push(
      card(
        'Capacity',
        run.capacity.users === null ? '<strong class="bad">none met the SLO</strong>' : `<strong>${run.capacity.users} users</strong> meet the SLO`,
      ),
    );
  }
  const breaches = run.stages.filter((s) => s.slo.some((v) => !v.pass));
  if (run.stages.some((s) => s.slo.length > 0)) {
    cards.push(
      card(
        'SLO',
        breaches.length === 0
          ? '<strong class="good">every threshold held</strong>'
          : `<strong class="bad">breached in ${breaches.length} ${breaches.length === 1 ? 'stage' : 'stages'}</strong>: ${breaches.map((s) => stageRef(s.index, s.name)).join(', ')}`,
      ),
    );
  }
  if (run.comparison !== null) {
    cards.push(
      card(
        'Against the baseline',
        run.comparison.regression
          ? `<strong class="bad">regression</strong>: ${esc(run.comparison.reason)}`
          : `<strong class="good">no regression</strong>: ${esc(run.comparison.reason)}`,
      ),
    );
  }
  return `<section id="highlights" class="cards">${cards.join('')}</section>`;
}

function card(title: string, body: string): string {
  return `<div class="card"><h2>${title}</h2><div>${body}</div></div>`;
}

function bestText(h: Highlight, stages: readonly StageResult[]): string {
  const stage = stages.find((s) => s.index === h.stageIndex);
  const setup = stage === undefined ? 'unmanaged' : setupOf(stage).key;
  const p95 = h.p95Ms === null ? '' : `, p95 ${esc(fmtMs(h.p95Ms))}`;
  return (
    `<strong>${fmtRps(h.rps)} req/s</strong> at ${h.users} users` +
    (setup === 'unmanaged' ? '' : ` with ${esc(setup)}`) +
    ` (${stageRef(h.stageIndex, h.stageName)}${p95})`
  );
}
