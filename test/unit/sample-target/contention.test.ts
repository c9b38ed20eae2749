import { afterEach, describe, expect, it } from 'vitest';
import { contentionFactor } from '../../../src/sample-target/contention.js';
import { createSampleTarget, parseCli, type SampleTarget } from '../../../src/sample-target/main.js';

const FEATURES = ['ts', 'down', 'up', 'rnti_count', 'mcs_down', 'mcs_up', 'rb_down', 'rb_up', 'tx_pkts_down', 'tx_pkts_up', 'cqi'];
const body = JSON.stringify({ data: Object.fromEntries(FEATURES.map((f) => [f, Array<number>(30).fill(1)])) });

const targets: SampleTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

describe('sample target: a known USL cost (--sigma, --kappa)', () => {
  it('multiplies the service time by 1 + σ(n−1) + κn(n−1) for n requests in service', () => {
    expect(contentionFactor(1, { sigma: 0.2, kappa: 0.05 })).toBe(1);
    expect(contentionFactor(4, { sigma: 0.2, kappa: 0.05 })).toBeCloseTo(1 + 0.6 + 0.6, 12);
    expect(contentionFactor(0, { sigma: 0.5, kappa: 0.5 })).toBe(1); // the request itself is always in service
  });

  it('parses and checks the options (absent: no cost)', () => {
    expect(parseCli(['--sigma', '0.1', '--kappa', '0.002'])).toMatchObject({ sigma: 0.1, kappa: 0.002 });
    expect(parseCli([])).not.toHaveProperty('sigma');
    expect(() => parseCli(['--sigma', '1.5'])).toThrow(/sigma must be a number in \[0, 1\], got 1.5/);
    expect(() => parseCli(['--kappa', 'x'])).toThrow(/--kappa must be a number/);
  });

  it('serves concurrent requests slower the more are in service, as the model says', async () => {
    const t = createSampleTarget({ host: '127.0.0.1', port: 0, concurrency: 100, serviceMs: 60, jitterMs: 0, sigma: 0.2, kappa: 0.05 });
    targets.push(t);
    const url = await t.listen();
    // Four at once: the k-th to start finds k in service (they arrive within a few ms, each lasts ≥ 60).
    const replies = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return ((await res.json()) as { latency_ms: number }).latency_ms;
      }),
    );
    const expected = [1, 2, 3, 4].map((n) => 60 * contentionFactor(n, { sigma: 0.2, kappa: 0.05 })); // 60, 78, 102, 132
    const got = replies.sort((a, b) => a - b);
    got.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual((expected[i] as number) - 2);
      expect(ms).toBeLessThan((expected[i] as number) + 40); // timers fire late on a loaded machine, never early
    });
  });
});
