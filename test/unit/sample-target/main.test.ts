import { afterEach, describe, expect, it } from 'vitest';
import {
  ArrivalCounter,
  createSampleTarget,
  isLoopbackHost,
  parseCli,
  parseCliOptions,
  validatePredictBody,
  type SampleTarget,
  type SampleTargetConfig,
} from '../../../src/sample-target/main.js';

const FEATURES = ['ts', 'down', 'up', 'rnti_count', 'mcs_down', 'mcs_up', 'rb_down', 'rb_up', 'tx_pkts_down', 'tx_pkts_up', 'cqi'];

function goodBody(): { data: Record<string, (string | number)[]> } {
  const data: Record<string, (string | number)[]> = {};
  for (const f of FEATURES) {
    data[f] = f === 'ts' ? Array.from({ length: 30 }, (_, i) => `2018-02-06 00:${String(i).padStart(2, '0')}:00`) : Array<number>(30).fill(42.5);
  }
  return { data };
}

const targets: SampleTarget[] = [];
async function start(cfg: Partial<SampleTargetConfig> = {}): Promise<string> {
  const t = createSampleTarget({ host: '127.0.0.1', port: 0, ...cfg });
  targets.push(t);
  return t.listen();
}

afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  return { status: res.status, json, ms: performance.now() - t0 };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

describe('sample target: settings', () => {
  it('accepts only loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.3.2.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
    expect(isLoopbackHost('example.com')).toBe(false);
    expect(() => createSampleTarget({ host: '0.0.0.0' })).toThrow(/loopback/);
  });

  it('parses the CLI flags and rejects bad ones', () => {
    expect(parseCli(['--port', '0', '--concurrency', '2', '--service-ms', '10', '--jitter-ms', '0', '--queue-limit', '5', '--slowdown', '1.5'])).toEqual({
      host: '127.0.0.1',
      port: 0,
      concurrency: 2,
      serviceMs: 10,
      jitterMs: 0,
      queueLimit: 5,
      slowdown: 1.5,
      cpuMs: 0,
    });
    expect(parseCli(['--cpu-ms', '8']).cpuMs).toBe(8);
    expect(() => parseCli(['--cpu-ms=-1'])).toThrow(/cpu-ms must be a number in \[0, 10000\]/);
    expect(() => parseCli(['--host', '192.168.1.10'])).toThrow(/loopback/);
    expect(() => parseCli(['--concurrency', '0'])).toThrow(/concurrency/);
    expect(() => parseCli(['--service-ms', 'abc'])).toThrow(/service-ms/);
    expect(() => parseCli(['--bogus', '1'])).toThrow();
  });

  it('binds to a non-loopback host only with --allow-external-host (for running inside a cluster)', async () => {
    expect(() => parseCli(['--host', '0.0.0.0', '--port', '8000'])).toThrow(/loopback.*--allow-external-host/);
    expect(() => createSampleTarget({ host: '0.0.0.0' }, { allowExternalHost: false })).toThrow(/loopback/);

    const cli = parseCliOptions(['--host', '0.0.0.0', '--port', '8000', '--allow-external-host']);
    expect(cli.config).toMatchObject({ host: '0.0.0.0', port: 8000 });
    expect(cli.options).toEqual({ allowExternalHost: true });
    // The opt-in changes nothing for a loopback host, and is not a setting /__admin/config reports.
    expect(parseCliOptions(['--allow-external-host']).config).toEqual(parseCli([]));
    expect(parseCliOptions([]).options).toEqual({ allowExternalHost: false });
    expect(() => parseCli(['--allow-external-host=yes'])).toThrow();

    // It really listens on the wildcard address (reachable here through 127.0.0.1).
    const t = createSampleTarget({ host: '0.0.0.0', port: 0 }, cli.options);
    targets.push(t);
    await t.listen();
    const addr = t.server.address();
    expect(addr !== null && typeof addr === 'object' ? addr.address : addr).toBe('0.0.0.0');
    const port = addr !== null && typeof addr === 'object' ? addr.port : 0;
    const h = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok' });
  });
});

