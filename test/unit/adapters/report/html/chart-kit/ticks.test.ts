// Tick choice: round steps (1, 2 or 5 × a power of ten), ends rounded out on value axes, exact ends
// on time axes, whole steps for counts, room around an empty span, and labels in en-US digits.
import { describe, expect, it } from 'vitest';
import { axisTicks, niceStep, tickLabel } from '../../../../../../src/adapters/report/html/chart-kit/ticks.js';

describe('niceStep', () => {
  it('picks 1, 2, 5 or 10 × a power of ten, whichever is nearest the raw step on a log scale', () => {
    expect(niceStep(100, 5)).toBe(20); // raw 20
    expect(niceStep(97, 5)).toBe(20); // raw 19.4
    expect(niceStep(14, 2)).toBe(5); // raw 7, below √50
    expect(niceStep(75, 10)).toBe(10); // raw 7.5, above √50
    expect(niceStep(30, 10)).toBe(2); // raw 3, below √10
    expect(niceStep(12, 10)).toBe(1); // raw 1.2, below √2
    expect(niceStep(1, 5)).toBeCloseTo(0.2, 12);
    expect(niceStep(3_600, 5)).toBe(1_000); // raw 720
  });

  it('treats a count below one as one', () => {
    expect(niceStep(7, 0)).toBe(5);
  });
});

describe('axisTicks', () => {
  it('rounds a value axis out to whole steps', () => {
    expect(axisTicks(0, 97, 5)).toEqual({ lo: 0, hi: 100, ticks: [0, 20, 40, 60, 80, 100], decimals: 0 });
    expect(axisTicks(50, 400, 5)).toEqual({ lo: 50, hi: 400, ticks: [50, 100, 150, 200, 250, 300, 350, 400], decimals: 0 });
    expect(axisTicks(-3, 7, 5)).toEqual({ lo: -4, hi: 8, ticks: [-4, -2, 0, 2, 4, 6, 8], decimals: 0 });
  });

  it('settles on a coarser step when rounding the ends out calls for one', () => {
    // 3..17 in about 2 ticks: step 5 rounds out to 0..20, which calls for a step of 10.
    expect(axisTicks(3, 17, 2)).toEqual({ lo: 0, hi: 20, ticks: [0, 10, 20], decimals: 0 });
    // 6..19: step 5 rounds out to 5..20, which calls for a step of 10, whose ends are 0..20.
    expect(axisTicks(6, 19, 2)).toEqual({ lo: 0, hi: 20, ticks: [0, 10, 20], decimals: 0 });
  });

  it('gives fractional steps their decimals, without floating-point noise', () => {
    expect(axisTicks(0, 0.17, 3)).toEqual({ lo: 0, hi: 0.2, ticks: [0, 0.05, 0.1, 0.15, 0.2], decimals: 2 });
    expect(axisTicks(0, 0.3, 3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('keeps a time axis at exactly [min, max]', () => {
    expect(axisTicks(0, 3_600, 5, false)).toEqual({ lo: 0, hi: 3_600, ticks: [0, 1_000, 2_000, 3_000], decimals: 0 });
    expect(axisTicks(0, 7.5, 3, false)).toMatchObject({ lo: 0, hi: 7.5, ticks: [0, 2, 4, 6] });
  });

  it('steps counts by whole numbers', () => {
    expect(axisTicks(0, 3, 6, true, true)).toEqual({ lo: 0, hi: 3, ticks: [0, 1, 2, 3], decimals: 0 });
    expect(axisTicks(0, 3, 6).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
  });

  it('gives an empty span room around its value, not below zero for a value at zero', () => {
    expect(axisTicks(100, 100, 5)).toEqual({ lo: 90, hi: 110, ticks: [90, 95, 100, 105, 110], decimals: 0 });
    expect(axisTicks(0, 0, 5)).toEqual({ lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], decimals: 1 });
    expect(axisTicks(NaN, Infinity, 5)).toEqual({ lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], decimals: 1 });
  });

  it('draws denormal values flat at 0 instead of asking for more than 20 decimals', () => {
    const t = axisTicks(0, 1e-310, 5);
    expect(t.decimals).toBe(20);
    expect(t.ticks.length).toBeGreaterThan(1);
    expect(t.ticks.every((v) => v === 0)).toBe(true);
    expect(() => tickLabel(t.ticks[1] ?? 0, t.decimals)).not.toThrow();
  });
});

describe('tickLabel', () => {
  it("groups thousands and shows exactly the step's decimals", () => {
    expect(tickLabel(10_000, 0)).toBe('10,000');
    expect(tickLabel(1_234.5, 1)).toBe('1,234.5');
    expect(tickLabel(0.1, 2)).toBe('0.10');
    expect(tickLabel(-2, 0)).toBe('-2');
  });
});
