// Each stage over time: a card per stage whose chart has two panels (requests/s over p50 and p95) on
// one x axis, seconds into the window, with the window's totals dashed.
import { fmtMs, fmtRps } from '../../../../core/summary.js';
import type { RunRecord, StageResult } from '../../../../core/model.js';
import { group } from '../../cells.js';
import { badge, section } from '../blocks.js';
import { chart, type Panel } from '../chart-kit/chart.js';
import { LineDecimator, type Point } from '../chart-kit/decimate.js';
import type { Mark } from '../chart-kit/marks.js';
import { esc } from '../escape.js';
import { setupOf } from '../setup.js';
import { C, WIDTH } from '../theme.js';

/** Points per line in a stage's time series: two per pixel column of the 420-px chart. */
export const STAGE_LINE_POINTS = 2 * WIDTH;

export async function stageSeries(run: RunRecord): Promise<string> {
  const withSamples = run.stages.filter((s) => s.samples.length > 0);
  if (run.stages.length === 0) return '';
  const cards: string[] = [];
  let decimated = false;
  for (const s of withSamples) {
    // One chart per stage, however many stages (about a millisecond and a few kilobytes each), and
    // each line keeps at most STAGE_LINE_POINTS points (the lowest and highest of each time slice),
    // so a day-long run of day-long stages costs about what a short one does. samples.csv keeps every sample.
    const firstT = (s.samples[0]?.elapsedMs ?? 0) / 1000;
    const lastT = (s.samples.at(-1)?.elapsedMs ?? 0) / 1000;
    const lines = [0, 1, 2].map(() => new LineDecimator(firstT, lastT, STAGE_LINE_POINTS));
    for (const x of s.samples) {
      const at = x.elapsedMs / 1000;
      if (x.rps !== null) lines[0]?.push(at, x.rps);
      if (x.p50Ms !== null) lines[1]?.push(at, x.p50Ms);
      if (x.p95Ms !== null) lines[2]?.push(at, x.p95Ms);
    }
    const [rps, p50, p95] = lines.map((l) => l.points());
    const slices = lines.some((l) => l.decimated);
    decimated ||= slices;
    const t = s.totals;
    // Yield between stages: a long run's report must not hold up the sampling timers.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const svg = seriesSvg(
      lastT,
      [
        {
          title: 'req/s',
          height: 90,
          lines: [{ points: rps ?? [], color: C.rps }],
          rule: t === null ? null : { v: t.rps, color: C.rps },
          emptyMax: t?.rps ?? null,
        },
        {
          title: 'ms',
          height: 110,
          lines: [
            { points: p50 ?? [], color: C.p50 },
            { points: p95 ?? [], color: C.p95 },
          ],
          rule: t === null || t.p95Ms === null ? null : { v: t.p95Ms, color: C.p95 },
          emptyMax: t?.p95Ms ?? null,
        },
      ],
      `Stage ${s.index}: requests per second, p50 and p95 over the window`,
    );
    cards.push(
      `<article class="stage" id="stage-${s.index}"><h3>${stageTitle(s)}</h3>` +
        `<p class="muted">${s.users} users${setupOf(s).key === 'unmanaged' ? '' : ` · ${esc(setupOf(s).key)}`} · ${group(s.samples.length)} samples` +
        (slices ? ` (drawn as ${STAGE_LINE_POINTS / 2} time slices' lowest and highest values)` : '') +
        (t === null ? '' : ` · window ${fmtRps(t.rps)} req/s, p95 ${esc(fmtMs(t.p95Ms))} (dashed)`) +
        `</p><figure>${svg}</figure></article>`,
    );
  }
  const body =
    cards.length === 0
      ? '<p class="muted">No samples were recorded.</p>'
      : `<p class="muted">Locust's rolling values (about the last 10 s) at each sample: ${swatch(C.rps, 'requests/s')} ${swatch(C.p50, 'p50')} ${swatch(C.p95, 'p95')}; the dashed lines are the window's totals.` +
        (decimated
          ? ` A line with more than ${STAGE_LINE_POINTS} samples is drawn from the lowest and the highest value in each of ${STAGE_LINE_POINTS / 2} equal time slices, so peaks and dips stay visible; <code>stages/*/samples.csv</code> has every sample.`
          : '') +
        `</p><div class="stages">${cards.join('\n')}</div>`;
  return section('series', 'Each stage over time', body);
}

interface SeriesPanel {
  title: string;
  height: number;
  lines: { points: readonly Point[]; color: string }[];
  /** The window's total, drawn dashed. */
  rule: { v: number; color: string } | null;
  /** A panel without any point: its y scale goes to this × 1.2 (at least 1) and it says "no data". */
  emptyMax: number | null;
}

function seriesSvg(lastT: number, panels: SeriesPanel[], label: string): string {
  return chart(
    label,
    panels.map((p, i): Panel => {
      const last = i === panels.length - 1;
      let max = p.rule?.v ?? 0;
      let any = false;
      for (const l of p.lines) {
        for (const pt of l.points) {
          any = true;
          if (pt.y > max) max = pt.y;
        }
      }
      return {
        width: WIDTH,
        height: p.height,
        x: { kind: 'linear', min: 0, max: Math.max(1, lastT), nice: false, title: last ? 'seconds into the window' : null, labels: last },
        y: { kind: 'linear', min: 0, max: any ? max : Math.max(1, (p.emptyMax ?? 0) * 1.2), title: p.title },
        marks: [
          ...p.lines.map((l): Mark => ({ kind: 'line', points: l.points.map((pt) => [pt.x, pt.y] as const), color: l.color })),
          ...(p.rule === null ? [] : [{ kind: 'hrule', y: p.rule.v, color: p.rule.color, dash: '4,3', opacity: 0.7 } as const]),
          ...(any ? [] : [{ kind: 'note', text: 'no data', color: '#888' } as const]),
        ],
      };
    }),
  );
}

function swatch(color: string, label: string): string {
  return `<span class="swatch" style="background:${color}"></span>${label}`;
}

function stageTitle(s: StageResult): string {
  return `Stage ${s.index} · ${esc(s.name)} ${s.status === 'completed' ? '' : badge(s.status, 'bad')}`.trim();
}
