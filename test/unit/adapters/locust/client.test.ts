import { describe, expect, it } from 'vitest';
import { CSV_CT, JSON_CT, ORIGIN, fixture, mockTransport, useMockAgent } from '../../../support/mock-master.js';
import { createLocustClient, displayUrl } from '../../../../src/adapters/locust/client.js';
import { LocustError } from '../../../../src/core/errors.js';

const agent = useMockAgent();

const client = (over: Partial<Parameters<typeof createLocustClient>[0]> = {}) =>
  createLocustClient({
    baseUrl: ORIGIN,
    transport: mockTransport(agent()),
    retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 1_000 },
    ...over,
  });

describe('Locust client', () => {
  it('starts a swarm with a form-encoded body, never run_time, and the host', async () => {
    let body = '';
    let contentType = '';
    agent()
      .get(ORIGIN)
      .intercept({ path: '/swarm', method: 'POST', body: (b) => ((body = b), true), headers: (h) => ((contentType = String(h['content-type'])), true) })
      .reply(200, { success: true, message: 'Swarming started', host: 'http://t:8000' }, JSON_CT);
    await client().swarm(50, 12.5, 'http://t:8000');
    const form = new URLSearchParams(body);
    expect(Object.fromEntries(form)).toEqual({ user_count: '50', spawn_rate: '12.5', host: 'http://t:8000' });
    expect(contentType).toBe('application/x-www-form-urlencoded');
  });

  it('turns success:false into a LocustError and never retries a /swarm', async () => {
    agent()
      .get(ORIGIN)
      .intercept({ path: '/swarm', method: 'POST' })
      .reply(200, { success: false, message: 'Missing user_count or spawn_rate from /swarm request' }, JSON_CT);
    await expect(client().swarm(5, 1, null)).rejects.toThrow(/refused to start 5 users at 1\/s: Missing user_count/);
    agent().get(ORIGIN).intercept({ path: '/swarm', method: 'POST' }).reply(503, 'busy');
    await expect(client().swarm(5, 1, null)).rejects.toThrow(/HTTP 503/);
    expect(agent().getCallHistory()?.calls().length).toBe(2);
  });

  it('retries idempotent reads on 5xx and connection errors, within a bound', async () => {
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(502, 'bad gateway');
    pool.intercept({ path: '/stats/requests', method: 'GET' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' }));
    pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(200, fixture('2.47.0', 'stats-running.json'), JSON_CT);
    const s = await client().stats();
    expect(s.state).toBe('running');
    expect(agent().getCallHistory()?.calls().length).toBe(3);
    for (let i = 0; i < 3; i++) pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(500, 'Internal Server Error');
    await expect(client().stats()).rejects.toThrow(/HTTP 500/);
  });

  it('does not retry a state-changing GET (/stop, /stats/reset)', async () => {
    agent().get(ORIGIN).intercept({ path: '/stats/reset', method: 'GET' }).reply(500, 'x');
    await expect(client().resetStats()).rejects.toBeInstanceOf(LocustError);
    expect(agent().getCallHistory()?.calls().length).toBe(1);
  });

  it('sends HTTP Basic auth and explains a refusal (401, or the --web-login redirect)', async () => {
    let auth = '';
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stats/requests', method: 'GET', headers: (h) => ((auth = String(h.authorization)), true) })
      .reply(401, '');
    await expect(client({ auth: { username: 'api', password: 's3cret' } }).stats()).rejects.toThrow(/HTTP 401\): the credentials were not accepted/);
    expect(auth).toBe(`Basic ${Buffer.from('api:s3cret').toString('base64')}`);
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stats/requests', method: 'GET' })
      .reply(302, 'Redirecting', { headers: { location: '/login?next=%2Fstats%2Frequests' } });
    await expect(client().stats()).rejects.toThrow(/requires a login — set locust.auth/);
  });

  it('refuses HTML where JSON is expected (the --web-login misconfiguration answers 200 HTML)', async () => {
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stats/requests', method: 'GET' })
      .reply(200, '<html>Locust auth exception: The session is unavailable</html>', { headers: { 'content-type': 'text/html' } });
    await expect(client().stats()).rejects.toThrow(/instead of JSON: .* --web-login is on without a login handler/);
  });

  it('keeps a --web-base-path prefix and strips credentials from the URL it shows', async () => {
    agent().get(ORIGIN).intercept({ path: '/locust/stats/requests/csv', method: 'GET' }).reply(200, fixture('2.47.0', 'stats.csv'), CSV_CT);
    const c = createLocustClient({ baseUrl: 'http://u:p@locust-master:8089/locust', transport: mockTransport(agent()) });
    expect(c.url).toBe('http://locust-master:8089/locust/');
    expect(await c.aggregatedCount()).toBeGreaterThan(0);
    expect(displayUrl('http://u:p@h:1/x')).toBe('http://h:1/x');
  });

  it('reads the window from the three uncached CSV endpoints, keeping the raw bodies', async () => {
    const pool = agent().get(ORIGIN);
    for (const v of ['2.12.1', '2.47.0']) {
      pool.intercept({ path: '/stats/requests/csv', method: 'GET' }).reply(200, fixture(v, 'stats.csv'), CSV_CT);
      pool.intercept({ path: '/stats/failures/csv', method: 'GET' }).reply(200, fixture(v, 'failures.csv'), CSV_CT);
      pool.intercept({ path: '/exceptions/csv', method: 'GET' }).reply(200, fixture(v, 'exceptions.csv'), CSV_CT);
      const w = await client().window();
      expect(w.raw.stats).toBe(fixture(v, 'stats.csv'));
      expect(w.aggregated.name).toBe('Aggregated');
      expect(w.aggregated.requests).toBe(w.endpoints.reduce((n, e) => n + e.requests, 0));
      expect(w.failures.length).toBeGreaterThan(0);
    }
  });

  it('gives a clear error when nothing answers', async () => {
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stop', method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(client().stop()).rejects.toThrow(/Locust master at http:\/\/locust-master:8089\/ did not answer POST \/stop \(ECONNREFUSED/);
  });
});

describe('state-changing calls across versions', () => {
  it('POSTs /stop and /stats/reset (2.47) and falls back to GET once on 405 (≤ 2.46), remembering it', async () => {
    const pool = agent().get(ORIGIN);
    pool
      .intercept({ path: '/stop', method: 'POST' })
      .reply(405, '<!doctype html><title>405 Method Not Allowed</title>', { headers: { 'content-type': 'text/html' } });
    pool.intercept({ path: '/stop', method: 'GET' }).reply(200, fixture('2.12.1', 'stop.json'), JSON_CT);
    pool.intercept({ path: '/stats/reset', method: 'GET' }).reply(200, 'ok', { headers: { 'content-type': 'text/html' } });
    const c = client();
    await c.stop();
    await c.resetStats(); // straight to GET now
    expect(
      agent()
        .getCallHistory()
        ?.calls()
        .map((x) => `${x.method} ${x.path}`),
    ).toEqual(['POST /stop', 'GET /stop', 'GET /stats/reset']);
  });

  it('falls back to GET when 2.18.1–2.26.x wrap the 405 in a 500 (captured on 2.20.1 and 2.24.1)', async () => {
    for (const v of ['2.20.1', '2.24.1']) {
      const pool = agent().get(ORIGIN);
      pool.intercept({ path: '/stop', method: 'POST' }).reply(500, fixture(v, 'stop-wrong-method.body'), { headers: { 'content-type': 'text/html' } });
      pool.intercept({ path: '/stop', method: 'GET' }).reply(200, fixture(v, 'stop.json'), JSON_CT);
      pool.intercept({ path: '/stats/reset', method: 'GET' }).reply(200, 'ok', { headers: { 'content-type': 'text/html' } });
      const c = client();
      await c.stop();
      await c.resetStats();
    }
  });

  it('does not take a 500 that is not a refused method for one (the stop is not retried)', async () => {
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stop', method: 'POST' })
      .reply(500, 'Internal Server Error', { headers: { 'content-type': 'text/plain' } });
    await expect(client().stop()).rejects.toThrow(/HTTP 500/);
  });

  it('uses POST where Locust 2.47 requires it', async () => {
    agent().get(ORIGIN).intercept({ path: '/stop', method: 'POST' }).reply(200, fixture('2.47.0', 'stop.json'), JSON_CT);
    await client().stop();
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stats/reset', method: 'POST' })
      .reply(200, 'ok', { headers: { 'content-type': 'text/html' } });
    await client().resetStats();
  });
});