describe('sample target: /predict validation', () => {
  it('validates the body shape', () => {
    expect(validatePredictBody(goodBody()).ok).toBe(true);
    expect(validatePredictBody(null).ok).toBe(false);
    expect(validatePredictBody([]).ok).toBe(false);
    expect(validatePredictBody({}).ok).toBe(false);
    expect(validatePredictBody({ data: [] }).ok).toBe(false);
    const ten = goodBody();
    delete ten.data['cqi'];
    expect(validatePredictBody(ten)).toMatchObject({ ok: false, error: expect.stringMatching(/11 features/) as unknown });
    const short = goodBody();
    short.data['up'] = [1, 2, 3];
    expect(validatePredictBody(short)).toMatchObject({ ok: false, error: expect.stringMatching(/"up".*30/) as unknown });
    const bad = goodBody();
    (bad.data as Record<string, unknown[]>)['down'] = Array<unknown>(30).fill({ x: 1 });
    expect(validatePredictBody(bad).ok).toBe(false);
  });

  it('answers 400 with a JSON error for bad bodies and 200 with 30 predictions for a good one', async () => {
    const url = await start({ serviceMs: 2, jitterMs: 0 });
    const notJson = await post(url, '{nope');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error: expect.stringMatching(/JSON/) as unknown });

    const noData = await post(url, { features: {} });
    expect(noData.status).toBe(400);
    expect(noData.json).toHaveProperty('error');

    const wrongLen = goodBody();
    wrongLen.data['rnti_count'] = Array<number>(29).fill(1);
    const r = await post(url, wrongLen);
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toMatch(/rnti_count/);

    const ok = await post(url, goodBody());
    expect(ok.status).toBe(200);
    const body = ok.json as { prediction: number[]; model: string; latency_ms: number };
    expect(body.model).toBe('sample');
    expect(body.prediction).toHaveLength(30);
    expect(body.prediction.every((x) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
    expect(body.latency_ms).toBeGreaterThanOrEqual(1);

    const get = await fetch(`${url}/predict`);
    expect(get.status).toBe(405);
    await get.body?.cancel();
  });

  it('answers /healthz, /metrics, /__admin/config and 404 for unknown paths', async () => {
    const url = await start({ concurrency: 3, serviceMs: 7, jitterMs: 1, queueLimit: 9, slowdown: 2 });
    const h = await fetch(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok' });

    await post(url, goodBody());
    await post(url, { data: {} });
    const m = await fetch(`${url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await m.text();
    expect(text).toContain('sample_target_requests_total{path="/predict",status="200"} 1');
    expect(text).toContain('sample_target_requests_total{path="/predict",status="400"} 1');
    expect(text).toContain('sample_target_requests_total{path="/healthz",status="200"} 1');
    expect(text).toMatch(/^sample_target_in_flight 0$/m);
    expect(text).toMatch(/^sample_target_queue_length 0$/m);

    const c = await fetch(`${url}/__admin/config`);
    expect(await c.json()).toEqual({
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      concurrency: 3,
      serviceMs: 7,
      jitterMs: 1,
      queueLimit: 9,
      slowdown: 2,
      cpuMs: 0,
    });

    const nf = await fetch(`${url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toHaveProperty('error');
  });

  it('answers 503 when the wait queue is full', async () => {
    const url = await start({ concurrency: 1, serviceMs: 150, jitterMs: 0, queueLimit: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => post(url, goodBody())));
    const codes = results.map((r) => r.status).sort();
    // 1 in service + 2 queued succeed; the other 3 are turned away at once.
    expect(codes).toEqual([200, 200, 200, 503, 503, 503]);
    const rejected = results.filter((r) => r.status === 503);
    const served = results.filter((r) => r.status === 200);
    expect(Math.max(...rejected.map((r) => r.ms))).toBeLessThan(Math.min(...served.map((r) => r.ms)));
  });
});

describe('sample target: request accounting', () => {
  it('counts arrivals per path with from <= t < to and ignores admin calls', async () => {
    const url = await start({ serviceMs: 1, jitterMs: 0 });
    const before = Date.now();
    await post(url, goodBody());
    await post(url, { bad: true }); // a 400 still arrived
    await (await fetch(`${url}/healthz`)).text();
    await (await fetch(`${url}/healthz`)).text();
    await (await fetch(`${url}/metrics`)).text();
    await (await fetch(`${url}/nope`)).text(); // not a public endpoint
    await (await fetch(`${url}/__admin/config`)).text();
    const after = Date.now() + 1;

    const res = await fetch(`${url}/__admin/counts?from=${before}&to=${after}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ count: 5, byPath: { '/predict': 2, '/healthz': 2, '/metrics': 1 } });

    const empty = await (await fetch(`${url}/__admin/counts?from=${before - 60_000}&to=${before}`)).json();
    expect(empty).toMatchObject({ count: 0, byPath: { '/predict': 0, '/healthz': 0, '/metrics': 0 } });

    const all = await (await fetch(`${url}/__admin/counts`)).json();
    expect(all).toMatchObject({ count: 5 });

    const bad = await fetch(`${url}/__admin/counts?from=yesterday`);
    expect(bad.status).toBe(400);
    await bad.body?.cancel();
  });

  it('has 1-ms resolution and a half-open range', () => {
    const c = new ArrivalCounter();
    const t = 1_700_000_000_500;
    c.record('/predict', t);
    c.record('/predict', t + 1);
    c.record('/healthz', t + 999);
    c.record('/metrics', t + 1000);
    expect(c.count(t, t + 1).count).toBe(1);
    expect(c.count(t, t + 2).count).toBe(2);
    expect(c.count(t + 1, t + 1).count).toBe(0);
    expect(c.count(t - 5000, t + 5000)).toEqual({ count: 4, byPath: { '/predict': 2, '/healthz': 1, '/metrics': 1 } });
    expect(c.count(t + 2, t + 1000).byPath).toEqual({ '/predict': 0, '/healthz': 1, '/metrics': 0 });
    expect(c.count(t + 1000, t + 1001).byPath['/metrics']).toBe(1);
  });

  it('forgets arrivals older than the retention window', () => {
    const c = new ArrivalCounter(10_000);
    const t = 1_700_000_000_000;
    c.record('/predict', t);
    c.record('/predict', t + 5_000);
    c.record('/healthz', t + 20_000); // prunes seconds older than t + 10 s
    expect(c.count(0, t + 30_000)).toEqual({ count: 1, byPath: { '/predict': 0, '/healthz': 1, '/metrics': 0 } });
  });
});

describe('sample target: capacity', () => {
  it('latency rises when offered concurrency exceeds capacity', async () => {
    const serviceMs = 20;
    const url = await start({ concurrency: 2, serviceMs, jitterMs: 0 });
    // Warm up (connection setup, JIT).
    await Promise.all([post(url, goodBody()), post(url, goodBody())]);

    // Within capacity: 2 at a time.
    const light: number[] = [];
    for (let i = 0; i < 5; i++) {
      const rs = await Promise.all([post(url, goodBody()), post(url, goodBody())]);
      for (const r of rs) light.push(r.ms);
    }
    // 10× over capacity: 20 requests wait in the FIFO queue for 2 slots.
    const heavyRs = await Promise.all(Array.from({ length: 40 }, () => post(url, goodBody())));
    expect(heavyRs.every((r) => r.status === 200)).toBe(true);
    const heavy = heavyRs.map((r) => r.ms);
    const serverLatency = heavyRs.map((r) => (r.json as { latency_ms: number }).latency_ms);

    const lightP50 = percentile(light, 50);
    const heavyP90 = percentile(heavy, 90);
    // 40 requests / 2 slots × 20 ms ≈ 400 ms for the last one; ≈ 20 ms unloaded.
    expect(heavyP90 / lightP50).toBeGreaterThan(5);
    expect(percentile(serverLatency, 90)).toBeGreaterThan(5 * serviceMs);
    // Never faster than the service time.
    expect(Math.min(...light)).toBeGreaterThanOrEqual(serviceMs * 0.9);
  });

  it('slowdown multiplies the service time', async () => {
    const fast = await start({ concurrency: 1, serviceMs: 10, jitterMs: 0, slowdown: 1 });
    const slow = await start({ concurrency: 1, serviceMs: 10, jitterMs: 0, slowdown: 4 });
    const measure = async (url: string): Promise<number> => {
      await post(url, goodBody());
      const xs: number[] = [];
      for (let i = 0; i < 6; i++) xs.push((await post(url, goodBody())).ms);
      return percentile(xs, 50);
    };
    const f = await measure(fast);
    const s = await measure(slow);
    expect(s / f).toBeGreaterThan(2);
  });

  it('cpu-ms spends that part of the service time on the CPU: the process CPU follows the load, the capacity does not change', async () => {
    // In-process: this test's own CPU time is the server's (the busy loop runs in this event loop).
    const idle = await start({ concurrency: 1, serviceMs: 20, jitterMs: 0, cpuMs: 0 });
    const busy = await start({ concurrency: 1, serviceMs: 20, jitterMs: 0, cpuMs: 15 });
    const run = async (url: string): Promise<{ cpuMs: number; wallMs: number }> => {
      await post(url, goodBody());
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 10 }, () => post(url, goodBody())));
      const c = process.cpuUsage(c0);
      return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 };
    };
    const a = await run(idle);
    const b = await run(busy);
    // 10 requests × 15 ms of busy loop ≈ 150 ms more CPU; the rest is the same HTTP work.
    expect(b.cpuMs - a.cpuMs).toBeGreaterThan(100);
    // One slot, 20 ms each: ~200 ms for both (the CPU is part of the service time, not added to it).
    expect(a.wallMs).toBeGreaterThanOrEqual(190);
    expect(b.wallMs).toBeGreaterThanOrEqual(190);
    expect(b.wallMs).toBeLessThan(a.wallMs * 1.5 + 50);
  });
});
