// SVG text: positions to a tenth of a pixel, the chart font, escaped content, and the layout width
// the charts make room for.
import { describe, expect, it } from 'vitest';
import { r1, text, textWidth } from '../../../../../../src/adapters/report/html/chart-kit/text.js';

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"';

describe('chart text', () => {
  it('rounds coordinates to a tenth of a pixel', () => {
    expect(r1(12.34)).toBe(12.3);
    expect(r1(12.35)).toBe(12.4);
    expect(r1(-0.04)).toBe(-0);
    expect(r1(7)).toBe(7);
  });

  it('takes ~0.6 em per glyph, rounded up', () => {
    expect(textWidth('abcd', 10)).toBe(24);
    expect(textWidth('abc', 11)).toBe(20); // 19.8
    expect(textWidth('', 10)).toBe(0);
  });

  it('draws a <text> with the defaults, its content escaped', () => {
    expect(text(10.04, 20.06, 'a<b & "c"')).toBe(
      `<text x="10" y="20.1" text-anchor="start" ${FONT} font-size="10px" fill="#555">a&lt;b &amp; &quot;c&quot;</text>`,
    );
  });

  it('takes size, colour, anchor and weight, and a transform instead of x and y', () => {
    expect(text(1, 2, 'T', { size: 13, color: '#222', anchor: 'middle', weight: 600 })).toBe(
      `<text x="1" y="2" text-anchor="middle" ${FONT} font-size="13px" font-weight="600" fill="#222">T</text>`,
    );
    expect(text(1, 2, 'ms', { transform: 'translate(-24,25) rotate(-90)' })).toBe(
      `<text transform="translate(-24,25) rotate(-90)" text-anchor="start" ${FONT} font-size="10px" fill="#555">ms</text>`,
    );
  });
});
