// The Locust client (src/adapters/locust/client.ts) against a REAL master (Locust 2.47.0, 2 workers)
// through the fault proxy: what each network or gateway fault does to each kind of call.
// - idempotent reads (GET /stats/requests, the CSVs of window()) ride through a transient fault;
// - a persistent fault ends in one LocustError line that names the URL, the path and the problem,
//   within a bounded time (a hung request is cut by requestTimeoutMs);
// - calls that change state (POST /swarm, /stop, /stats/reset) are sent once, never blindly again.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocustClient, type LocustClientOptions } from '../../src/adapters/locust/client.js';
import { LocustError } from '../../src/core/errors.js';
import type { LoadGenerator } from '../../src/ports.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { startLocustCluster, type LocustCluster } from '../support/locust-cluster.js';

const REQUEST_TIMEOUT_MS = 1_500;
const RETRY = { retries: 3, minTimeoutMs: 100, maxTimeoutMs: 400, maxRetryTimeMs: 4_000 };
/** Worst case of a read: the retry budget, one more request timeout, the back-off, scheduling slack. */
const READ_BOUND_MS = RETRY.maxRetryTimeMs + REQUEST_TIMEOUT_MS + RETRY.maxTimeoutMs + 1_500;

let cluster: LocustCluster;
let proxy: FaultProxy;
let lg: LoadGenerator;
const clients: LoadGenerator[] = [];

function client(over: Partial<LocustClientOptions> = {}): LoadGenerator {
  const c = createLocustClient({ baseUrl: proxy.url, requestTimeoutMs: REQUEST_TIMEOUT_MS, stopTimeoutMs: 10_000, retry: RETRY, ...over });
  clients.push(c);
  return c;
}

/** Requests the proxy saw for this method and exact path. */
const calls = (method: string, path: string) => proxy.requests.filter((r) => r.method === method && r.path === path);

/** The error a promise rejects with, and how long it took. */
async function failure(p: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const t0 = Date.now();
  try {
    await p();
  } catch (error) {
    return { error, ms: Date.now() - t0 };
  }
  throw new Error('expected a rejection, the call succeeded');
}

/** One line, no stack, no page: what an operator reads at exit 3. */
function expectOneClearLine(e: unknown, path: string, problem: RegExp): void {
  expect(e).toBeInstanceOf(LocustError);
  const msg = (e as Error).message;
  expect(msg).toContain(`Locust master at ${proxy.url}`);
  expect(msg).toContain(path);
  expect(msg).toMatch(problem);
  expect(msg).not.toMatch(/\n|node:internal/);
  expect(msg.length).toBeLessThan(500);
}

