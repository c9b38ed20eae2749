// The per-release API table and how the client decides a master's API and stops its users, on the
// responses captured from real masters (test/fixtures/locust/<version>/).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, HTML_CT, JSON_CT, ORIGIN, fixture, mockTransport, useMockAgent } from '../../../support/mock-master.js';
import { createLocustClient } from '../../../../src/adapters/locust/client.js';
import { apiForVersion, apiFromAllow, compareVersions } from '../../../../src/adapters/locust/api-versions.js';
import { LocustError, StopFailedError } from '../../../../src/core/errors.js';
import { exitCode } from '../../../../src/core/exit-code.js';

const CAPTURED = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort(compareVersions);
const allowOf = (v: string) => /^Allow: (.*)$/m.exec(fixture(v, 'options-stop.headers'))?.[1]?.trim() ?? null;

const agent = useMockAgent();

const client = () =>
  createLocustClient({
    baseUrl: ORIGIN,
    transport: mockTransport(agent()),
    retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 100 },
    stopPolicy: { verifyMs: 300, pollMs: 100, retryMs: 10 },
  });
const calls = () =>
  agent()
    .getCallHistory()
    ?.calls()
    .map((c) => `${c.method} ${c.path}${c.method === 'POST' && c.path === '/swarm' ? ` ${String(c.body)}` : ''}`) ?? [];

describe('the API table', () => {
  it('agrees with every captured release: the method /stop takes is the one OPTIONS allows, and the wrong one is refused', () => {
    expect(CAPTURED.length).toBeGreaterThanOrEqual(7);
    for (const v of CAPTURED) {
      const api = apiForVersion(v);
      if ('unsupported' in api) throw new Error(`${v} is captured but unsupported`);
      const allowed = allowOf(v)!
        .split(',')
        .map((m) => m.trim());
      expect(allowed, v).toContain(api.stateMethod);
      expect(allowed, v).not.toContain(api.stateMethod === 'GET' ? 'POST' : 'GET');
      // the wrong method: 405, or (2.18.1–2.26.x) a 500 wrapping it
      const [method, status] = fixture(v, 'stop-wrong-method.status').trim().split(' '); // "POST 405 text/html"
      expect(method, v).toBe(api.stateMethod === 'GET' ? 'POST' : 'GET');
      expect(Number(status), v).toBe(api.wrapsErrors ? 500 : 405);
      if (api.wrapsErrors) expect(fixture(v, 'stop-wrong-method.body'), v).toMatch(/^405 Method Not Allowed: /);
    }
  });

  it('refuses releases before 2.12.1 and other majors, naming the range', () => {
    expect(apiForVersion('2.11.0')).toEqual({
      unsupported: expect.stringMatching(/runs Locust 2\.11\.0; locust-driver supports Locust 2\.12\.1 or newer 2\.x \(tested up to 2\.47\.0\)/),
    });
    expect(apiForVersion('1.6.0')).toHaveProperty('unsupported');
    expect(apiForVersion('3.0.0')).toHaveProperty('unsupported');
    expect(apiForVersion('2.52.3.dev4')).toMatchObject({ stateMethod: 'POST', wrapsErrors: false });
  });

  it('reads the API from OPTIONS /stop, or nothing from a header no release sends', () => {
    expect(apiFromAllow(allowOf('2.12.1'))).toMatchObject({ stateMethod: 'GET', basis: 'probe' });
    expect(apiFromAllow(allowOf('2.47.0'))).toMatchObject({ stateMethod: 'POST', basis: 'probe' });
    expect(apiFromAllow('OPTIONS, HEAD')).toBeNull();
    expect(apiFromAllow(null)).toBeNull();
  });
});

describe('detect', () => {
  it('decides from the version on the web UI page, once, and uses the method from then on', async () => {
    for (const v of CAPTURED) {
      const pool = agent().get(ORIGIN);
      pool.intercept({ path: '/', method: 'GET' }).reply(200, fixture(v, 'index.html'), HTML_CT);
      const c = client();
      const api = await c.detect();
      expect(api.version).toBe(v);
      expect(await c.detect()).toBe(api); // no second call
      pool.intercept({ path: '/stats/reset', method: api.stateMethod }).reply(200, 'ok', HTML_CT);
      await c.resetStats(); // straight to the right method: no refused call first
    }
    expect(calls().filter((c) => c.includes('/stats/reset'))).toEqual(
      CAPTURED.map((v) => `${(apiForVersion(v) as { stateMethod: string }).stateMethod} /stats/reset`),
    );
  });

  it('probes OPTIONS /stop when the page tells no version', async () => {
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/', method: 'GET' }).reply(404, 'Not Found');
    pool.intercept({ path: '/stop', method: 'OPTIONS' }).reply(200, '', { headers: { allow: 'GET, HEAD, OPTIONS' } });
    expect(await client().detect()).toEqual({ version: null, basis: 'probe', stateMethod: 'GET', wrapsErrors: true });
  });

  it('refuses an old release and an API no release has (LOCUST_UNSUPPORTED: not retried)', async () => {
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/', method: 'GET' }).reply(200, fixture('2.12.1', 'index.html').replaceAll('2.12.1', '2.10.2'), HTML_CT);
    await expect(client().detect()).rejects.toMatchObject({
      code: 'LOCUST_UNSUPPORTED',
      message: expect.stringMatching(/at http:\/\/locust-master:8089\/ cannot be driven: it runs Locust 2\.10\.2; locust-driver supports Locust 2\.12\.1/),
    });
    pool.intercept({ path: '/', method: 'GET' }).reply(200, '<html><title>nginx</title></html>', HTML_CT);
    pool.intercept({ path: '/stop', method: 'OPTIONS' }).reply(405, '');
    await expect(client().detect()).rejects.toMatchObject({
      code: 'LOCUST_UNSUPPORTED',
      message: expect.stringMatching(/does not answer as any known Locust release.*OPTIONS \/stop failed/),
    });
  });
});

