// SVG text, and the ink and font the charts are drawn with.
import { esc } from '../escape.js';

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
export const INK = { grid: '#ececec', domain: '#bbb', label: '#555', title: '#333', heading: '#222' };
const FONT_ATTR = `font-family="${FONT}"`;

/** Layout width of a text (no font metrics in Node: an average glyph is ~0.6 em). */
export const textWidth = (text: string, size: number): number => Math.ceil(text.length * size * 0.6);
/** Coordinates to a tenth of a pixel: as sharp as a screen shows, and short in the SVG. */
export const r1 = (v: number): number => Math.round(v * 10) / 10;

export function text(
  x: number,
  y: number,
  body: string,
  o: { size?: number; color?: string; anchor?: 'start' | 'middle' | 'end'; weight?: number; transform?: string } = {},
): string {
  const size = o.size ?? 10;
  const pos = o.transform === undefined ? `x="${r1(x)}" y="${r1(y)}"` : `transform="${o.transform}"`;
  return (
    `<text ${pos} text-anchor="${o.anchor ?? 'start'}" ${FONT_ATTR} font-size="${size}px"` +
    `${o.weight === undefined ? '' : ` font-weight="${o.weight}"`} fill="${o.color ?? INK.label}">${esc(body)}</text>`
  );
}
