import { describe, expect, it } from 'vitest';
import { statsOf } from '../../../../src/core/stats/stage-stats.js';
import { subWindows } from '../../../../src/core/stats/sub-windows.js';
import { trendOf } from '../../../../src/core/stats/steady-state.js';
import { synthStage } from './synthetic.js';

const base = { stepMs: 3000, steps: 40, rps: 200, meanMs: 50, noise: 0.05, phi: 0.3 };

describe('steady state', () => {
  it('flags a stage whose latency climbs during the window, with the drift in words', () => {
    const s = statsOf(subWindows(synthStage({ ...base, latencyDrift: 0.3 }, 7)));
    expect(s.steady.drifting).toBe(true);
    expect(s.steady.latency?.drifting).toBe(true);
    expect(s.steady.throughput?.drifting).toBe(false);
    // the Sen line's rise is the true 30 % within the noise
    expect(s.steady.latency?.relativeDrift).toBeGreaterThan(0.2);
    expect(s.steady.latency?.relativeDrift).toBeLessThan(0.4);
    expect(s.steady.verdict).toMatch(/^mean latency rose (2\d|3\d) % over the window$/);
  });

  it('says a falling throughput fell', () => {
    const s = statsOf(subWindows(synthStage({ ...base, rpsDrift: -0.2 }, 11)));
    expect(s.steady.verdict).toMatch(/^throughput fell 1\d|2\d % over the window/);
  });

  it('does not flag flat stages: at most the test level of false alarms over seeded trials', () => {
    let flagged = 0;
    const trials = 200;
    for (let seed = 1; seed <= trials; seed++) if (statsOf(subWindows(synthStage({ ...base, phi: 0 }, seed))).steady.drifting) flagged++;
    // Two series tested at 0.025 each: about 5 % false alarms; binomial sd at 200 trials ≈ 1.5 points.
    expect(flagged / trials).toBeLessThanOrEqual(0.08);
  });

  it('catches most drifting stages of 15 % over seeded trials', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 100; seed++) if (statsOf(subWindows(synthStage({ ...base, rpsDrift: 0.15 }, seed))).steady.drifting) flagged++;
    expect(flagged).toBeGreaterThanOrEqual(90);
  });

  it('does not test a series too short to tell', () => {
    expect(trendOf([1, 2, 3, 4, 5, 6, 7].map((y, t) => ({ t, y })))).toBeNull();
    const s = statsOf(subWindows(synthStage({ ...base, steps: 5 }, 3)));
    expect(s.steady.verdict).toMatch(/^not tested: 5 sub-windows/);
    expect(s.confidence.rps).toBeNull();
    expect(s.confidence.method).toMatch(/no interval for throughput: 5 sub-windows, at least 8 needed/);
  });
});