describe('a stop that cannot fail silently', () => {
  const detected = async (v: string) => {
    agent().get(ORIGIN).intercept({ path: '/', method: 'GET' }).reply(200, fixture(v, 'index.html'), HTML_CT);
    const c = client();
    await c.detect();
    return c;
  };
  const stats = (v: string, users: number) => {
    const s = JSON.parse(fixture(v, 'stats-running.json')) as { user_count: number };
    return { ...s, user_count: users };
  };

  it('tries the release method once more (a stop is idempotent), then the other method', async () => {
    const c = await detected('2.43.4');
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/stop', method: 'GET' }).reply(500, 'Internal Server Error');
    pool.intercept({ path: '/stop', method: 'GET' }).reply(500, 'Internal Server Error');
    pool.intercept({ path: '/stop', method: 'POST' }).reply(200, fixture('2.47.0', 'stop.json'), JSON_CT);
    await c.stop();
    expect(calls().slice(1)).toEqual(['GET /stop', 'GET /stop', 'POST /stop']);
  });

  it('rides out a passing 503 with the second try', async () => {
    const c = await detected('2.47.0');
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(503, 'Service Unavailable');
    pool.intercept({ path: '/stop', method: 'POST' }).reply(200, fixture('2.47.0', 'stop.json'), JSON_CT);
    await c.stop();
    expect(calls().slice(1)).toEqual(['POST /stop', 'POST /stop']);
  });

  it('brings the users to 0 with a swarm of 0 users when /stop fails both ways, and still says the master is unusable', async () => {
    const c = await detected('2.47.0');
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(500, 'Internal Server Error').times(2);
    pool.intercept({ path: '/stop', method: 'GET' }).reply(502, 'Bad Gateway');
    pool.intercept({ path: '/swarm', method: 'POST' }).reply(200, fixture('2.47.0', 'swarm-ok.json'), JSON_CT);
    pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(200, stats('2.47.0', 12), JSON_CT);
    pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(200, stats('2.47.0', 0), JSON_CT);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(500, 'Internal Server Error');
    const err = await c.stop().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StopFailedError);
    expect(err).toMatchObject({ usersAtZero: true, code: 'LOCUST_STOP_FAILED' });
    expect(exitCode({ error: err })).toBe(3);
    expect((err as Error).message).toMatch(/refuses to stop .*brought to 0 .* restart the master/);
    expect(calls().slice(1)).toEqual([
      'POST /stop',
      'POST /stop',
      'GET /stop',
      'POST /swarm user_count=0&spawn_rate=1000',
      'GET /stats/requests',
      'GET /stats/requests',
      'POST /stop',
    ]);
  });

  it('is done when the master takes its /stop again once the swarm of 0 brought the users down', async () => {
    const c = await detected('2.47.0');
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(500, 'Internal Server Error').times(2);
    pool.intercept({ path: '/stop', method: 'GET' }).reply(405, 'Method Not Allowed');
    pool.intercept({ path: '/swarm', method: 'POST' }).reply(200, fixture('2.47.0', 'swarm-ok.json'), JSON_CT);
    pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(200, stats('2.47.0', 0), JSON_CT);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(200, fixture('2.47.0', 'stop.json'), JSON_CT);
    await c.stop();
    expect(calls().at(-1)).toBe('POST /stop');
  });

  it('says loudly, within a bounded time, that the load may still be running when nothing brings the users down', async () => {
    const c = await detected('2.20.1');
    const pool = agent().get(ORIGIN);
    pool.intercept({ path: '/stop', method: 'GET' }).reply(500, 'Internal Server Error').times(2);
    pool.intercept({ path: '/stop', method: 'POST' }).reply(500, fixture('2.20.1', 'stop-wrong-method.body'));
    pool.intercept({ path: '/swarm', method: 'POST' }).reply(200, fixture('2.20.1', 'swarm-ok.json'), JSON_CT);
    pool.intercept({ path: '/stats/requests', method: 'GET' }).reply(200, stats('2.20.1', 12), JSON_CT).persist();
    const t0 = Date.now();
    const err = await c.stop().then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(err).toMatchObject({ usersAtZero: false, url: 'http://locust-master:8089/' });
    expect((err as Error).message).toMatch(
      /^COULD NOT STOP THE LOAD: .*\(GET \/stop: .*HTTP 500.*; GET \/stop again: .*HTTP 500.*; POST \/stop: .*HTTP 500.*; the master still reports 12 users 0 s after the swarm of 0\)/,
    );
    expect((err as Error).message).toMatch(
      /the load may still be running: stop it in the Locust web UI at http:\/\/locust-master:8089\/ or restart the master now$/,
    );
  });

  it('leaves a master that does not answer to the run loop (an outage, not a refusal)', async () => {
    const c = await detected('2.47.0');
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stop', method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .times(2);
    agent()
      .get(ORIGIN)
      .intercept({ path: '/stop', method: 'GET' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const err = await c.stop().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LocustError);
    expect(err).not.toBeInstanceOf(StopFailedError);
    expect(err).toMatchObject({ code: 'LOCUST_UNREACHABLE' });
  });
});
