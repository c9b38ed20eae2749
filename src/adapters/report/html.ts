// report.html: one self-contained page a person opens from the report folder, offline. Every chart
// is Vega-Lite compiled to Vega and rendered to SVG here in Node (no browser, no canvas), then
// inlined; the page has no script at all and a Content-Security-Policy that forbids fetching
// anything, so it shows the same in a mail attachment, a CI artifact viewer or a browser offline.
// Run-provided text (names, reasons, URLs, errors) only ever reaches the page through esc(); the
// charts carry numbers and labels built here from numbers.
import type { Loader, LoggerInterface } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { fmtMs, fmtRps } from '../../core/summary.js';
import type {
  CompareMetric,
  Highlight,
  RunRecord,
  Sample,
  SloMetric,
  StageComparison,
  StageResult,
} from '../../core/model.js';
import { DASH, duration, group, msCell, num, utc } from './cells.js';

export interface HtmlReportOptions {
  /** Called with every warning Vega or Vega-Lite gives while rendering the charts (default: dropped). */
  onWarning?: (message: string) => void;
}

const MAX_FAILURE_ROWS = 10;
const MAX_ERROR_CHARS = 240;

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
const C = {
  p50: '#4c78a8',
  p90: '#72b7b2',
  p95: '#f58518',
  p99: '#e45756',
  rps: '#54a24b',
  pass: '#2e7d32',
  fail: '#c62828',
  muted: '#9e9e9e',
  ready: '#4c78a8',
  desired: '#f58518',
  hpa: '#b279a2',
};
const SETUP_PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

