// The fault proxy of the fault-injection tests (test/support/fault-proxy.ts), against a tiny local
// upstream: each fault does what the integration tests rely on.
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';

let upstream: http.Server;
let upstreamUrl: string;
let proxy: FaultProxy;
const seen: string[] = [];

function listen(srv: http.Server): Promise<string> {
  return new Promise((resolve) => {
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const a = srv.address() as net.AddressInfo;
      resolve(`http://127.0.0.1:${a.port}/`);
    });
  });
}

beforeEach(async () => {
  seen.length = 0;
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      const payload = JSON.stringify({ ok: true, path: req.url, pad: 'x'.repeat(200) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    });
  });
  upstreamUrl = await listen(upstream);
  proxy = await startFaultProxy(upstreamUrl);
});

afterEach(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

const get = (path: string, ms = 3_000) => fetch(new URL(path, proxy.url), { signal: AbortSignal.timeout(ms) });

describe('fault proxy', () => {
  it('forwards method, path, query and body untouched when no fault matches', async () => {
    const res = await fetch(new URL('swarm?x=1', proxy.url), {
      method: 'POST',
      body: 'user_count=3&spawn_rate=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { path: string }).path).toBe('/swarm?x=1');
    expect(seen).toEqual(['POST /swarm?x=1 user_count=3&spawn_rate=1']);
    expect(proxy.requests).toMatchObject([{ method: 'POST', path: '/swarm?x=1', fault: null, body: 'user_count=3&spawn_rate=1', status: 200 }]);
  });

  it('answers an injected status with an nginx page, consumes `times`, matches path and method', async () => {
    proxy.inject({ kind: 'status', code: 503 }, { path: /^\/stats/, method: 'GET', times: 2 });
    expect((await get('stats/requests')).status).toBe(503);
    expect((await get('other')).status).toBe(200);
    const r = await get('stats/x');
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(await r.text()).toContain('<center><h1>503 Service Temporarily Unavailable</h1></center>');
    expect((await get('stats/requests')).status).toBe(200);
    expect(proxy.requests.map((q) => q.fault)).toEqual(['status', null, 'status', null]);
    expect(seen).toHaveLength(2); // the faulted requests never reached the upstream
  });

  it('resets the connection, before or after the upstream saw the request', async () => {
    proxy.inject({ kind: 'reset' }, { times: 1 });
    await expect(get('a')).rejects.toThrow();
    proxy.inject({ kind: 'reset', afterUpstream: true }, { times: 1 });
    await expect(get('b')).rejects.toThrow();
    expect(seen).toEqual(['GET /b ']);
    expect((await get('c')).status).toBe(200);
  });

  it('truncates a body (Content-Length larger than what is sent) and serves HTML instead of the API', async () => {
    proxy.inject({ kind: 'truncate' }, { times: 1 });
    const r = await get('t');
    expect(Number(r.headers.get('content-length'))).toBeGreaterThan(1024);
    await expect(r.text()).rejects.toThrow();
    proxy.inject({ kind: 'html' }, { times: 1 });
    const h = await get('h');
    expect(h.status).toBe(200);
    expect(h.headers.get('content-type')).toMatch(/text\/html/);
    expect(await h.text()).toContain('Welcome to nginx!');
  });

  it('delays, and hangs until the client gives up; close() ends hung requests', async () => {
    proxy.inject({ kind: 'delay', ms: 300 }, { times: 1 });
    const t0 = Date.now();
    expect((await get('d')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    proxy.inject({ kind: 'hang' });
    await expect(get('h', 300)).rejects.toThrow();
    const hung = get('h2', 10_000).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 100));
    const c0 = Date.now();
    await proxy.close();
    expect(await hung).toBe('failed');
    expect(Date.now() - c0).toBeLessThan(2_000);
  });

  it('refuses connections and listens again on the same port; the upstream can change', async () => {
    await proxy.refuse();
    await expect(get('x')).rejects.toThrow();
    await proxy.listen();
    expect((await get('x')).status).toBe(200);
    const other = http.createServer((_q, res) => res.end('other'));
    const otherUrl = await listen(other);
    try {
      proxy.setUpstream(otherUrl);
      expect(await (await get('y')).text()).toBe('other');
      // upstream gone: reset by default, 502 on request
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
      await expect(get('z')).rejects.toThrow();
      proxy.onUpstreamDown('502');
      expect((await get('z')).status).toBe(502);
    } finally {
      other.closeAllConnections();
      other.close();
    }
  });
});
