// Marks in a plot's coordinates: each kind as the SVG it draws, on scales fixed here (10 px a unit,
// y upwards on a 100-px plot) so that only the mark is under test.
import { describe, expect, it } from 'vitest';
import { drawMark, type Plot } from '../../../../../../src/adapters/report/html/chart-kit/marks.js';
import { type Scale, scaleOf } from '../../../../../../src/adapters/report/html/chart-kit/scale.js';

const plot: Plot = { width: 100, height: 100 };
const sx: Scale = { size: 100, pos: (v) => Number(v) * 10, ticks: [], band: 0 };
const sy: Scale = { size: 100, pos: (v) => 100 - Number(v) * 10, ticks: [], band: 0 };
const draw = (m: Parameters<typeof drawMark>[0], x: Scale = sx) => drawMark(m, x, sy, plot);
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';

describe('drawMark', () => {
  it('draws a line as one path through its points', () => {
    expect(
      draw({
        kind: 'line',
        points: [
          [0, 0],
          [5, 5],
          [10, 2],
        ],
        color: '#f00',
      }),
    ).toBe('<path d="M0,100L50,50L100,80" stroke="#f00" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>');
  });

  it('draws a step line across then up, dashed, thin and faded when asked', () => {
    expect(
      draw({
        kind: 'line',
        points: [
          [0, 1],
          [5, 3],
          [10, 2],
        ],
        color: '#00f',
        step: true,
        width: 1,
        dash: '5,3',
        opacity: 0.5,
      }),
    ).toBe('<path d="M0,90H50V70H100V80" stroke="#00f" stroke-width="1" stroke-linejoin="round" stroke-linecap="round" stroke-dasharray="5,3" opacity="0.5"/>');
  });

  it('draws nothing for a line without points', () => {
    expect(draw({ kind: 'line', points: [], color: '#f00' })).toBe('');
  });

  it('draws dots, coloured per point when the colour is a function', () => {
    expect(
      draw({
        kind: 'dots',
        points: [
          [1, 1],
          [2, 4],
        ],
        color: (i) => (i === 0 ? 'green' : 'red'),
        r: 5,
      }),
    ).toBe('<circle cx="10" cy="90" r="5" fill="green"/><circle cx="20" cy="60" r="5" fill="red"/>');
    expect(draw({ kind: 'dots', points: [[0, 0]], color: '#123' })).toBe('<circle cx="0" cy="100" r="3.5" fill="#123"/>');
  });

  it('draws bars up from the bottom of the plot, centred in their band, never below it', () => {
    // Two categories on 100 px: slots of 50 px, bars 40 px wide, centred at 25 and 75.
    const band = scaleOf({ kind: 'band', domain: ['a', 'b'], title: null }, 100, false);
    expect(
      draw(
        {
          kind: 'bars',
          bars: [
            { x: 'a', y: 3, color: '#00f' },
            { x: 'b', y: -1, color: '#f00' },
          ],
        },
        band,
      ),
    ).toBe('<path d="M5,100v-30h40v30Z" fill="#00f"/><path d="M55,100v0h40v0Z" fill="#f00"/>');
  });

  it('draws a vertical rule over the whole plot, its label inside at the top or above the plot', () => {
    expect(draw({ kind: 'vrule', x: 4, color: '#888', dash: '4,3' })).toBe('<path d="M40,0v100" stroke="#888" stroke-width="1" stroke-dasharray="4,3"/>');
    expect(draw({ kind: 'vrule', x: 4, color: '#888', label: 'knee', labelColor: '#666' })).toBe(
      `<path d="M40,0v100" stroke="#888" stroke-width="1"/><text x="44" y="11" text-anchor="start" ${FONT} font-size="10px" fill="#666">knee</text>`,
    );
    expect(draw({ kind: 'vrule', x: 4, color: 'red', label: 'breach 400', bold: true, above: true })).toBe(
      `<path d="M40,0v100" stroke="red" stroke-width="1"/><text x="40" y="-5" text-anchor="middle" ${FONT} font-size="10px" font-weight="600" fill="red">breach 400</text>`,
    );
  });

  it('draws a horizontal rule across the plot', () => {
    expect(draw({ kind: 'hrule', y: 3, color: '#54a24b', dash: '4,3', opacity: 0.7 })).toBe(
      '<path d="M0,70h100" stroke="#54a24b" stroke-width="2" stroke-dasharray="4,3" opacity="0.7"/>',
    );
  });

  it('draws a label next to a point and a note in the middle, their text escaped', () => {
    expect(draw({ kind: 'label', x: 2, y: 5, dx: 9, dy: 3.5, text: '<b>' })).toBe(
      `<text x="29" y="53.5" text-anchor="start" ${FONT} font-size="10px" fill="#444">&lt;b&gt;</text>`,
    );
    expect(draw({ kind: 'note', text: 'no data', color: '#888' })).toBe(
      `<text x="50" y="50" text-anchor="middle" ${FONT} font-size="10px" fill="#888">no data</text>`,
    );
  });
});
