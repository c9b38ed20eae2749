// The target's replicas over the whole run (ready, desired, HPA desired), when it was sampled.
import type { RunRecord, Sample } from '../../../../core/model.js';
import { section } from '../blocks.js';
import { chart, type LegendItem } from '../chart-kit/chart.js';
import { LineDecimator } from '../chart-kit/decimate.js';
import type { Mark } from '../chart-kit/marks.js';
import { esc } from '../escape.js';
import { C } from '../theme.js';

const REPLICAS_WIDTH = 1000;
/** Points per line in the replicas chart: one per pixel column of the 1000-px chart. */
export const REPLICAS_LINE_POINTS = REPLICAS_WIDTH;

function clusterSampled(x: Sample): boolean {
  return x.replicasReady !== null || x.replicasDesired !== null || x.hpaDesired !== null;
}

export function replicasSection(run: RunRecord): string {
  if (!run.stages.some((s) => s.samples.some(clusterSampled))) return '';
  const start = Date.parse(run.startedAt);
  const minutes = (x: Sample) => (Date.parse(x.at) - start) / 60_000;
  // A day of 1-s samples is 86 400 points per line: each line keeps its lowest and highest value in
  // each of REPLICAS_LINE_POINTS / 2 time slices (min/max decimation), so no change of replicas is lost.
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  for (const s of run.stages) {
    for (const x of [s.samples[0], s.samples.at(-1)]) {
      const min = x === undefined ? NaN : minutes(x);
      if (Number.isFinite(min)) {
        x0 = Math.min(x0, min);
        x1 = Math.max(x1, min);
      }
    }
  }
  const SERIES = [
    { name: 'ready', color: C.ready, dash: undefined },
    { name: 'desired', color: C.desired, dash: '5,3' },
    { name: 'HPA desired', color: C.hpa, dash: '2,2' },
  ] as const;
  const lines = SERIES.map(() => new LineDecimator(x0, x1, REPLICAS_LINE_POINTS));
  const marks: { min: number; label: string }[] = [];
  let maxN = 1;
  for (const s of run.stages) {
    const first = s.samples[0];
    const firstMin = first === undefined ? NaN : minutes(first);
    if (Number.isFinite(firstMin)) marks.push({ min: firstMin, label: `${s.index}` });
    for (const x of s.samples) {
      const min = minutes(x);
      if (!Number.isFinite(min)) continue;
      if (x.replicasReady !== null) lines[0]?.push(min, x.replicasReady);
      if (x.replicasDesired !== null) lines[1]?.push(min, x.replicasDesired);
      if (x.hpaDesired !== null) lines[2]?.push(min, x.hpaDesired);
      maxN = Math.max(maxN, x.replicasReady ?? 0, x.replicasDesired ?? 0, x.hpaDesired ?? 0);
    }
  }
  const sliced = lines.some((l) => l.decimated);
  const svg = chart(
    'Target replicas over the run: ready, desired and HPA desired',
    [
      {
        width: REPLICAS_WIDTH,
        height: 220,
        x: { kind: 'linear', min: 0, max: Math.max(x1, ...marks.map((m) => m.min)), title: 'minutes since the run started' },
        y: { kind: 'linear', min: 0, max: maxN + 1, title: 'replicas', integer: true },
        marks: [
          ...marks.map((m): Mark => ({ kind: 'vrule', x: m.min, color: '#ccc', dash: '2,3', label: m.label, labelColor: '#888' })),
          ...SERIES.map((s, i): Mark => ({
            kind: 'line',
            points: (lines[i]?.points() ?? []).map((p) => [p.x, p.y] as const),
            color: s.color,
            step: true,
            ...(s.dash ? { dash: s.dash } : {}),
          })),
        ],
      },
    ],
    { legend: SERIES.map((s): LegendItem => ({ label: s.name, color: s.color, symbol: 'line', ...(s.dash ? { dash: s.dash } : {}) })) },
  );
  const ns = run.environment.kubernetes;
  const where = ns === null ? '' : ` in namespace <code>${esc(ns.namespace)}</code>`;
  return section(
    'replicas',
    'Replicas over time',
    `<p class="muted">The target's ready and desired replicas${where} and its HPA's desired count at every sample; the numbered lines mark where each stage's samples begin.${sliced ? ` Each line is drawn from the lowest and the highest value in each of ${REPLICAS_LINE_POINTS / 2} equal time slices; <code>stages/*/replicas.csv</code> has every sample.` : ''}</p><figure class="wide">${svg}</figure>`,
  );
}
