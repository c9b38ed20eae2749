// The run's main charts: latency and throughput against users, and failures per stage.
import type { RunRecord, StageResult } from '../../../../core/model.js';
import { pctText, section } from '../blocks.js';
import { chart, type LegendItem, type Panel } from '../chart-kit/chart.js';
import type { Mark } from '../chart-kit/marks.js';
import { extent } from '../chart-kit/scale.js';
import { esc } from '../escape.js';
import { setupOf, setupsOf } from '../setup.js';
import { C, HEIGHT, SETUP_PALETTE, WIDTH } from '../theme.js';

const measured = (s: StageResult): boolean => s.totals !== null;

const METRICS = ['p50', 'p90', 'p95', 'p99'] as const;
const METRIC_COLOR: Record<(typeof METRICS)[number], string> = { p50: C.p50, p90: C.p90, p95: C.p95, p99: C.p99 };

export function mainCharts(run: RunRecord): string {
  const stages = run.stages.filter(measured).sort((a, b) => a.users - b.users || a.index - b.index);
  if (stages.length === 0) {
    return section('charts', 'Latency, throughput and failures', '<p class="muted">No stage has numbers yet: nothing to chart.</p>');
  }
  const setups = setupsOf(stages);
  const several = setups.length > 1;
  const knee = several ? null : run.summary.knee;
  const kneeRule = (): Mark[] =>
    knee === null ? [] : [{ kind: 'vrule', x: knee.users, color: '#888', dash: '4,3', label: `knee: ${knee.users} users`, labelColor: '#666' }];
  const usersOf = (list: readonly StageResult[]) => extent([...list.map((s) => s.users), ...(knee === null ? [] : [knee.users])]);

  // Latency percentiles against users (a line per percentile; a panel per setup when they differ).
  const latencyMarks = (list: readonly StageResult[]): { marks: Mark[]; max: number } => {
    const marks: Mark[] = [];
    let max = 0;
    for (const m of METRICS) {
      const pts: [number, number][] = [];
      for (const s of list) {
        const t = s.totals;
        const v = t === null ? null : m === 'p50' ? t.p50Ms : m === 'p90' ? t.p90Ms : m === 'p95' ? t.p95Ms : t.p99Ms;
        if (v !== null) pts.push([s.users, v]);
        if (v !== null && v > max) max = v;
      }
      marks.push({ kind: 'line', points: pts, color: METRIC_COLOR[m] }, { kind: 'dots', points: pts, color: METRIC_COLOR[m] });
    }
    return { marks, max };
  };
  const legendOf = METRICS.map((m): LegendItem => ({ label: m, color: METRIC_COLOR[m], symbol: 'circle' }));
  const anyLatency = stages.some((s) => s.totals !== null && (s.totals.p50Ms ?? s.totals.p90Ms ?? s.totals.p95Ms ?? s.totals.p99Ms) !== null);
  let latencySvg: string;
  if (!anyLatency) {
    latencySvg = '<p class="muted">No latency percentiles were recorded.</p>';
  } else if (several) {
    const panels = setups.map((key): Panel => {
      const list = stages.filter((s) => setupOf(s).key === key);
      const { marks, max } = latencyMarks(list);
      const [lo, hi] = usersOf(list);
      return {
        width: setups.length <= 3 ? 320 : 260,
        height: 180,
        heading: key,
        x: { kind: 'linear', min: lo, max: hi, title: 'users' },
        y: { kind: 'linear', min: 0, max, title: 'latency (ms)' },
        marks,
      };
    });
    latencySvg = chart('Latency percentiles against users, a panel per setup', panels, { legend: legendOf, columns: Math.min(setups.length, 3) });
  } else {
    const { marks, max } = latencyMarks(stages);
    const [lo, hi] = usersOf(stages);
    latencySvg = chart(
      'Latency percentiles p50, p90, p95 and p99 against users',
      [
        {
          width: WIDTH,
          height: HEIGHT,
          x: { kind: 'linear', min: lo, max: hi, title: 'users' },
          y: { kind: 'linear', min: 0, max, title: 'ms' },
          marks: [...marks, ...kneeRule()],
        },
      ],
      { title: 'Latency percentiles (ms)', legend: legendOf },
    );
  }

  // Throughput against users (a line per setup).
  const thrMarks: Mark[] = [];
  const thrLegend: LegendItem[] = [];
  setups.forEach((key, i) => {
    const pts = stages.filter((s) => setupOf(s).key === key).map((s): [number, number] => [s.users, s.totals?.rps ?? 0]);
    const color = several ? (SETUP_PALETTE[i % SETUP_PALETTE.length] ?? C.rps) : C.rps;
    thrMarks.push({ kind: 'line', points: pts, color }, { kind: 'dots', points: pts, color });
    if (several) thrLegend.push({ label: key, color, symbol: 'circle' });
  });
  const [ulo, uhi] = usersOf(stages);
  const throughputSvg = chart(
    'Throughput in requests per second against users',
    [
      {
        width: WIDTH,
        height: HEIGHT,
        x: { kind: 'linear', min: ulo, max: uhi, title: 'users' },
        y: { kind: 'linear', min: 0, max: Math.max(0, ...stages.map((s) => s.totals?.rps ?? 0)), title: 'req/s' },
        marks: [...thrMarks, ...kneeRule()],
      },
    ],
    { title: 'Throughput (requests/s)', legend: thrLegend },
  );

  // Failure ratio per stage.
  const fails = run.stages
    .filter(measured)
    .sort((a, b) => a.index - b.index)
    .map((s) => ({ stage: `${s.index}`, pct: (s.totals?.failRatio ?? 0) * 100 }));
  const maxPct = Math.max(0, ...fails.map((f) => f.pct));
  const wide = fails.length > 12;
  const failSvg = chart(
    'Failed requests in percent per stage',
    [
      {
        width: wide ? Math.min(1000, fails.length * 36) : WIDTH,
        height: wide ? 180 : HEIGHT,
        x: { kind: 'band', domain: fails.map((f) => f.stage), title: 'stage' },
        y: { kind: 'linear', min: 0, max: maxPct === 0 ? 1 : maxPct, title: '% failed' },
        marks: [
          { kind: 'bars', bars: fails.map((f) => ({ x: f.stage, y: f.pct, color: f.pct > 0 ? C.fail : C.muted })) },
          ...fails.filter((f) => f.pct > 0).map((f): Mark => ({ kind: 'label', x: f.stage, y: f.pct, dy: -4, text: pctText(f.pct / 100), anchor: 'middle' })),
          ...(maxPct === 0 ? [{ kind: 'note', text: 'no request failed', color: C.pass, size: 12 } as const] : []),
        ],
      },
    ],
    { title: 'Failed requests per stage (%)' },
  );

  const body =
    (several
      ? `<p class="muted">The stages differ in replicas or workers (${setups.map(esc).join('; ')}): latency has a panel per setup, throughput a line per setup.</p>`
      : '') +
    `<div class="grid2"><figure${several ? ' class="span"' : ''}>${latencySvg}</figure><figure>${throughputSvg}</figure><figure${wide ? ' class="span"' : ''}>${failSvg}</figure></div>`;
  return section('charts', 'Latency, throughput and failures', body);
}
