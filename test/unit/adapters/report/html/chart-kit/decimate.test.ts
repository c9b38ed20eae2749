// Min/max decimation: each of maxPoints / 2 equal x slices keeps its lowest and highest point, in x
// order, so a long line stays bounded and keeps every peak and dip; a short line is kept as it is.
import { describe, expect, it } from 'vitest';
import { decimate, LineDecimator, type Point } from '../../../../../../src/adapters/report/html/chart-kit/decimate.js';

/** A line of these y values at x = 0, 1, 2, … */
const line = (ys: readonly number[]): Point[] => ys.map((y, x) => ({ x, y }));
/** A decimator over [x0, x1] fed these [x, y] points. */
function fed(x0: number, x1: number, maxPoints: number, points: Iterable<readonly [number, number]>): LineDecimator {
  const d = new LineDecimator(x0, x1, maxPoints);
  for (const [x, y] of points) d.push(x, y);
  return d;
}
const xy = (points: readonly Point[]) => points.map((p) => [p.x, p.y]);
const pairs = (ys: readonly number[]) => ys.map((y, x) => [x, y] as const);

describe('LineDecimator', () => {
  it("keeps each slice's lowest and highest point, in x order", () => {
    // x 0..9 in 2 slices (0..4, 5..9): the first has its low before its high, the second after.
    const d = fed(0, 9, 4, pairs([5, 1, 9, 3, 4, 2, 8, 0, 6, 7]));
    expect(d.count).toBe(10);
    expect(d.decimated).toBe(true);
    expect(xy(d.points())).toEqual([
      [1, 1],
      [2, 9],
      [6, 8],
      [7, 0],
    ]);
  });

  it('keeps one point of a flat slice', () => {
    expect(xy(fed(0, 9, 4, pairs([3, 3, 3, 3, 3, 1, 2, 3, 4, 5])).points())).toEqual([
      [0, 3],
      [5, 1],
      [9, 5],
    ]);
  });

  it('keeps a line of at most maxPoints points as it is', () => {
    const ys = [5, 1, 9, 3, 4, 2, 8, 0, 6, 7];
    const d = fed(0, 9, 10, pairs(ys));
    expect(d.decimated).toBe(false);
    expect(d.points()).toEqual(line(ys));
  });

  it('puts every point of a zero-width x range in one slice', () => {
    const d = fed(
      5,
      5,
      4,
      Array.from({ length: 10 }, (_, i) => [5, i % 2 === 0 ? i : -i] as const),
    );
    expect(xy(d.points())).toEqual([
      [5, -9],
      [5, 8],
    ]);
  });

  it('clamps points outside [x0, x1] into the first and last slice', () => {
    const d = fed(0, 10, 4, [
      [-5, 1],
      [0, 2],
      [4, 0],
      [6, 3],
      [10, 5],
      [15, 9],
    ]);
    expect(xy(d.points())).toEqual([
      [0, 2],
      [4, 0],
      [6, 3],
      [15, 9],
    ]);
  });

  it('gives the same line when asked twice', () => {
    const d = fed(
      0,
      99,
      10,
      Array.from({ length: 100 }, (_, i) => [i, (i * 37) % 11] as const),
    );
    const first = [...d.points()];
    expect(d.points()).toEqual(first);
    expect(first).toHaveLength(10);
  });
});

describe('decimate', () => {
  it('bounds a long line and keeps its peak and its dip', () => {
    const points = line(Array.from({ length: 10_000 }, (_, i) => (i === 4_321 ? 500 : i === 7_777 ? -20 : i % 7)));
    const drawn = decimate(points, 100);
    expect(drawn.length).toBeLessThanOrEqual(100);
    expect(drawn.length).toBeGreaterThan(90);
    expect(drawn.map((p) => p.x)).toEqual([...drawn.map((p) => p.x)].sort((a, b) => a - b));
    expect(drawn).toContainEqual({ x: 4_321, y: 500 });
    expect(drawn).toContainEqual({ x: 7_777, y: -20 });
    // Every drawn point is one of the line's.
    for (const p of drawn) expect(points[p.x]).toEqual(p);
  });

  it('returns a short or empty line itself', () => {
    const points = line([1, 2, 3]);
    expect(decimate(points, 3)).toBe(points);
    expect(decimate([], 2)).toEqual([]);
  });
});