/** Waits (bounded) until the master itself reports this state and user count. */
async function masterReaches(state: string, users: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await cluster.stats();
    if (s?.state === state && s.user_count === users) return;
    if (Date.now() > deadline) throw new Error(`master did not reach ${state}/${users} users (last: ${s?.state}/${s?.user_count})\n${cluster.masterLog()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  cluster = await startLocustCluster({ workers: 2 });
  proxy = await startFaultProxy(cluster.masterUrl);
});

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

beforeEach(async () => {
  proxy.clear();
  proxy.requests.length = 0;
  lg = client();
});

afterEach(async () => {
  proxy.clear();
  for (const c of clients.splice(0)) await c.close();
  await cluster.ensureIdle();
});

const TRANSIENT: [string, Fault][] = [
  ['a connection reset', { kind: 'reset' }],
  ['HTTP 503 from a gateway', { kind: 'status', code: 503 }],
  ['HTTP 502 from a gateway', { kind: 'status', code: 502 }],
  ['a truncated body', { kind: 'truncate' }],
  ['a hung request', { kind: 'hang' }],
];

describe('reads (GET) through a faulty network', () => {
  it('a delay below the request timeout is waited out: one request, the right answer', async () => {
    proxy.inject({ kind: 'delay', ms: 1_000 }, { path: /^\/stats\/requests$/ });
    const s = await lg.stats();
    expect(s.workerCount).toBe(2);
    expect(calls('GET', '/stats/requests')).toHaveLength(1);
  });

  for (const [name, fault] of TRANSIENT) {
    it(`stats(): ${name} once is retried and the read succeeds`, async () => {
      proxy.inject(fault, { path: /^\/stats\/requests$/, times: 1 });
      const t0 = Date.now();
      const s = await lg.stats();
      expect(s.workerCount).toBe(2);
      expect(calls('GET', '/stats/requests').map((r) => r.fault)).toEqual([fault.kind, null]);
      expect(Date.now() - t0).toBeLessThan(READ_BOUND_MS);
    });
  }

  it('window(): a 503 and a reset on two of its CSVs are retried, the window is complete', async () => {
    proxy.inject({ kind: 'status', code: 503 }, { path: /^\/stats\/requests\/csv$/, times: 1 });
    proxy.inject({ kind: 'reset' }, { path: /^\/stats\/failures\/csv$/, times: 1 });
    const w = await lg.window();
    expect(w.raw.stats).toMatch(/^Type,Name,Request Count/);
    expect(calls('GET', '/stats/requests/csv').map((r) => r.fault)).toEqual(['status', null]);
    expect(calls('GET', '/stats/failures/csv').map((r) => r.fault)).toEqual(['reset', null]);
  });

  it('window(): a truncated CSV is retried, not parsed as a short CSV', async () => {
    proxy.inject({ kind: 'truncate' }, { path: /^\/stats\/requests\/csv$/, times: 1 });
    const w = await lg.window();
    expect(w.raw.stats).toMatch(/^Type,Name,Request Count/);
    expect(w.raw.stats).toContain('Aggregated');
    expect(calls('GET', '/stats/requests/csv').map((r) => r.fault)).toEqual(['truncate', null]);
  });

  const PERSISTENT: [string, Fault, RegExp][] = [
    ['connection resets', { kind: 'reset' }, /did not answer GET \/stats\/requests \((ECONNRESET|UND_ERR_SOCKET)/],
    ['HTTP 503', { kind: 'status', code: 503 }, /answered GET \/stats\/requests with HTTP 503/],
    ['HTTP 502', { kind: 'status', code: 502 }, /answered GET \/stats\/requests with HTTP 502/],
    ['truncated bodies', { kind: 'truncate' }, /GET \/stats\/requests .*(closed|truncat|incomplete|content-length)/i],
    ['a hung master', { kind: 'hang' }, /did not answer GET \/stats\/requests \(no answer within 1500 ms\)/],
  ];
  for (const [name, fault, problem] of PERSISTENT) {
    it(`stats(): persistent ${name} end in one clear LocustError within the retry budget`, async () => {
      proxy.inject(fault, { path: /^\/stats\/requests$/ });
      const { error, ms } = await failure(() => lg.stats());
      expectOneClearLine(error, '/stats/requests', problem);
      expect(ms).toBeLessThan(READ_BOUND_MS);
      // retried, but not forever
      const n = calls('GET', '/stats/requests').length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(RETRY.retries + 1);
    });
  }

  it('stats(): an HTML page where the API should be fails at once (a misconfiguration, not a blip) with one line and no page dump', async () => {
    proxy.inject({ kind: 'html' });
    const { error, ms } = await failure(() => lg.stats());
    expectOneClearLine(error, '/stats/requests', /with text\/html; charset=utf-8 instead of JSON/);
    expect((error as Error).message).not.toContain('Thank you for using nginx');
    expect(calls('GET', '/stats/requests')).toHaveLength(1);
    expect(ms).toBeLessThan(2_000);
  });

  it('window(): an HTML page instead of a CSV fails with one clear line', async () => {
    proxy.inject({ kind: 'html' }, { path: /csv$/ });
    const { error } = await failure(() => lg.window());
    expectOneClearLine(error, '/stats/requests/csv', /sent HTML instead of CSV/);
  });

  it('with the default retry budget a hung master is given up within requestTimeout + 10 s', async () => {
    const def = client({ requestTimeoutMs: 3_000, retry: undefined });
    proxy.inject({ kind: 'hang' }, { path: /^\/stats\/requests$/ });
    const { error, ms } = await failure(() => def.stats());
    expectOneClearLine(error, '/stats/requests', /no answer within 3000 ms/);
    expect(ms).toBeLessThan(10_000 + 3_000 + 2_000 + 1_500);
  });

  it('the master going away (connection refused) for 1.5 s and coming back on the same port is ridden through (default retry budget)', async () => {
    // Refused connections fail at once, so the budget is the back-off: 250 ms doubling to 2 s, 4 retries.
    const def = client({ retry: undefined });
    await proxy.refuse();
    const read = def.stats();
    read.catch(() => {}); // awaited below
    await new Promise((r) => setTimeout(r, 1_500));
    await proxy.listen();
    const s = await read;
    expect(s.workerCount).toBe(2);
  });

  it('the master staying away ends in one clear line naming the refused connection', async () => {
    await proxy.refuse();
    try {
      const { error, ms } = await failure(() => lg.stats());
      expectOneClearLine(error, '/stats/requests', /did not answer GET \/stats\/requests \(ECONNREFUSED/);
      expect(ms).toBeLessThan(READ_BOUND_MS);
    } finally {
      await proxy.listen();
    }
  });
});

describe('calls that change state are sent once', () => {
  const ONCE: [string, Fault, RegExp][] = [
    ['HTTP 503', { kind: 'status', code: 503 }, /answered POST \/swarm with HTTP 503/],
    ['a reset', { kind: 'reset' }, /did not answer POST \/swarm \((ECONNRESET|UND_ERR_SOCKET)/],
    ['a hung request', { kind: 'hang' }, /did not answer POST \/swarm \(no answer within 1500 ms\)/],
  ];
  for (const [name, fault, problem] of ONCE) {
    it(`swarm(): ${name} → one POST /swarm, one clear LocustError, nothing started`, async () => {
      proxy.inject(fault, { path: /^\/swarm$/ });
      const { error, ms } = await failure(() => lg.swarm(4, 10, cluster.targetUrl));
      expectOneClearLine(error, '/swarm', problem);
      expect(calls('POST', '/swarm')).toHaveLength(1);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000);
      await new Promise((r) => setTimeout(r, 2_100)); // past the 2 s stats cache
      expect((await cluster.stats())?.user_count).toBe(0);
    });
  }

  it('swarm(): the answer lost after the master took it (reset after forwarding) → one POST, the swarm runs, the caller must check the state', async () => {
    proxy.inject({ kind: 'reset', afterUpstream: true }, { path: /^\/swarm$/, times: 1 });
    const { error } = await failure(() => lg.swarm(4, 10, cluster.targetUrl));
    expectOneClearLine(error, '/swarm', /did not answer POST \/swarm/);
    expect(calls('POST', '/swarm')).toHaveLength(1);
    // The master did start: this is why a POST is never sent again blindly.
    await masterReaches('running', 4);
    await lg.stop();
    await masterReaches('stopped', 0);
  });

  it('stop(): a passing 503 or reset is ridden out by a second POST /stop (a stop is idempotent); a master that never answers is left to the run loop', async () => {
    await lg.detect();
    await lg.swarm(4, 10, cluster.targetUrl);
    await masterReaches('running', 4);
    proxy.requests.length = 0;
    proxy.inject({ kind: 'status', code: 503 }, { path: /^\/stop$/, times: 1 });
    await lg.stop();
    expect(proxy.requests.filter((r) => r.path === '/stop').map((r) => `${r.method} ${r.fault}`)).toEqual(['POST status', 'POST null']);
    await masterReaches('stopped', 0);
    await lg.swarm(4, 10, cluster.targetUrl);
    await masterReaches('running', 4);
    proxy.requests.length = 0;
    proxy.inject({ kind: 'reset' }, { path: /^\/stop$/, times: 1 });
    await lg.stop();
    expect(proxy.requests.filter((r) => r.path === '/stop').map((r) => `${r.method} ${r.fault}`)).toEqual(['POST reset', 'POST null']);
    await masterReaches('stopped', 0);
    // every /stop reset: an outage, not a refusal — the client's error, for the run loop to wait out
    await lg.swarm(4, 10, cluster.targetUrl);
    await masterReaches('running', 4);
    proxy.inject({ kind: 'reset' }, { path: /^\/stop$/ });
    expectOneClearLine((await failure(() => lg.stop())).error, '/stop', /did not answer POST \/stop/);
    proxy.clear();
    expect((await cluster.stats())?.state).toBe('running');
    await lg.stop();
    await masterReaches('stopped', 0);
  });

  it('stop(): a hung /stop is cut by stopTimeoutMs, sent once', async () => {
    const c = client({ stopTimeoutMs: 2_000 });
    proxy.inject({ kind: 'hang' }, { path: /^\/stop$/ });
    const { error, ms } = await failure(() => c.stop());
    expectOneClearLine(error, '/stop', /did not answer POST \/stop \(no answer within 2000 ms\)/);
    expect(ms).toBeLessThan(3_500);
    expect(calls('POST', '/stop')).toHaveLength(1);
  });

  it('resetStats(): a 502 → one request, one clear line', async () => {
    proxy.inject({ kind: 'status', code: 502 }, { path: /^\/stats\/reset$/ });
    const { error } = await failure(() => lg.resetStats());
    expectOneClearLine(error, '/stats/reset', /answered POST \/stats\/reset with HTTP 502/);
    expect(proxy.requests.filter((r) => r.path === '/stats/reset')).toHaveLength(1);
  });
});
