// What a chart draws in its plot: lines, dots, bars, rules, labels and notes.
import type { Scale, Value } from './scale.js';
import { r1, text } from './text.js';

/** The plot area a mark is drawn in, in its own coordinates (0, 0 at the top left). */
export interface Plot {
  width: number;
  height: number;
}

export type Mark =
  | { kind: 'line'; points: readonly (readonly [Value, Value])[]; color: string; width?: number; dash?: string; step?: boolean; opacity?: number }
  | { kind: 'dots'; points: readonly (readonly [Value, Value])[]; color: string | ((i: number) => string); r?: number }
  | { kind: 'bars'; bars: readonly { x: string; y: number; color: string }[] }
  /** A vertical rule across the plot; its label goes above the plot (`above`) or inside at the top. */
  | { kind: 'vrule'; x: number; color: string; dash?: string; label?: string; labelColor?: string; bold?: boolean; above?: boolean }
  | { kind: 'hrule'; y: number; color: string; dash?: string; opacity?: number }
  | { kind: 'label'; x: Value; y: Value; text: string; dx?: number; dy?: number; anchor?: 'start' | 'middle' | 'end'; color?: string; size?: number }
  /** Text in the middle of the plot ("no data"). */
  | { kind: 'note'; text: string; color: string; size?: number };

export function drawMark(m: Mark, sx: Scale, sy: Scale, p: Plot): string {
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
