import { describe, expect, it } from 'vitest';
import { statsOf } from '../../../../src/core/stats/stage-stats.js';
import { batchMeansInterval } from '../../../../src/core/stats/confidence.js';
import { subWindows } from '../../../../src/core/stats/sub-windows.js';
import { synthStage } from './synthetic.js';

const TRIALS = 300;

function coverage(o: Parameters<typeof synthStage>[0]): { rps: number; avg: number; batchSizes: Set<number> } {
  let rps = 0;
  let avg = 0;
  const batchSizes = new Set<number>();
  for (let seed = 1; seed <= TRIALS; seed++) {
    // The intervals as statsOf makes them, without its (quadratic) trend tests.
    const w = subWindows(synthStage(o, seed * 7919));
    const r = batchMeansInterval(
      w.map((x) => ({ num: x.requests, den: (x.toMs - x.fromMs) / 1000 })),
      'throughput',
    ).interval;
    const a = batchMeansInterval(
      w.map((x) => ({ num: x.responseMs ?? 0, den: x.requests })),
      'mean latency',
    ).interval;
    if (r === null || a === null) throw new Error('expected intervals');
    batchSizes.add(r.batchSize);
    if (r.low <= o.rps && o.rps <= r.high) rps++;
    if (a.low <= o.meanMs && o.meanMs <= a.high) avg++;
  }
  return { rps: rps / TRIALS, avg: avg / TRIALS, batchSizes };
}

describe('95 % intervals by batch means', () => {
  it('cover the true throughput and mean latency in about 95 % of seeded trials (uncorrelated sub-windows)', () => {
    const c = coverage({ stepMs: 3000, steps: 64, rps: 150, meanMs: 40, noise: 0.1, phi: 0 });
    // binomial sd at 300 trials ≈ 1.3 points: 0.95 ± 4 sd, a little lower for the small-sample lag test
    expect(c.rps).toBeGreaterThan(0.9);
    expect(c.rps).toBeLessThan(0.995);
    expect(c.avg).toBeGreaterThan(0.9);
    expect(c.avg).toBeLessThan(0.995);
  });

  it('grow the batches for correlated sub-windows and still cover about 90 % or more (lag-1 0.5)', () => {
    // Batch means under-cover when sub-windows are correlated; this is the documented share.
    const c = coverage({ stepMs: 2000, steps: 200, rps: 150, meanMs: 40, noise: 0.1, phi: 0.5, repeats: 1 });
    expect(Math.max(...c.batchSizes)).toBeGreaterThan(10);
    expect(c.rps).toBeGreaterThan(0.87);
    expect(c.avg).toBeGreaterThan(0.87);
    expect(c.rps).toBeLessThan(0.995);
  });

  it('says how the interval was made', () => {
    const s = statsOf(subWindows(synthStage({ stepMs: 3000, steps: 40, rps: 100, meanMs: 20, noise: 0.05, phi: 0 }, 5)));
    expect(s.confidence.method).toMatch(/^throughput: batch means: \d+ batches of \d+ sub-windows?, lag-1 autocorrelation -?\d\.\d\d/);
    expect(s.confidence.rps?.estimate).toBeCloseTo(100, -1);
  });
});
