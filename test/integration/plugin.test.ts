// The companion plugin (locust/locust_driver_plugin.py) on every Locust release in
// locust/test-versions.txt: a real master + 2 workers loading it (the embedded stack's locustfile
// imports it) and the sample service, driven through the driver's own client. Each route must do
// what the driver relies on: the runner view is uncached, the reset also drops what the workers have
// not reported yet, and the flush makes the numbers final at once — checked against the requests the
// service itself received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { createLocustClient } from '../../src/adapters/locust/client.js';
import type { LoadGenerator } from '../../src/ports.js';
import { QUICK_VERSIONS, locustBin, targetCounts } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const version of QUICK_VERSIONS) {
  describe(`the locust-driver plugin on Locust ${version}`, () => {
    let stack: LocalStack;
    let lg: LoadGenerator;

    beforeAll(async () => {
      stack = await startLocalStack({ workers: 2, locustBin: locustBin(version) });
      lg = createLocustClient({ baseUrl: stack.masterUrl });
      await lg.detect();
    });
    afterAll(async () => {
      await lg?.close();
      await stack?.stop();
    });

    it('is detected; its view is uncached; its reset drops the unsent numbers; its flush makes the count what the service received', async () => {
      expect(await lg.detectPlugin()).toEqual({ version: '1' });
      const idle = await lg.runnerNow();
      expect(idle).toMatchObject({ state: 'ready', userCount: 0, workerCount: 2 });
      expect(idle.workers.map((w) => w.state)).toEqual(['ready', 'ready']);

      // The ramp's end is seen at once: well within the 2 s that /stats/requests caches an answer.
      const swarmAt = Date.now();
      await lg.swarm(10, 50, stack.targetUrl);
      let seenAt = 0;
      while (Date.now() - swarmAt < 15_000) {
        const v = await lg.runnerNow();
        if (v.state === 'running' && v.userCount === 10) {
          seenAt = Date.now();
          expect(v.workers.map((w) => w.userCount).sort()).toEqual([5, 5]);
          break;
        }
        await sleep(50);
      }
      expect(seenAt, 'the ramp never completed').toBeGreaterThan(0);
      expect(seenAt - swarmAt).toBeLessThan(1_500);

      // 1.5 s of load the workers have not reported yet: without the workers' clear, their next
      // reports would carry it into the fresh window (about 15 requests).
      await sleep(1_500);
      const r0 = Date.now();
      const reset = await lg.resetAll();
      const r1 = Date.now();
      expect(reset).toMatchObject({ complete: true, missing: [] });
      expect(reset.workers).toHaveLength(2);
      expect(reset.stats.requests).toBe(0);

      await sleep(2_000);
      const f0 = Date.now();
      const flush = await lg.flush();
      const f1 = Date.now();
      const window = await lg.window();
      expect(flush).toMatchObject({ complete: true, missing: [] });
      expect(flush.stats.state).toBe('running');
      // A regular report may land between the flush and the read, with the few requests since.
      expect(window.aggregated.requests - flush.stats.requests).toBeGreaterThanOrEqual(0);
      expect(window.aggregated.requests - flush.stats.requests).toBeLessThanOrEqual(3);
      const truth = await targetCounts(stack.targetUrl, (r0 + r1) / 2, (f0 + f1) / 2);
      const before = await targetCounts(stack.targetUrl, r0 - 1_500, r0);
      expect(before.count, 'the load before the reset that a plain reset would leak in').toBeGreaterThan(8);
      // Only requests in flight at either edge (a few ms each) may differ.
      expect(Math.abs(flush.stats.requests - truth.count), `${flush.stats.requests} counted, ${truth.count} received`).toBeLessThanOrEqual(2);
      expect(truth.count).toBeGreaterThan(10);
      await lg.stop();
    });
  });
}
