import { describe, expect, it } from 'vitest';
import { subWindows } from '../../../../src/core/stats/sub-windows.js';

describe('sub-window series', () => {
  it('takes exact differences of the cumulative counters, with the mean latency of each interval', () => {
    const w = subWindows([
      { elapsedMs: 2000, requests: 100, failures: 1, avgMs: 20 },
      { elapsedMs: 4000, requests: 300, failures: 3, avgMs: 30 }, // 200 requests, summed 9000 − 2000 = 7000
      { elapsedMs: 7000, requests: 330, failures: 3, avgMs: 30 }, // 30 requests, summed 9900 − 9000 = 900
    ]);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatchObject({ fromMs: 2000, toMs: 4000, requests: 200, failures: 2, rps: 100, responseMs: 7000, meanMs: 35 });
    expect(w[1]?.rps).toBeCloseTo(10, 9);
    expect(w[1]?.meanMs).toBeCloseTo(30, 9);
  });

  it('treats a repeated (cached) count as no news, not as an interval without requests', () => {
    const w = subWindows([
      { elapsedMs: 1000, requests: 50, failures: 0 },
      { elapsedMs: 2000, requests: 50, failures: 0 }, // Locust's 2 s cache
      { elapsedMs: 3000, requests: 150, failures: 0 },
      { elapsedMs: 4000, requests: 999, failures: 0, stale: true }, // marked stale by the sampler: skipped
      { elapsedMs: 5000, requests: 250, failures: 0 },
    ]);
    expect(w.map((x) => [x.fromMs, x.toMs, x.requests])).toEqual([
      [1000, 3000, 100],
      [3000, 5000, 100],
    ]);
    expect(w.every((x) => x.rps === 50)).toBe(true);
    expect(w[0]?.meanMs).toBeNull(); // no cumulative mean in these samples
  });

  it('starts afresh after a count that falls (a reset between samples)', () => {
    const w = subWindows([
      { elapsedMs: 1000, requests: 500, failures: 0 },
      { elapsedMs: 2000, requests: 10, failures: 0 },
      { elapsedMs: 3000, requests: 30, failures: 0 },
    ]);
    expect(w).toEqual([expect.objectContaining({ fromMs: 2000, toMs: 3000, requests: 20 })]);
  });
});
