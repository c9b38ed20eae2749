// Scales: a linear axis maps its rounded-out ticks onto the pixels (y upwards), a band axis gives
// each category a bar-wide slot, a point axis a position, and extent() ignores what is not a number.
import { describe, expect, it } from 'vitest';
import { extent, scaleOf } from '../../../../../../src/adapters/report/html/chart-kit/scale.js';

describe('scaleOf', () => {
  it('maps a vertical linear axis bottom-up over its rounded-out domain, a tick per 40 px', () => {
    // 200 px: 5 ticks over 0..97, rounded out to 0..100.
    const s = scaleOf({ kind: 'linear', min: 0, max: 97, title: null }, 200, true);
    expect(s.ticks).toEqual([
      { at: 200, label: '0' },
      { at: 160, label: '20' },
      { at: 120, label: '40' },
      { at: 80, label: '60' },
      { at: 40, label: '80' },
      { at: 0, label: '100' },
    ]);
    expect(s.pos(0)).toBe(200);
    expect(s.pos(100)).toBe(0);
    expect(s.pos(25)).toBe(150);
    expect(s.pos(100 / 3)).toBe(133.3); // to a tenth of a pixel
    expect(s.band).toBe(0);
  });

  it('maps a horizontal linear axis left to right, a tick per 80 px, labels grouped', () => {
    // 400 px: 5 ticks over 0..3600 s, not rounded out (a time axis).
    const s = scaleOf({ kind: 'linear', min: 0, max: 3_600, title: null, nice: false }, 400, false);
    expect(s.ticks.map((t) => t.label)).toEqual(['0', '1,000', '2,000', '3,000']);
    expect(s.ticks.map((t) => t.at)).toEqual([0, 111.1, 222.2, 333.3]);
    expect(s.pos(3_600)).toBe(400);
    expect(s.pos('1800')).toBe(200); // a category-typed value is read as a number
  });

  it('steps an integer axis by whole numbers', () => {
    const s = scaleOf({ kind: 'linear', min: 0, max: 4, title: null, integer: true }, 220, true);
    expect(s.ticks.map((t) => t.label)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('gives each category of a band axis a slot and a bar 80% of it wide', () => {
    const s = scaleOf({ kind: 'band', domain: ['1', '2', '3', '4'], title: null }, 400, false);
    expect(s.ticks).toEqual([
      { at: 50, label: '1' },
      { at: 150, label: '2' },
      { at: 250, label: '3' },
      { at: 350, label: '4' },
    ]);
    expect(s.band).toBe(80);
    expect(s.pos('3')).toBe(250);
    expect(s.pos('unknown')).toBe(50); // an unknown category falls to the first slot
  });

  it('places the categories of a point axis first at the top, without bars', () => {
    const s = scaleOf({ kind: 'point', domain: ['a', 'b', 'c'], title: null }, 90, true);
    expect(s.ticks).toEqual([
      { at: 15, label: 'a' },
      { at: 45, label: 'b' },
      { at: 75, label: 'c' },
    ]);
    expect(s.band).toBe(0);
  });

  it('keeps an empty category axis drawable', () => {
    const s = scaleOf({ kind: 'band', domain: [], title: null }, 100, false);
    expect(s.ticks).toEqual([]);
    expect(s.band).toBe(80);
  });
});

describe('extent', () => {
  it('is [min, max] of the finite numbers', () => {
    expect(extent([3, NaN, -1, Infinity, 7, -Infinity])).toEqual([-1, 7]);
    expect(extent(new Set([5]))).toEqual([5, 5]);
  });

  it('is [0, 0] when there is no finite number', () => {
    expect(extent([])).toEqual([0, 0]);
    expect(extent([NaN, Infinity])).toEqual([0, 0]);
  });
});