/** Renders the whole page. Tolerates runs with no stages, stages without totals and null percentiles. */
export async function reportHtml(run: RunRecord, options: HtmlReportOptions = {}): Promise<string> {
  const r = new ChartRenderer(await chartingLibraries(), options.onWarning);
  const parts: string[] = [];
  parts.push(header(run));
  parts.push(highlights(run));
  parts.push(await mainCharts(run, r));
  parts.push(summaryTable(run));
  parts.push(incomplete(run));
  parts.push(sloSection(run));
  parts.push(comparisonSection(run));
  parts.push(await capacitySection(run, r));
  parts.push(await replicasSection(run, r));
  parts.push(await stageSeries(run, r));
  parts.push(failuresSection(run));
  parts.push(howToRead(run));
  return page(run, parts.filter((p) => p !== '').join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Charts: Vega-Lite → Vega → SVG, in Node.

interface ChartingLibraries {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
}

let libraries: Promise<ChartingLibraries> | undefined;

/** Vega and Vega-Lite, loaded on first use (about 200 ms): the CLI's other commands never pay for them. */
function chartingLibraries(): Promise<ChartingLibraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return libraries;
}

class ChartRenderer {
  private readonly log: LoggerInterface;
  /** Charts never load anything: data is inline. A loader that refuses makes sure of it. */
  private readonly loader: Loader = {
    load: () => Promise.reject(new Error('report.html charts load nothing')),
    sanitize: () => Promise.reject(new Error('report.html charts load nothing')),
    http: () => Promise.reject(new Error('report.html charts load nothing')),
    file: () => Promise.reject(new Error('report.html charts load nothing')),
  };

  constructor(
    private readonly lib: ChartingLibraries,
    onWarning: ((message: string) => void) | undefined,
  ) {
    this.log = lib.vega.logger(lib.vega.Warn, undefined, (_method, level, args) => {
      onWarning?.(`${level} ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
    });
  }

  /** The chart as an inline <svg> (no xmlns: the HTML parser puts <svg> in the SVG namespace). */
  async svg(spec: TopLevelSpec, label: string): Promise<string> {
    // Each chart takes a few to a few tens of milliseconds of CPU: let timers and I/O run between them.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { vega, vegaLite } = this.lib;
    const vg = vegaLite.compile({ ...spec, background: 'white', config: THEME } as TopLevelSpec, { logger: this.log }).spec;
    const view = new vega.View(vega.parse(vg), { renderer: 'none', loader: this.loader, logger: this.log });
    try {
      const svg = await view.toSVG();
      return svg
        .replace(/ xmlns(:xlink)?="[^"]*"/g, '')
        .replace(/^<svg /, `<svg role="img" aria-label="${esc(label)}" `);
    } finally {
      view.finalize();
    }
  }
}

const THEME = {
  font: FONT,
  padding: 6,
  view: { stroke: null },
  axis: {
    labelColor: '#555',
    titleColor: '#333',
    titleFontWeight: 600,
    titleFontSize: 11,
    labelFontSize: 10,
    gridColor: '#ececec',
    domainColor: '#bbb',
    tickColor: '#bbb',
  },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top', direction: 'horizontal', title: null, labelLimit: 320 },
  header: { labelFontSize: 12, labelFontWeight: 600, labelColor: '#333', title: null },
  title: { fontSize: 13, anchor: 'start', color: '#222', fontWeight: 600 },
  line: { strokeWidth: 2 },
  point: { size: 40, filled: true },
  range: { category: SETUP_PALETTE },
} as const;

const WIDTH = 420;
const HEIGHT = 220;

interface Setup {
  key: string;
  replicas: number | null;
  workers: number | null;
}

function setupOf(s: StageResult): Setup {
  const parts: string[] = [];
  if (s.replicas !== null) parts.push(`${s.replicas} ${s.replicas === 1 ? 'replica' : 'replicas'}`);
  if (s.workers !== null) parts.push(`${s.workers} ${s.workers === 1 ? 'worker' : 'workers'}`);
  return { key: parts.length > 0 ? parts.join(' × ') : 'unmanaged', replicas: s.replicas, workers: s.workers };
}

function setupsOf(stages: readonly StageResult[]): string[] {
  const seen = new Map<string, Setup>();
  for (const s of stages) {
    const setup = setupOf(s);
    if (!seen.has(setup.key)) seen.set(setup.key, setup);
  }
  const n = (v: number | null) => v ?? -1;
  return [...seen.values()]
    .sort((a, b) => n(a.replicas) - n(b.replicas) || n(a.workers) - n(b.workers))
    .map((s) => s.key);
}

const measured = (s: StageResult): boolean => s.totals !== null;

async function mainCharts(run: RunRecord, r: ChartRenderer): Promise<string> {
  const stages = run.stages.filter(measured).sort((a, b) => a.users - b.users || a.index - b.index);
  if (stages.length === 0) {
    return section('charts', 'Latency, throughput and failures', '<p class="muted">No stage has numbers yet: nothing to chart.</p>');
  }
  const setups = setupsOf(stages);
  const several = setups.length > 1;
  const knee = several ? null : run.summary.knee;

  // Latency percentiles against users (a line per percentile; a panel per setup when they differ).
  const lat: { users: number; metric: string; ms: number; setup: string; stage: number }[] = [];
  for (const s of stages) {
    const t = s.totals;
    if (t === null) continue;
    const pts: [string, number | null][] = [['p50', t.p50Ms], ['p90', t.p90Ms], ['p95', t.p95Ms], ['p99', t.p99Ms]];
    for (const [metric, ms] of pts) if (ms !== null) lat.push({ users: s.users, metric, ms, setup: setupOf(s).key, stage: s.index });
  }
  const metricColor = { field: 'metric', type: 'nominal', title: null, scale: { domain: ['p50', 'p90', 'p95', 'p99'], range: [C.p50, C.p90, C.p95, C.p99] } } as const;
  const usersX = { field: 'users', type: 'quantitative', title: 'users' } as const;
  const kneeLayer = () =>
    knee === null
      ? []
      : [
          {
            data: { values: [{ users: knee.users, label: `knee: ${knee.users} users` }] },
            mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
            encoding: { x: { field: 'users', type: 'quantitative' } },
          },
          {
            data: { values: [{ users: knee.users, label: `knee: ${knee.users} users` }] },
            mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', color: '#666', fontSize: 10, y: 2 },
            encoding: { x: { field: 'users', type: 'quantitative' }, text: { field: 'label' } },
          },
        ];
  let latencySvg: string;
  if (lat.length === 0) {
    latencySvg = '<p class="muted">No latency percentiles were recorded.</p>';
  } else if (several) {
    latencySvg = await r.svg(
      {
        data: { values: lat },
        facet: { field: 'setup', type: 'nominal', sort: setups, title: null },
        columns: Math.min(setups.length, 3),
        spec: {
          width: setups.length <= 3 ? 320 : 260,
          height: 180,
          mark: { type: 'line', point: true },
          encoding: { x: usersX, y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' }, color: metricColor },
        },
        resolve: { axis: { x: 'independent', y: 'independent' } },
      } as TopLevelSpec,
      'Latency percentiles against users, a panel per setup',
    );
  } else {
    latencySvg = await r.svg(
      {
        width: WIDTH,
        height: HEIGHT,
        title: 'Latency percentiles (ms)',
        data: { values: lat },
        layer: [
          {
            mark: { type: 'line', point: true },
            encoding: { x: usersX, y: { field: 'ms', type: 'quantitative', title: 'ms' }, color: metricColor },
          },
          ...kneeLayer(),
        ],
      } as TopLevelSpec,
      'Latency percentiles p50, p90, p95 and p99 against users',
    );
  }

  // Throughput against users (a line per setup).
  const thr = stages.map((s) => ({ users: s.users, rps: s.totals?.rps ?? 0, setup: setupOf(s).key, stage: s.index }));
  const throughputSvg = await r.svg(
    {
      width: WIDTH,
      height: HEIGHT,
      title: 'Throughput (requests/s)',
      data: { values: thr },
      layer: [
        {
          mark: { type: 'line', point: true, ...(several ? {} : { color: C.rps, point: { color: C.rps } }) },
          encoding: {
            x: usersX,
            y: { field: 'rps', type: 'quantitative', title: 'req/s' },
            ...(several ? { color: { field: 'setup', type: 'nominal', sort: setups, title: null } } : {}),
          },
        },
        ...kneeLayer(),
      ],
    } as TopLevelSpec,
    'Throughput in requests per second against users',
  );

  // Failure ratio per stage.
  const fails = run.stages
    .filter(measured)
    .sort((a, b) => a.index - b.index)
    .map((s) => ({ stage: `${s.index}`, users: s.users, pct: (s.totals?.failRatio ?? 0) * 100 }));
  const maxPct = Math.max(0, ...fails.map((f) => f.pct));
  const failXY = {
    x: { field: 'stage', type: 'ordinal', sort: null, title: 'stage', axis: { labelAngle: 0 } },
    y: { field: 'pct', type: 'quantitative', title: '% failed', scale: maxPct === 0 ? { domain: [0, 1] } : { domainMin: 0 } },
  } as const;
  const failSvg = await r.svg(
    {
      width: fails.length > 12 ? Math.min(1000, fails.length * 36) : WIDTH,
      height: fails.length > 12 ? 180 : HEIGHT,
      title: 'Failed requests per stage (%)',
      data: { values: fails.map((f) => ({ ...f, label: f.pct > 0 ? pctText(f.pct / 100) : '' })) },
      layer: [
        {
          mark: { type: 'bar', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
          encoding: { ...failXY, color: { condition: { test: 'datum.pct > 0', value: C.fail }, value: C.muted } },
        },
        { mark: { type: 'text', dy: -4, baseline: 'bottom', fontSize: 10, color: '#444' }, encoding: { ...failXY, text: { field: 'label' } } },
        ...(maxPct === 0
          ? [
              {
                data: { values: [{ text: 'no request failed' }] },
                mark: { type: 'text', x: { expr: 'width / 2' }, y: { expr: 'height / 2' }, fontSize: 12, color: C.pass },
                encoding: { text: { field: 'text' } },
              },
            ]
          : []),
      ],
    } as TopLevelSpec,
    'Failed requests in percent per stage',
  );

  const body =
    (several ? `<p class="muted">The stages differ in replicas or workers (${setups.map(esc).join('; ')}): latency has a panel per setup, throughput a line per setup.</p>` : '') +
    `<div class="grid2"><figure${several ? ' class="span"' : ''}>${latencySvg}</figure><figure>${throughputSvg}</figure><figure${fails.length > 12 ? ' class="span"' : ''}>${failSvg}</figure></div>`;
  return section('charts', 'Latency, throughput and failures', body);
}

async function stageSeries(run: RunRecord, r: ChartRenderer): Promise<string> {
  const withSamples = run.stages.filter((s) => s.samples.length > 0);
  if (run.stages.length === 0) return '';
  const cards: string[] = [];
  for (const s of withSamples) {
    const rows = s.samples.map((x) => ({ t: x.elapsedMs / 1000, rps: x.rps, p50: x.p50Ms, p95: x.p95Ms }));
    const t = s.totals;
    const rpsRule = t === null ? [] : [{ data: { values: [{ v: t.rps }] }, mark: { type: 'rule', color: C.rps, strokeDash: [4, 3], opacity: 0.7 }, encoding: { y: { field: 'v', type: 'quantitative' } } }];
    const p95Rule =
      t === null || t.p95Ms === null
        ? []
        : [{ data: { values: [{ v: t.p95Ms }] }, mark: { type: 'rule', color: C.p95, strokeDash: [4, 3], opacity: 0.7 }, encoding: { y: { field: 'v', type: 'quantitative' } } }];
    const x = { field: 't', type: 'quantitative', title: 'seconds into the window', scale: { zero: true } } as const;
    // A panel without any value (Locust had no data yet) gets a fixed scale and says so.
    const hasRps = rows.some((row) => row.rps !== null);
    const hasMs = rows.some((row) => row.p50 !== null || row.p95 !== null);
    const noData = (has: boolean) =>
      has ? [] : [{ data: { values: [{ text: 'no data' }] }, mark: { type: 'text', x: { expr: 'width / 2' }, y: { expr: 'height / 2' }, color: '#888' }, encoding: { text: { field: 'text' } } }];
    const emptyScale = (has: boolean, total: number | null | undefined) =>
      has ? {} : { scale: { domain: [0, Math.max(1, (total ?? 0) * 1.2)] } };
    const svg = await r.svg(
      {
        data: { values: rows },
        spacing: 6,
        vconcat: [
          {
            width: WIDTH,
            height: 90,
            layer: [
              {
                mark: { type: 'line', color: C.rps },
                encoding: { x: { ...x, title: null, axis: { labels: false } }, y: { field: 'rps', type: 'quantitative', title: 'req/s', ...emptyScale(hasRps, t?.rps) } },
              },
              ...rpsRule,
              ...noData(hasRps),
            ],
          },
          {
            width: WIDTH,
            height: 110,
            layer: [
              {
                transform: [{ fold: ['p50', 'p95'], as: ['metric', 'ms'] }],
                mark: { type: 'line' },
                encoding: {
                  x,
                  y: { field: 'ms', type: 'quantitative', title: 'ms', ...emptyScale(hasMs, t?.p95Ms) },
                  color: { field: 'metric', type: 'nominal', scale: { domain: ['p50', 'p95'], range: [C.p50, C.p95] }, legend: null },
                },
              },
              ...p95Rule,
              ...noData(hasMs),
            ],
          },
        ],
      } as TopLevelSpec,
      `Stage ${s.index}: requests per second, p50 and p95 over the window`,
    );
    cards.push(
      `<article class="stage" id="stage-${s.index}"><h3>${stageTitle(s)}</h3>` +
        `<p class="muted">${s.users} users${setupOf(s).key === 'unmanaged' ? '' : ` · ${esc(setupOf(s).key)}`} · ${s.samples.length} samples` +
        (t === null ? '' : ` · window ${fmtRps(t.rps)} req/s, p95 ${esc(fmtMs(t.p95Ms))} (dashed)`) +
        `</p><figure>${svg}</figure></article>`,
    );
  }
  const body =
    cards.length === 0
      ? '<p class="muted">No samples were recorded.</p>'
      : `<p class="muted">Locust's rolling values (about the last 10 s) at each sample: ${swatch(C.rps, 'requests/s')} ${swatch(C.p50, 'p50')} ${swatch(C.p95, 'p95')}; the dashed lines are the window's totals.</p><div class="stages">${cards.join('\n')}</div>`;
  return section('series', 'Each stage over time', body);
}

function clusterSampled(x: Sample): boolean {
  return x.replicasReady !== null || x.replicasDesired !== null || x.hpaDesired !== null;
}

async function replicasSection(run: RunRecord, r: ChartRenderer): Promise<string> {
  if (!run.stages.some((s) => s.samples.some(clusterSampled))) return '';
  const start = Date.parse(run.startedAt);
  const rows: { min: number; series: string; n: number }[] = [];
  const marks: { min: number; label: string }[] = [];
  for (const s of run.stages) {
    const first = s.samples[0];
    const firstMin = first === undefined ? NaN : (Date.parse(first.at) - start) / 60_000;
    if (Number.isFinite(firstMin)) marks.push({ min: firstMin, label: `${s.index}` });
    for (const x of s.samples) {
      const min = (Date.parse(x.at) - start) / 60_000;
      if (!Number.isFinite(min)) continue;
      if (x.replicasReady !== null) rows.push({ min, series: 'ready', n: x.replicasReady });
      if (x.replicasDesired !== null) rows.push({ min, series: 'desired', n: x.replicasDesired });
      if (x.hpaDesired !== null) rows.push({ min, series: 'HPA desired', n: x.hpaDesired });
    }
  }
  const maxN = Math.max(1, ...rows.map((x) => x.n));
  const svg = await r.svg(
    {
      width: 1000,
      height: 220,
      layer: [
        {
          data: { values: marks },
          mark: { type: 'rule', color: '#ccc', strokeDash: [2, 3] },
          encoding: { x: { field: 'min', type: 'quantitative' } },
        },
        {
          data: { values: marks },
          mark: { type: 'text', baseline: 'top', dx: 3, align: 'left', fontSize: 10, color: '#888', y: 0 },
          encoding: { x: { field: 'min', type: 'quantitative' }, text: { field: 'label' } },
        },
        {
          data: { values: rows },
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: {
            x: { field: 'min', type: 'quantitative', title: 'minutes since the run started' },
            y: { field: 'n', type: 'quantitative', title: 'replicas', scale: { domain: [0, maxN + 1] }, axis: { tickMinStep: 1 } },
            color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['ready', 'desired', 'HPA desired'], range: [C.ready, C.desired, C.hpa] } },
            strokeDash: { field: 'series', type: 'nominal', scale: { domain: ['ready', 'desired', 'HPA desired'], range: [[1, 0], [5, 3], [2, 2]] }, title: null },
          },
        },
      ],
    } as TopLevelSpec,
    'Target replicas over the run: ready, desired and HPA desired',
  );
  const ns = run.environment.kubernetes;
  const where = ns === null ? '' : ` in namespace <code>${esc(ns.namespace)}</code>`;
  return section(
    'replicas',
    'Replicas over time',
    `<p class="muted">The target's ready and desired replicas${where} and its HPA's desired count at every sample; the numbered lines mark where each stage's samples begin.</p><figure class="wide">${svg}</figure>`,
  );
}

async function capacitySection(run: RunRecord, r: ChartRenderer): Promise<string> {
  const cap = run.capacity;
  if (cap === null) return '';
  const answer =
    cap.users === null
      ? '<strong class="bad">no user count met the SLO</strong>'
      : `<strong>${cap.users} users</strong> met the SLO` + (cap.breachedAt === null ? '' : `; ${cap.breachedAt} users breached it`);
  let chart = '<p class="muted">No probe ran.</p>';
  if (cap.probes.length > 0) {
    const probes = cap.probes.map((p, i) => ({ n: i + 1, users: p.users, result: p.pass ? 'pass' : 'fail', stage: p.stageIndex }));
    // The answer (green) and the smallest breach (red) as dashed rules, labelled at the top.
    const rule = (users: number | null, color: string, label: string) =>
      users === null
        ? []
        : [
            { data: { values: [{ users, label }] }, mark: { type: 'rule', strokeDash: [4, 3], color }, encoding: { x: { field: 'users', type: 'quantitative' } } },
            {
              data: { values: [{ users, label }] },
              mark: { type: 'text', y: -6, baseline: 'bottom', fontSize: 10, color, fontWeight: 600 },
              encoding: { x: { field: 'users', type: 'quantitative' }, text: { field: 'label' } },
            },
          ];
    chart = `<figure class="wide">${await r.svg(
      {
        width: 720,
        height: Math.max(120, probes.length * 26),
        title: { text: 'Probes in the order they ran', offset: 14 },
        layer: [
          ...rule(cap.users, C.pass, `capacity ${cap.users ?? ''}`),
          ...rule(cap.breachedAt, C.fail, `breach ${cap.breachedAt ?? ''}`),
          {
            data: { values: probes },
            mark: { type: 'line', color: '#bbb', strokeWidth: 1 },
            encoding: { x: { field: 'users', type: 'quantitative' }, y: { field: 'n', type: 'ordinal' }, order: { field: 'n', type: 'quantitative' } },
          },
          {
            data: { values: probes },
            mark: { type: 'point', filled: true, size: 90 },
            encoding: {
              x: { field: 'users', type: 'quantitative', title: 'users' },
              y: { field: 'n', type: 'ordinal', title: 'probe' },
              color: { field: 'result', type: 'nominal', title: null, scale: { domain: ['pass', 'fail'], range: [C.pass, C.fail] } },
            },
          },
          {
            data: { values: probes },
            mark: { type: 'text', dx: 9, align: 'left', fontSize: 10, color: '#444' },
            encoding: { x: { field: 'users', type: 'quantitative' }, y: { field: 'n', type: 'ordinal' }, text: { field: 'users' } },
          },
        ],
      } as TopLevelSpec,
      'Capacity search: each probe\'s users and whether it met the SLO',
    )}</figure>`;
  }
  return section('capacity', 'Capacity search', `<p>${answer}. ${esc(cap.reason)}</p>${chart}`);
}

// ---------------------------------------------------------------------------------------------
// Text sections.

function header(run: RunRecord): string {
  const loc = run.environment.locust;
  const when =
    run.finishedAt === null
      ? `${esc(utc(run.startedAt))}, still running`
      : `${esc(utc(run.startedAt))} → ${esc(utc(run.finishedAt))} (${duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))})`;
  const status =
    run.status === 'running' ? `running (${run.stages.length} of ${run.plan.stages.length} stages finished)` : run.status;
  const rows: [string, string][] = [
    ['Run', `<code>${esc(run.runId)}</code>`],
    ['When', when],
    [
      'Locust',
      `${esc(loc.version ?? 'version unknown')} at <code>${esc(loc.url)}</code>` +
        (loc.embedded ? ' (embedded local stack)' : '') +
        (run.environment.workers === null ? '' : ` · ${run.environment.workers} ${run.environment.workers === 1 ? 'worker' : 'workers'}`),
    ],
  ];
  if (run.plan.target.host !== null) rows.push(['Target', `<code>${esc(run.plan.target.host)}</code>`]);
  const k = run.environment.kubernetes;
  if (k !== null) rows.push(['Kubernetes', `namespace <code>${esc(k.namespace)}</code> at <code>${esc(k.server)}</code>${k.inCluster ? ' (in cluster)' : ''}`]);
  rows.push(['Matrix', `<code>${esc(run.plan.source)}</code> · ${run.plan.stages.length} planned ${run.plan.stages.length === 1 ? 'stage' : 'stages'}`]);
  const error = run.error === null ? '' : `<p class="alert bad"><strong>Error:</strong> ${esc(run.error)}</p>`;
  return (
    `<header><h1>Load test: ${esc(run.name)}</h1>` +
    `<p class="badges">${badge(`status: ${status}`, statusTone(run.status))} ${badge(`verdict: ${run.verdict}`, run.verdict === 'pass' ? 'good' : run.verdict === 'fail' ? 'bad' : 'neutral')}</p>` +
    `<dl class="meta">${rows.map(([k2, v]) => `<dt>${k2}</dt><dd>${v}</dd>`).join('')}</dl>${error}</header>`
  );
}

function highlights(run: RunRecord): string {
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
      card('Capacity', run.capacity.users === null ? '<strong class="bad">none met the SLO</strong>' : `<strong>${run.capacity.users} users</strong> meet the SLO`),
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
        run.comparison.regression ? `<strong class="bad">regression</strong>: ${esc(run.comparison.reason)}` : `<strong class="good">no regression</strong>: ${esc(run.comparison.reason)}`,
      ),
    );
  }
  return `<section id="highlights" class="cards">${cards.join('')}</section>`;
}

function summaryTable(run: RunRecord): string {
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

function incomplete(run: RunRecord): string {
  const list = run.stages.filter((s) => s.status !== 'completed');
  if (list.length === 0) return '';
  const items = list.map((s) => `<li>${stageRef(s.index, s.name)}: ${badge(s.status, s.status === 'skipped' ? 'neutral' : 'bad')} ${esc(s.reason ?? 'no reason recorded')}</li>`);
  return section('incomplete', 'Stages that did not complete', `<ul class="plain">${items.join('')}</ul>`);
}

function sloSection(run: RunRecord): string {
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

function comparisonSection(run: RunRecord): string {
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
    cur !== undefined
      ? stageRef(cur.index, cur.name)
      : s.currentIndex === null
        ? '<span class="muted">only in the baseline</span>'
        : `stage ${s.currentIndex}`;
  const base = s.baselineIndex === null ? ' <span class="tag">new</span>' : '';
  return `${label}${base}<br><span class="small">${esc(s.key)}</span>`;
}

function failuresSection(run: RunRecord): string {
  const rows = run.stages
    .flatMap((s) => s.failures.map((f) => ({ s, f })))
    .sort((a, b) => b.f.occurrences - a.f.occurrences);
  if (rows.length === 0) return '';
  const body = rows
    .slice(0, MAX_FAILURE_ROWS)
    .map(
      ({ s, f }) =>
        `<tr><td>${stageRef(s.index, s.name)}</td><td><code>${esc(`${f.method} ${f.name}`.trim())}</code></td>` +
        `<td class="err">${esc(truncate(f.error))}</td><td class="num">${group(f.occurrences)}</td></tr>`,
    );
  const more = rows.length > MAX_FAILURE_ROWS ? `<p class="muted">${rows.length - MAX_FAILURE_ROWS} more in the stages' failures.csv.</p>` : '';
  return section(
    'failures',
    'Failures',
    `<div class="scroll"><table><thead><tr><th>Stage</th><th>Request</th><th>Error</th><th class="num">Occurrences</th></tr></thead><tbody>${body.join('')}</tbody></table></div>${more}`,
  );
}

function howToRead(run: RunRecord): string {
  return (
    `<footer><h2>How to read this</h2><ul>` +
    "<li>Each stage is measured over its <strong>window</strong>, after the ramp-up, from the master's stats reset until the users were stopped.</li>" +
    "<li><strong>RPS</strong> = requests in the window / window seconds. <strong>p50/p95/p99/Max</strong> are cumulative over the whole window, as in Locust's CSV; the time series show Locust's rolling values.</li>" +
    '<li><strong>Fail %</strong> = failed requests / requests. The <strong>knee</strong> is the first stage (by users) where p95 climbs more than 1.5× above the lower-load level, or throughput grows less than half as fast as the users.</li>' +
    '<li>Every number is in <code>summary.csv</code> and <code>run.json</code>; Locust\'s own CSVs and the time series are in <code>stages/</code>.</li>' +
    `</ul><p class="muted">Written by locust-driver ${esc(run.environment.driver)} on Node.js ${esc(run.environment.node)}.</p></footer>`
  );
}

// ---------------------------------------------------------------------------------------------
// Helpers.

function page(run: RunRecord, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="locust-driver ${esc(run.environment.driver)}">
<title>${esc(run.name)} · ${esc(run.runId)} · load test report</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;--good:#1a7f37;--good-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--warn-bg:#fff8c5;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:24px;margin:0 0 8px;overflow-wrap:anywhere}
h2{font-size:18px;margin:0 0 12px}
h3{font-size:15px;margin:0 0 2px;overflow-wrap:anywhere}
header,section,footer{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 16px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0 0}
.meta dt{color:var(--muted)}
.meta dd{margin:0;overflow-wrap:anywhere}
.badges{margin:0 0 4px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.badge.good{background:var(--good-bg);color:var(--good);border-color:#aceebb}
.badge.bad{background:var(--bad-bg);color:var(--bad);border-color:#ffcecb}
.badge.neutral{background:#eaeef2;color:var(--muted)}
.badge.info{background:#ddf4ff;color:var(--accent)}
.tag{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;background:#eaeef2;color:var(--muted)}
.tag.good{background:var(--good-bg);color:var(--good)}
.tag.warnt{background:var(--warn-bg);color:#9a6700}
.good{color:var(--good)}
.bad{color:var(--bad)}
.muted{color:var(--muted)}
.small{display:block;font-size:11px;color:var(--muted)}
.big{display:block;font-weight:600}
.alert{padding:8px 12px;border-radius:6px}
.alert.bad{background:var(--bad-bg);border:1px solid #ffcecb}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;overflow-wrap:anywhere}
.card h2{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:0 0 4px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td{overflow-wrap:break-word}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
tr.warn td{background:#fffbea}
tr.breach td{background:var(--bad-bg)}
td.regress{background:#ffd8d3;color:var(--bad)}
table.slo td:first-child{width:30%}
td.err{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
figure{margin:0;min-width:0}
figure svg{display:block;max-width:100%;height:auto}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:16px 24px;align-items:start}
.grid2 .span{grid-column:1/-1}
.swatch{display:inline-block;width:14px;height:3px;border-radius:2px;vertical-align:middle;margin:0 4px 0 6px}
.stages{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:16px}
.stage{border:1px solid var(--line);border-radius:8px;padding:12px;min-width:0}
.stage p{margin:0 0 6px;font-size:12px}
ul.plain{padding-left:18px;margin:0}
ul.plain li{margin:4px 0;overflow-wrap:anywhere}
footer ul{padding-left:18px}
@media (max-width:520px){main{padding:12px 8px}header,section,footer{padding:12px}}
`;

function swatch(color: string, label: string): string {
  return `<span class="swatch" style="background:${color}"></span>${label}`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${title}</h2>${body}</section>`;
}

function card(title: string, body: string): string {
  return `<div class="card"><h2>${title}</h2><div>${body}</div></div>`;
}

function badge(text: string, tone: 'good' | 'bad' | 'neutral' | 'info'): string {
  return `<span class="badge ${tone}">${esc(text)}</span>`;
}

function statusTone(status: RunRecord['status']): 'good' | 'bad' | 'info' {
  return status === 'completed' ? 'good' : status === 'running' ? 'info' : 'bad';
}

function stageTitle(s: StageResult): string {
  return `Stage ${s.index} · ${esc(s.name)} ${s.status === 'completed' ? '' : badge(s.status, 'bad')}`.trim();
}

function stageRef(index: number, name: string): string {
  return `stage ${index} · ${esc(name)}`;
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

function noKnee(stages: readonly StageResult[]): string {
  const users = stages.filter((s) => s.status === 'completed' && s.totals !== null && s.totals.requests > 0).map((s) => s.users);
  if (new Set(users).size < 2) return 'none: needs at least two completed stages with different user counts';
  return `no knee: latency stayed flat up to ${Math.max(...users)} users`;
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

function pctText(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}




function truncate(text: string): string {
  const one = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return one.length > MAX_ERROR_CHARS ? `${one.slice(0, MAX_ERROR_CHARS - 1)}…` : one;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value: markup characters escaped, control characters and lone surrogates replaced. */
export function esc(text: string): string {
  return text
    .toWellFormed()
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD');
}
