// Charts: plain SVG. A chart is a plot area with axes (grid, ticks, labels, titles), an optional
// title and legend above it, and marks drawn in the axes' coordinates.
import { esc } from '../escape.js';
import { drawMark, type Mark } from './marks.js';
import { type AxisSpec, scaleOf } from './scale.js';
import { INK, text, textWidth } from './text.js';

const PAD = 6;
const TICK = 5;

export interface LegendItem {
  label: string;
  color: string;
  symbol: 'circle' | 'line';
  dash?: string;
}

export interface Panel {
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
  const line = (x1: number, y1: number, x2: number, y2: number, color: string) =>
    `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="1"/>`;
  if (p.x.kind === 'linear') for (const t of sx.ticks) o.push(line(t.at + 0.5, 0, t.at + 0.5, p.height, INK.grid));
  if (p.y.kind === 'linear') for (const t of sy.ticks) o.push(line(0, t.at + 0.5, p.width, t.at + 0.5, INK.grid));
  o.push(line(0.5, 0, 0.5, p.height, INK.domain), line(0, p.height + 0.5, p.width, p.height + 0.5, INK.domain));
  for (const t of xTicks) o.push(line(t.at + 0.5, p.height, t.at + 0.5, p.height + TICK, INK.domain));
  for (const t of sy.ticks) o.push(line(0, t.at + 0.5, -TICK, t.at + 0.5, INK.domain));
  for (const t of xTicks) o.push(text(t.at, p.height + TICK + 11, t.label, { anchor: 'middle' }));
  for (const t of sy.ticks) o.push(text(-TICK - 2, t.at + 3, t.label, { anchor: 'end' }));
  if (p.x.title) o.push(text(p.width / 2, p.height + TICK + 13 + 14, p.x.title, { size: 11, weight: 600, color: INK.title, anchor: 'middle' }));
  if (p.y.title)
    o.push(
      text(0, 0, p.y.title, {
        size: 11,
        weight: 600,
        color: INK.title,
        anchor: 'middle',
        transform: `translate(${-(TICK + 3 + yLabelW + 4)},${p.height / 2}) rotate(-90)`,
      }),
    );
  for (const m of p.marks) o.push(drawMark(m, sx, sy, p));
  return { body: o.join(''), left, top, right, bottom };
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
export function chart(label: string, panels: Panel[], o: { title?: string; legend?: LegendItem[]; columns?: number } = {}): string {
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
