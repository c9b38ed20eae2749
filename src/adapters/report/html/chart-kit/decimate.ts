// Keeping a long line drawable: at most a few hundred points, every peak and dip kept.
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
