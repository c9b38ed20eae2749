import { describe, expect, it } from 'vitest';
import { fitModel, fitUsl, uslThroughput } from '../../../../src/core/stats/usl.js';
import { normal, rng } from './synthetic.js';

const NS = [1, 2, 4, 8, 12, 16, 24, 32];

function points(lambda: number, sigma: number, kappa: number, noise: number, seed: number) {
  const u = rng(seed);
  return NS.map((n, i) => ({ n, rps: uslThroughput(n, lambda, sigma, kappa) * (1 + noise * normal(u)), stageIndex: i + 1 }));
}

describe('USL fit', () => {
  it('recovers λ, σ and κ exactly from exact points, and the peak N* = √((1−σ)/κ)', () => {
    const f = fitUsl(
      NS,
      NS.map((n) => uslThroughput(n, 50, 0.05, 0.002)),
    );
    expect(f.lambda).toBeCloseTo(50, 3);
    expect(f.sigma).toBeCloseTo(0.05, 4);
    expect(f.kappa).toBeCloseTo(0.002, 5);
    expect(f.r2).toBeCloseTo(1, 6);
    expect(f.peakN).toBeCloseTo(Math.sqrt(0.95 / 0.002), 2);
    expect(f.peakRps).toBeCloseTo(uslThroughput(Math.sqrt(0.95 / 0.002), 50, 0.05, 0.002), 2);
  });

  it('recovers σ within ±0.03 and κ within ±70 % from 8 points with 2 % noise, for seeded trials, with standard errors that cover', () => {
    let covered = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const m = fitModel('users', points(100, 0.08, 0.001, 0.02, seed));
      const f = m.fit;
      if (f === null) throw new Error('no fit');
      expect(Math.abs(f.sigma - 0.08)).toBeLessThan(0.03);
      expect(Math.abs(f.kappa - 0.001) / 0.001).toBeLessThan(0.7);
      expect(f.r2).toBeGreaterThan(0.97);
      if (f.sigmaSe !== null && Math.abs(f.sigma - 0.08) <= 2.45 * f.sigmaSe) covered++; // t(5) 0.975
    }
    // Linearised standard errors are a little optimistic for a nonlinear model: most, not 95 %, cover.
    expect(covered).toBeGreaterThanOrEqual(30);
  });

  it('says the ceiling in one line', () => {
    const m = fitModel('users', points(100, 0.08, 0.001, 0, 1));
    expect(m.summary).toMatch(/^modelled ceiling ≈ 716 req\/s at ≈ 30 users \(USL σ 0\.08, κ 1\.00e-3, R² 1\.000\)$/);
    expect(m.summary).toContain(String(Math.round(uslThroughput(Math.sqrt(0.92 / 0.001), 100, 0.08, 0.001))));
    expect(m.warnings).toEqual([]);
  });

  it('warns honestly: few points, κ ≈ 0, superlinear data', () => {
    const linear = fitModel(
      'users',
      [1, 2, 4, 8].map((n, i) => ({ n, rps: 10 * n * (1 + 0.01 * ((i % 2) - 0.5)), stageIndex: i + 1 })),
    );
    expect(linear.warnings.join('\n')).toMatch(/only 4 points/);
    expect(linear.warnings.join('\n')).toMatch(/κ ≈ 0/);
    const superlinear = fitModel(
      'users',
      [1, 2, 4, 8, 16, 32].map((n, i) => ({ n, rps: 10 * n ** 1.2, stageIndex: i + 1 })),
    );
    expect(superlinear.warnings.join('\n')).toMatch(/superlinear: throughput per user rises/);
  });
});
