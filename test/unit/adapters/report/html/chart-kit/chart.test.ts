// A whole chart: the room around each plot follows from its tick labels, titles, headings and
// labels, panels sit in a grid of columns with aligned rows, and title and legend go on top.
import { describe, expect, it } from 'vitest';
import { chart, type Panel } from '../../../../../../src/adapters/report/html/chart-kit/chart.js';

/** A 100 × 50 plot over 0..10 both ways: ticks 0, 5 and 10 on each axis. */
const panel = (o: Partial<Panel> = {}): Panel => ({
  width: 100,
  height: 50,
  x: { kind: 'linear', min: 0, max: 10, title: null },
  y: { kind: 'linear', min: 0, max: 10, title: null },
  marks: [],
  ...o,
});
const size = (svg: string) => /^<svg [^>]*width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg)?.slice(1).map(Number);
const groups = (svg: string) => [...svg.matchAll(/<g transform="translate\(([-\d.]+),([-\d.]+)\)">/g)].map((m) => [Number(m[1]), Number(m[2])]);
const count = (svg: string, re: RegExp) => svg.match(re)?.length ?? 0;

describe('chart', () => {
  it('sizes a plain chart from its plot, tick labels and padding', () => {
    const svg = chart('Plain <chart>', [panel()]);
    // Left of the plot: tick 5 + gap 3 + the widest y label ("10": 12 px) = 20. Right: half the last
    // x label (6 px). Below: tick 5 + label row 13. Around everything: 6 px of padding.
    expect(svg.startsWith('<svg role="img" aria-label="Plain &lt;chart&gt;" version="1.1" width="138" height="80" viewBox="0 0 138 80">')).toBe(true);
    expect(svg).toContain('<rect width="138" height="80" fill="white"/><g fill="none" transform="translate(6,6)"><g transform="translate(20,0)">');
    expect(svg.endsWith('</g></g></svg>')).toBe(true);
    // Grid and axes: 3 + 3 grid lines, 2 domain lines, 3 + 3 tick marks; 6 tick labels.
    expect(count(svg, /<line /g)).toBe(14);
    expect(count(svg, /<text /g)).toBe(6);
    expect(svg).toContain('<line x1="50.5" y1="0" x2="50.5" y2="50" stroke="#ececec" stroke-width="1"/>'); // grid at x = 5
    expect(svg).toContain('<line x1="0" y1="25.5" x2="100" y2="25.5" stroke="#ececec" stroke-width="1"/>'); // grid at y = 5
    expect(svg).toContain('>10</text>');
  });

  it('makes room for axis titles, a chart title and a legend', () => {
    const svg = chart('Titled', [panel({ x: { kind: 'linear', min: 0, max: 10, title: 'users' }, y: { kind: 'linear', min: 0, max: 10, title: 'ms' } })], {
      title: 'Latency (ms)',
      legend: [
        { label: 'p50', color: '#4c78a8', symbol: 'circle' },
        { label: 'p95', color: '#f58518', symbol: 'line', dash: '5,3' },
      ],
    });
    // Title row 20 + legend row 20 + plot 50 + ticks 18 + x title 16 + padding 12.
    expect(size(svg)).toEqual([153, 136, 153, 136]);
    // The y title, rotated, left of the tick labels; the plot 15 px further right for it.
    expect(svg).toContain('transform="translate(-24,25) rotate(-90)"');
    expect(groups(svg)).toEqual([
      [35, 30],
      [35, 40],
    ]);
    expect(svg).toContain('>Latency (ms)</text>');
    expect(svg).toContain('<circle cx="5" cy="0" r="4" fill="#4c78a8"/>');
    // The second legend item after the first's symbol (13), label (3 × 6.6 → 20) and gap (14).
    expect(svg).toContain('<path d="M47,0h16" stroke="#f58518" stroke-width="2" stroke-dasharray="5,3"/>');
  });

  it('lays panels out in columns, each row as high as its tallest panel', () => {
    const svg = chart('Grid', [panel(), panel({ height: 80 }), panel()], { columns: 2 });
    // A cell is the plot (100) + the room left (20) and right (6) + 16 between columns.
    // Row 1: 80 + 18 + 12 between rows; row 2: 50 + 18.
    expect(groups(svg)).toEqual([
      [20, 0],
      [162, 0],
      [20, 110],
    ]);
    expect(size(svg)).toEqual([296, 190, 296, 190]);
  });

  it('never makes more columns than panels', () => {
    expect(size(chart('One', [panel()], { columns: 3 }))).toEqual(size(chart('One', [panel()])));
  });

  it('puts a heading over a panel and a rule label above the plot', () => {
    const svg = chart('Heads', [panel({ heading: '2 replicas', marks: [{ kind: 'vrule', x: 5, color: 'red', label: 'capacity', above: true }] })]);
    // 20 for the heading, 16 for the label above the plot.
    expect(groups(svg)).toEqual([[20, 36]]);
    expect(svg).toContain('<text x="50" y="-24" text-anchor="middle"');
    expect(svg).toContain('>2 replicas</text>');
    expect(size(svg)).toEqual([138, 116, 138, 116]);
  });

  it('widens to the right for a label that sticks out of the plot', () => {
    // A label at x = 10 (the right edge) plus 9 px, 6 glyphs of 6 px: 45 px past the plot.
    const svg = chart('Label', [panel({ marks: [{ kind: 'label', x: 10, y: 5, dx: 9, text: 'abcdef' }] })]);
    expect(size(svg)?.[0]).toBe(12 + 20 + 100 + 45);
  });

  it('keeps the grid of an axis without labels, not its ticks', () => {
    const svg = chart('Stacked', [panel({ x: { kind: 'linear', min: 0, max: 10, title: null, labels: false } })]);
    expect(count(svg, /<line /g)).toBe(14 - 3);
    expect(count(svg, /<text /g)).toBe(3);
    // No room below the plot for labels; the last x label no longer reaches right.
    expect(size(svg)).toEqual([132, 62, 132, 62]);
  });

  it('draws no vertical grid for a band axis', () => {
    const svg = chart('Bars', [panel({ x: { kind: 'band', domain: ['1', '2'], title: null } })]);
    expect(count(svg, /stroke="#ececec"/g)).toBe(3); // the y grid only
  });
});
