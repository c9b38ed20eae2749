// The client's side of the companion plugin: detection (a 404, also wrapped in a 500 as 2.18–2.26
// answer it, means "not loaded"), and the answers parsed into the model or refused clearly.
import { describe, expect, it } from 'vitest';
import { JSON_CT, ORIGIN, mockTransport, useMockAgent } from '../../../support/mock-master.js';
import { createLocustClient } from '../../../../src/adapters/locust/client.js';
import { parsePluginSync } from '../../../../src/adapters/locust/plugin.js';

const agent = useMockAgent();
const client = () =>
  createLocustClient({ baseUrl: ORIGIN, transport: mockTransport(agent()), retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 500 } });

const view = {
  plugin: 'locust-driver',
  version: '1',
  locust_version: '2.47.0',
  at: 1.5,
  state: 'running',
  user_count: 10,
  worker_count: 2,
  workers: [
    { id: 'a', state: 'running', user_count: 5, cpu_percent: 12.5, memory_bytes: 1000 },
    { id: 'b', state: 'running', user_count: 5, cpu_percent: 9, memory_bytes: 1000 },
  ],
  stats: { requests: 120, failures: 2, current_rps: 9.5, current_fail_per_sec: 0.1, current_p50_ms: 4, current_p95_ms: 11, avg_ms: 6.5 },
};

describe('the plugin, as the client sees it', () => {
  it('is absent when its route answers 404, or a 500 wrapping a 404 (Locust 2.18–2.26); asked once per run', async () => {
    agent().get(ORIGIN).intercept({ path: '/locust-driver/runner', method: 'GET' }).reply(404, 'Not Found');
    const c = client();
    expect(await c.detectPlugin()).toBeNull();
    expect(await c.detectPlugin()).toBeNull();
    expect(agent().getCallHistory()?.calls().length).toBe(1);
    agent().get(ORIGIN).intercept({ path: '/locust-driver/runner', method: 'GET' }).reply(500, '404 Not Found: The requested URL was not found on the server.');
    expect(await client().detectPlugin()).toBeNull();
  });

  it('is found with its version, and its view becomes the live stats the stage reads', async () => {
    agent().get(ORIGIN).intercept({ path: '/locust-driver/runner', method: 'GET' }).reply(200, view, JSON_CT).times(2);
    const c = client();
    expect(await c.detectPlugin()).toEqual({ version: '1' });
    expect(await c.runnerNow()).toMatchObject({
      state: 'running',
      userCount: 10,
      workerCount: 2,
      requests: 120,
      failures: 2,
      currentRps: 9.5,
      currentP95Ms: 11,
      avgMs: 6.5,
      workers: [{ id: 'a', userCount: 5, cpuPercent: 12.5 }, { id: 'b' }],
    });
  });

  it('carries the cumulative mean for the sub-window series; an older plugin without it gives none, not 0', () => {
    const sync = (stats: object) => ({
      plugin: 'locust-driver',
      version: '1',
      complete: true,
      workers: [],
      missing: [],
      attempts: 1,
      runner: { ...view, stats },
    });
    expect(parsePluginSync('locust-driver/flush', sync(view.stats), 'modern').stats.avgMs).toBe(6.5);
    const { avg_ms: _omit, ...older } = view.stats;
    expect(parsePluginSync('locust-driver/flush', sync(older), 'modern').stats.avgMs).toBeNull();
    expect(parsePluginSync('locust-driver/flush', sync({ ...view.stats, requests: 0, avg_ms: 0 }), 'modern').stats.avgMs).toBeNull();
  });

  it('does not take an error other than a 404 for "absent" (a login, a broken master)', async () => {
    agent().get(ORIGIN).intercept({ path: '/locust-driver/runner', method: 'GET' }).reply(401, 'Unauthorized');
    await expect(client().detectPlugin()).rejects.toThrow(/HTTP 401/);
  });

  it('posts reset and flush with a timeout and tells who did not acknowledge', async () => {
    agent()
      .get(ORIGIN)
      .intercept({ path: '/locust-driver/flush?timeout=5', method: 'POST' })
      .reply(200, { plugin: 'locust-driver', version: '1', complete: false, workers: ['a', 'b'], missing: ['b'], attempts: 1, runner: view }, JSON_CT);
    expect(await client().flush()).toMatchObject({ complete: false, missing: ['b'], stats: { requests: 120 } });
  });

  it('refuses an answer of another shape, naming the field and the fix', () => {
    expect(() => parsePluginSync('locust-driver/reset', { plugin: 'locust-driver', version: '1', complete: 'yes' }, 'modern')).toThrow(
      /plugin's \/locust-driver\/reset answered something else than expected \(complete: .*update locust\/locust_driver_plugin.py/,
    );
  });
});
