// report.html: one self-contained page a person opens from the report folder, offline. Every chart
// is plain SVG drawn here from numbers (no chart library, no browser, no canvas) and inlined; the
// page has no script at all and a Content-Security-Policy that forbids fetching anything, so it
// shows the same in a mail attachment, a CI artifact viewer or a browser offline.
// Run-provided text (names, reasons, URLs, errors) only ever reaches the page through esc(); the
// charts carry numbers and labels built here from numbers.
//
// The page is rewritten after every stage, while the next stage runs in the same process, so it
// must be cheap: a chart costs about a millisecond and a few kilobytes, and a time series keeps at
// most a few hundred points per line whatever the run's length (min/max decimation, LineDecimator),
// so a 24-hour run at 1-s sampling renders in a fraction of a second with bounded memory.
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
import { DASH, duration, group, msCell, noKnee, num, utc } from './cells.js';

export interface HtmlReportOptions {
  /** Called with every warning while drawing the charts (kept for callers; the SVG drawing gives none). */
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
export async function reportHtml(run: RunRecord, _options: HtmlReportOptions = {}): Promise<string> {
  const parts: string[] = [];
  parts.push(header(run));
  parts.push(highlights(run));
  parts.push(mainCharts(run));
  parts.push(summaryTable(run));
  parts.push(incomplete(run));
  parts.push(sloSection(run));
  parts.push(comparisonSection(run));
  parts.push(capacitySection(run));
  parts.push(replicasSection(run));
  parts.push(await stageSeries(run));
  parts.push(failuresSection(run));
  parts.push(howToRead(run));
  return page(run, parts.filter((p) => p !== '').join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Charts: plain SVG. A chart is a plot area with axes (grid, ticks, labels, titles), an optional
// title and legend above it, and marks drawn in the axes' coordinates.

const WIDTH = 420;
const HEIGHT = 220;
/** Points per line in a stage's time series: two per pixel column of the 420-px chart. */
export const STAGE_LINE_POINTS = 2 * WIDTH;
const REPLICAS_WIDTH = 1000;
/** Points per line in the replicas chart: one per pixel column of the 1000-px chart. */
export const REPLICAS_LINE_POINTS = REPLICAS_WIDTH;

const PAD = 6;
const TICK = 5;
const INK = { grid: '#ececec', domain: '#bbb', label: '#555', title: '#333', heading: '#222' };
const FONT_ATTR = `font-family="${FONT}"`;

/** Layout width of a text (no font metrics in Node: an average glyph is ~0.6 em). */
const textWidth = (text: string, size: number): number => Math.ceil(text.length * size * 0.6);
const r1 = (v: number): number => Math.round(v * 10) / 10;

function text(x: number, y: number, body: string, o: { size?: number; color?: string; anchor?: 'start' | 'middle' | 'end'; weight?: number; transform?: string } = {}): string {
  const size = o.size ?? 10;
  const pos = o.transform === undefined ? `x="${r1(x)}" y="${r1(y)}"` : `transform="${o.transform}"`;
  return (
    `<text ${pos} text-anchor="${o.anchor ?? 'start'}" ${FONT_ATTR} font-size="${size}px"` +
    `${o.weight === undefined ? '' : ` font-weight="${o.weight}"`} fill="${o.color ?? INK.label}">${esc(body)}</text>`
  );
}

/** A "nice" step for about `count` ticks over a span (1, 2 or 5 × a power of ten), as d3 and Vega pick them. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const err = raw / power;
  return power * (err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1);
}

export interface AxisTicks {
  lo: number;
  hi: number;
  ticks: number[];
  decimals: number;
}

/**
 * Ticks of a [min, max] axis with about `count` ticks. `nice`: the ends are rounded out to whole
 * steps (value axes); otherwise the axis spans exactly [min, max] (a time axis ends where the
 * samples end). `integer`: steps of at least 1 (counts). An empty span gets room around its value.
 */
export function axisTicks(min: number, max: number, count: number, nice = true, integer = false): AxisTicks {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : lo + 1;
  if (!(hi > lo)) {
    const room = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    hi = lo + room;
    lo = lo - room < 0 && lo >= 0 ? 0 : lo - room;
  }
  const stepFor = (span: number) => (integer ? Math.max(1, Math.round(niceStep(span, count))) : niceStep(span, count));
  let step = stepFor(hi - lo);
  if (nice) {
    // Rounding the ends out can call for a coarser step (as d3's nice() iterates): settle once more.
    for (let i = 0; i < 2; i++) {
      lo = Math.floor(lo / step + 1e-9) * step;
      hi = Math.ceil(hi / step - 1e-9) * step;
      const again = stepFor(hi - lo);
      if (again === step) break;
      step = again;
    }
  }
  // At most 20 decimals (toFixed and toLocaleString refuse more): a series of denormal values is
  // drawn flat at 0 rather than crash the report.
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const ticks: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return { lo, hi, ticks, decimals };
}

function tickLabel(v: number, decimals: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

type Value = number | string;

/** Where a value lands along an axis of `size` pixels. */
interface Scale {
  size: number;
  pos(v: Value): number;
  /** Tick positions and labels. */
  ticks: { at: number; label: string }[];
  /** Bar width of a band axis (0 otherwise). */
  band: number;
}

type AxisSpec =
  | { kind: 'linear'; min: number; max: number; title: string | null; nice?: boolean; integer?: boolean; labels?: boolean }
  /** Categories with a band each (bars), left to right. */
  | { kind: 'band'; domain: string[]; title: string | null }
  /** Categories as points, first at the top (an ordinal y axis). */
  | { kind: 'point'; domain: string[]; title: string | null };

function scaleOf(axis: AxisSpec, size: number, vertical: boolean): Scale {
  if (axis.kind === 'linear') {
    // About a tick per 40 px up the side, per 80 px along the bottom (room for the labels).
    const t = axisTicks(axis.min, axis.max, Math.ceil(size / (vertical ? 40 : 80)), axis.nice ?? true, axis.integer ?? false);
    const at = (v: number) => {
      const f = (v - t.lo) / (t.hi - t.lo);
      return r1(vertical ? size - f * size : f * size);
    };
    return { size, pos: (v) => at(Number(v)), ticks: t.ticks.map((v) => ({ at: at(v), label: tickLabel(v, t.decimals) })), band: 0 };
  }
  const n = Math.max(1, axis.domain.length);
  const step = size / n;
  const index = (v: Value) => Math.max(0, axis.domain.indexOf(String(v)));
  const pos = (v: Value) => r1((index(v) + 0.5) * step);
  return { size, pos, ticks: axis.domain.map((d) => ({ at: pos(d), label: d })), band: axis.kind === 'band' ? Math.max(1, step * 0.8) : 0 };
}

type Mark =
  | { kind: 'line'; points: readonly (readonly [Value, Value])[]; color: string; width?: number; dash?: string; step?: boolean; opacity?: number }
  | { kind: 'dots'; points: readonly (readonly [Value, Value])[]; color: string | ((i: number) => string); r?: number }
  | { kind: 'bars'; bars: readonly { x: string; y: number; color: string }[] }
  /** A vertical rule across the plot; its label goes above the plot (`above`) or inside at the top. */
  | { kind: 'vrule'; x: number; color: string; dash?: string; label?: string; labelColor?: string; bold?: boolean; above?: boolean }
  | { kind: 'hrule'; y: number; color: string; dash?: string; opacity?: number }
  | { kind: 'label'; x: Value; y: Value; text: string; dx?: number; dy?: number; anchor?: 'start' | 'middle' | 'end'; color?: string; size?: number }
  /** Text in the middle of the plot ("no data"). */
  | { kind: 'note'; text: string; color: string; size?: number };

interface LegendItem {
  label: string;
  color: string;
  symbol: 'circle' | 'line';
  dash?: string;
}

interface Panel {
  width: number;
  height: number;
  x: AxisSpec;
  y: AxisSpec;
  marks: Mark[];
  /** A heading over the panel (a facet's name). */
  heading?: string;
}

/** A panel (plot, axes, marks) as SVG in its own coordinates, with the room it needs around the plot. */
function drawPanel(p: Panel): { body: string; left: number; top: number; right: number; bottom: number } {
  const sx = scaleOf(p.x, p.width, false);
  const sy = scaleOf(p.y, p.height, true);
  // An axis without labels (a panel stacked over another) keeps its grid, not its ticks.
  const xTicks = p.x.kind === 'linear' && p.x.labels === false ? [] : sx.ticks;
  const yLabelW = Math.max(0, ...sy.ticks.map((t) => textWidth(t.label, 10)));
  const yTitleW = p.y.title ? 15 : 0;
  const left = TICK + 3 + yLabelW + yTitleW;
  const above = p.marks.some((m) => m.kind === 'vrule' && m.above && m.label) ? 16 : 0;
  const top = above + (p.heading ? 20 : 0);
  // Room on the right for what sticks out: the last tick label, labels next to points and rules.
  const lastX = xTicks.at(-1);
  let right = p.x.kind === 'linear' && lastX ? Math.max(0, lastX.at + textWidth(lastX.label, 10) / 2 - p.width) : 0;
  for (const m of p.marks) {
    const reach =
      m.kind === 'label' && (m.anchor ?? 'start') === 'start'
        ? sx.pos(m.x) + (m.dx ?? 0) + textWidth(m.text, m.size ?? 10)
        : m.kind === 'vrule' && m.label
          ? sx.pos(m.x) + (m.above ? textWidth(m.label, 10) / 2 : 4 + textWidth(m.label, 10))
          : 0;
    right = Math.max(right, reach - p.width);
  }
  const bottom = (xTicks.length > 0 ? TICK + 13 : 0) + (p.x.title ? 16 : 0);
  const o: string[] = [];
  if (p.heading) o.push(text(p.width / 2, -above - 8, p.heading, { size: 12, weight: 600, color: INK.title, anchor: 'middle' }));
  // Grid, then the axes' lines and labels: one <line> each, as a browser's inspector shows them.
  const line = (x1: number, y1: number, x2: number, y2: number, color: string) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="1"/>`;
  if (p.x.kind === 'linear') for (const t of sx.ticks) o.push(line(t.at + 0.5, 0, t.at + 0.5, p.height, INK.grid));
  if (p.y.kind === 'linear') for (const t of sy.ticks) o.push(line(0, t.at + 0.5, p.width, t.at + 0.5, INK.grid));
  o.push(line(0.5, 0, 0.5, p.height, INK.domain), line(0, p.height + 0.5, p.width, p.height + 0.5, INK.domain));
  for (const t of xTicks) o.push(line(t.at + 0.5, p.height, t.at + 0.5, p.height + TICK, INK.domain));
  for (const t of sy.ticks) o.push(line(0, t.at + 0.5, -TICK, t.at + 0.5, INK.domain));
  for (const t of xTicks) o.push(text(t.at, p.height + TICK + 11, t.label, { anchor: 'middle' }));
  for (const t of sy.ticks) o.push(text(-TICK - 2, t.at + 3, t.label, { anchor: 'end' }));
  if (p.x.title) o.push(text(p.width / 2, p.height + TICK + 13 + 14, p.x.title, { size: 11, weight: 600, color: INK.title, anchor: 'middle' }));
  if (p.y.title) o.push(text(0, 0, p.y.title, { size: 11, weight: 600, color: INK.title, anchor: 'middle', transform: `translate(${-(TICK + 3 + yLabelW + 4)},${p.height / 2}) rotate(-90)` }));
  for (const m of p.marks) o.push(drawMark(m, sx, sy, p));
  return { body: o.join(''), left, top, right, bottom };
}

function drawMark(m: Mark, sx: Scale, sy: Scale, p: Panel): string {
  switch (m.kind) {
    case 'line': {
      if (m.points.length === 0) return '';
      let d = '';
      m.points.forEach(([x, y], i) => {
        const px = sx.pos(x);
        const py = sy.pos(y);
        d += i === 0 ? `M${px},${py}` : m.step ? `H${px}V${py}` : `L${px},${py}`;
      });
      return `<path d="${d}" stroke="${m.color}" stroke-width="${m.width ?? 2}" stroke-linejoin="round" stroke-linecap="round"${m.dash ? ` stroke-dasharray="${m.dash}"` : ''}${m.opacity === undefined ? '' : ` opacity="${m.opacity}"`}/>`;
    }
    case 'dots':
      return m.points
        .map(([x, y], i) => `<circle cx="${sx.pos(x)}" cy="${sy.pos(y)}" r="${m.r ?? 3.5}" fill="${typeof m.color === 'function' ? m.color(i) : m.color}"/>`)
        .join('');
    case 'bars':
      return m.bars
        .map((b) => {
          const x = sx.pos(b.x) - sx.band / 2;
          const y = sy.pos(b.y);
          const h = Math.max(0, r1(p.height - y));
          return `<path d="M${r1(x)},${p.height}v${-h}h${r1(sx.band)}v${h}Z" fill="${b.color}"/>`;
        })
        .join('');
    case 'vrule': {
      const x = sx.pos(m.x);
      const rule = `<path d="M${x},0v${p.height}" stroke="${m.color}" stroke-width="1"${m.dash ? ` stroke-dasharray="${m.dash}"` : ''}/>`;
      if (!m.label) return rule;
      const o = { size: 10, color: m.labelColor ?? m.color, ...(m.bold ? { weight: 600 } : {}) };
      return rule + (m.above ? text(x, -5, m.label, { ...o, anchor: 'middle' }) : text(x + 4, 11, m.label, o));
    }
    case 'hrule': {
      const y = sy.pos(m.y);
      return `<path d="M0,${y}h${p.width}" stroke="${m.color}" stroke-width="2"${m.dash ? ` stroke-dasharray="${m.dash}"` : ''}${m.opacity === undefined ? '' : ` opacity="${m.opacity}"`}/>`;
    }
    case 'label':
      return text(sx.pos(m.x) + (m.dx ?? 0), sy.pos(m.y) + (m.dy ?? 0), m.text, { size: m.size ?? 10, color: m.color ?? '#444', anchor: m.anchor ?? 'start' });
    case 'note':
      return text(p.width / 2, p.height / 2, m.text, { size: m.size ?? 10, color: m.color, anchor: 'middle' });
  }
}

function drawLegend(items: readonly LegendItem[]): { body: string; width: number } {
  let x = 0;
  const o: string[] = [];
  for (const it of items) {
    o.push(
      it.symbol === 'circle'
        ? `<circle cx="${x + 5}" cy="0" r="4" fill="${it.color}"/>`
        : `<path d="M${x},0h16" stroke="${it.color}" stroke-width="2"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`,
    );
    const sw = it.symbol === 'circle' ? 13 : 20;
    o.push(text(x + sw, 4, it.label, { size: 11 }));
    x += sw + textWidth(it.label, 11) + 14;
  }
  return { body: o.join(''), width: x };
}

/**
 * A whole chart: optional title and legend on top, then the panels in a grid of `columns`.
 * The result is an inline <svg> (no xmlns: the HTML parser puts <svg> in the SVG namespace).
 */
function chart(label: string, panels: Panel[], o: { title?: string; legend?: LegendItem[]; columns?: number } = {}): string {
  const drawn = panels.map(drawPanel);
  const columns = Math.max(1, Math.min(o.columns ?? 1, panels.length));
  const rows = Math.ceil(panels.length / columns);
  const left = Math.max(0, ...drawn.map((d) => d.left));
  const right = Math.max(0, ...drawn.map((d) => d.right));
  const cellW = Math.max(...panels.map((p) => p.width)) + left + right + (columns > 1 ? 16 : 0);
  // Each row as high as its tallest panel, plot tops aligned within a row.
  const rowTop: number[] = [];
  const rowH: number[] = [];
  for (let r = 0; r < rows; r++) {
    const idx = panels.map((_, i) => i).filter((i) => Math.floor(i / columns) === r);
    const top = Math.max(0, ...idx.map((i) => drawn[i]?.top ?? 0));
    rowTop.push(top);
    rowH.push(top + Math.max(...idx.map((i) => (panels[i]?.height ?? 0) + (drawn[i]?.bottom ?? 0))) + (r < rows - 1 ? 12 : 0));
  }
  const titleH = o.title ? 20 : 0;
  const legend = o.legend && o.legend.length > 0 ? drawLegend(o.legend) : null;
  const legendH = legend ? 20 : 0;
  const width = Math.ceil(PAD * 2 + Math.max(columns * cellW, left + (legend?.width ?? 0), o.title ? textWidth(o.title, 13) : 0));
  const height = Math.ceil(PAD * 2 + titleH + legendH + rowH.reduce((a, b) => a + b, 0));
  const out = [
    `<svg role="img" aria-label="${esc(label)}" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<g fill="none" transform="translate(${PAD},${PAD})">`,
  ];
  if (o.title) out.push(text(0, 13, o.title, { size: 13, weight: 600, color: INK.heading }));
  if (legend) out.push(`<g transform="translate(${left},${titleH + 10})">${legend.body}</g>`);
  drawn.forEach((d, i) => {
    const r = Math.floor(i / columns);
    const x = (i % columns) * cellW + left;
    const y = titleH + legendH + rowH.slice(0, r).reduce((a, b) => a + b, 0) + (rowTop[r] ?? 0);
    out.push(`<g transform="translate(${x},${y})">${d.body}</g>`);
  });
  out.push('</g></svg>');
  return out.join('');
}

/** [min, max] of some numbers (NaN-free); [0, 0] when there are none. */
function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Min/max decimation of a line, fed one point at a time (no copy of the input is kept): the x range
 * [x0, x1] is cut into maxPoints / 2 equal slices and each slice keeps its lowest and its highest
 * point, in x order, so the line looks the same at chart resolution and every peak and dip survives.
 * Points must come in x order. A line of at most maxPoints points is kept as it is.
 */
export class LineDecimator {
  private readonly slices: number;
  private raw: Point[] | null = [];
  private readonly out: Point[] = [];
  private slice = -1;
  // The current slice's extremes, as numbers: nothing is allocated per point once past maxPoints.
  private loX = 0;
  private loY = 0;
  private hiX = 0;
  private hiY = 0;
  /** Points pushed so far. */
  count = 0;

  constructor(
    private readonly x0: number,
    private readonly x1: number,
    private readonly maxPoints: number,
  ) {
    this.slices = Math.max(1, Math.floor(maxPoints / 2));
  }

  push(x: number, y: number): void {
    this.count++;
    // Below the limit the points are kept as they are (and decimated too, in case more come).
    if (this.raw !== null) {
      if (this.count <= this.maxPoints) this.raw.push({ x, y });
      else this.raw = null;
    }
    const span = this.x1 - this.x0;
    const k = span > 0 ? Math.max(0, Math.min(this.slices - 1, Math.floor(((x - this.x0) / span) * this.slices))) : 0;
    if (k !== this.slice) {
      this.flush();
      this.slice = k;
      this.loX = this.hiX = x;
      this.loY = this.hiY = y;
    } else if (y < this.loY) {
      this.loX = x;
      this.loY = y;
    } else if (y > this.hiY) {
      this.hiX = x;
      this.hiY = y;
    }
  }

  /** The line to draw. */
  points(): readonly Point[] {
    if (this.raw !== null) return this.raw;
    this.flush();
    this.slice = -1;
    return this.out;
  }

  /** True when the line drawn has fewer points than were pushed. */
  get decimated(): boolean {
    return this.raw === null;
  }

  private flush(): void {
    if (this.slice < 0) return;
    const lo = { x: this.loX, y: this.loY };
    const hi = { x: this.hiX, y: this.hiY };
    if (lo.x === hi.x && lo.y === hi.y) this.out.push(lo);
    else if (lo.x <= hi.x) this.out.push(lo, hi);
    else this.out.push(hi, lo);
  }
}

/** {@link LineDecimator} over a whole line (sorted by x). */
export function decimate(points: readonly Point[], maxPoints: number): readonly Point[] {
  const first = points[0];
  const last = points.at(-1);
  if (points.length <= maxPoints || first === undefined || last === undefined) return points;
  const d = new LineDecimator(first.x, last.x, maxPoints);
  for (const p of points) d.push(p.x, p.y);
  return d.points();
}

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

const METRICS = ['p50', 'p90', 'p95', 'p99'] as const;
const METRIC_COLOR: Record<(typeof METRICS)[number], string> = { p50: C.p50, p90: C.p90, p95: C.p95, p99: C.p99 };

function mainCharts(run: RunRecord): string {
  const stages = run.stages.filter(measured).sort((a, b) => a.users - b.users || a.index - b.index);
  if (stages.length === 0) {
    return section('charts', 'Latency, throughput and failures', '<p class="muted">No stage has numbers yet: nothing to chart.</p>');
  }
  const setups = setupsOf(stages);
  const several = setups.length > 1;
  const knee = several ? null : run.summary.knee;
  const kneeRule = (): Mark[] => (knee === null ? [] : [{ kind: 'vrule', x: knee.users, color: '#888', dash: '4,3', label: `knee: ${knee.users} users`, labelColor: '#666' }]);
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
      [{ width: WIDTH, height: HEIGHT, x: { kind: 'linear', min: lo, max: hi, title: 'users' }, y: { kind: 'linear', min: 0, max, title: 'ms' }, marks: [...marks, ...kneeRule()] }],
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
    (several ? `<p class="muted">The stages differ in replicas or workers (${setups.map(esc).join('; ')}): latency has a panel per setup, throughput a line per setup.</p>` : '') +
    `<div class="grid2"><figure${several ? ' class="span"' : ''}>${latencySvg}</figure><figure>${throughputSvg}</figure><figure${wide ? ' class="span"' : ''}>${failSvg}</figure></div>`;
  return section('charts', 'Latency, throughput and failures', body);
}

// The per-stage time series: two panels (requests/s over p50 and p95) on one x axis, seconds into
// the window, with the window's totals dashed.

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

function clusterSampled(x: Sample): boolean {
  return x.replicasReady !== null || x.replicasDesired !== null || x.hpaDesired !== null;
}

function replicasSection(run: RunRecord): string {
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
          ...SERIES.map((s, i): Mark => ({ kind: 'line', points: (lines[i]?.points() ?? []).map((p) => [p.x, p.y] as const), color: s.color, step: true, ...(s.dash ? { dash: s.dash } : {}) })),
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

function capacitySection(run: RunRecord): string {
  const cap = run.capacity;
  if (cap === null) return '';
  const answer =
    cap.users === null
      ? '<strong class="bad">no user count met the SLO</strong>'
      : `<strong>${cap.users} users</strong> met the SLO` + (cap.breachedAt === null ? '' : `; ${cap.breachedAt} users breached it`);
  let figure = '<p class="muted">No probe ran.</p>';
  if (cap.probes.length > 0) {
    const probes = cap.probes.map((p, i) => ({ n: String(i + 1), users: p.users, pass: p.pass }));
    // The answer (green) and the smallest breach (red) as dashed rules, labelled above the plot.
    const rule = (users: number | null, color: string, label: string): Mark[] =>
      users === null ? [] : [{ kind: 'vrule', x: users, color, dash: '4,3', label, bold: true, above: true }];
    const [lo, hi] = extent([...probes.map((p) => p.users), cap.users ?? NaN, cap.breachedAt ?? NaN]);
    const svg = chart(
      "Capacity search: each probe's users and whether it met the SLO",
      [
        {
          width: 720,
          height: Math.max(120, probes.length * 26),
          x: { kind: 'linear', min: lo, max: hi, title: 'users' },
          y: { kind: 'point', domain: probes.map((p) => p.n), title: 'probe' },
          marks: [
            ...rule(cap.users, C.pass, `capacity ${cap.users ?? ''}`),
            ...rule(cap.breachedAt, C.fail, `breach ${cap.breachedAt ?? ''}`),
            { kind: 'line', points: probes.map((p) => [p.users, p.n] as const), color: '#bbb', width: 1 },
            { kind: 'dots', points: probes.map((p) => [p.users, p.n] as const), color: (i) => (probes[i]?.pass ? C.pass : C.fail), r: 5.4 },
            ...probes.map((p): Mark => ({ kind: 'label', x: p.users, y: p.n, dx: 9, dy: 3.5, text: String(p.users) })),
          ],
        },
      ],
      {
        title: 'Probes in the order they ran',
        legend: [
          { label: 'pass', color: C.pass, symbol: 'circle' },
          { label: 'fail', color: C.fail, symbol: 'circle' },
        ],
      },
    );
    figure = `<figure class="wide">${svg}</figure>`;
  }
  return section('capacity', 'Capacity search', `<p>${answer}. ${esc(cap.reason)}</p>${figure}`);
}

async function stageSeries(run: RunRecord): Promise<string> {
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
        { title: 'req/s', height: 90, lines: [{ points: rps ?? [], color: C.rps }], rule: t === null ? null : { v: t.rps, color: C.rps }, emptyMax: t?.rps ?? null },
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
