// The e2e tier's Service stand-in (test/e2e/balancer.ts) against real HTTP servers on 127.0.0.1:
// it must spread requests, not connections, and never cut a request off when a pod goes away.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Balancer } from '../../e2e/balancer.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A backend that answers its name after `delayMs`. */
async function backend(name: string, delayMs = 0): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end(name), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  const a = server.address();
  return `http://127.0.0.1:${a !== null && typeof a === 'object' ? a.port : 0}`;
}

async function balancer(): Promise<Balancer> {
  const b = await Balancer.start();
  closers.push(() => b.close());
  return b;
}

/** One keep-alive connection, as a Locust user holds it. */
function client(): { get(url: string): Promise<{ status: number; body: string }>; agent: http.Agent } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  closers.push(async () => agent.destroy());
  return {
    agent,
    get: (url) =>
      new Promise((resolve, reject) => {
        http
          .get(url, { agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      }),
  };
}

describe('e2e balancer', () => {
  it('spreads the requests of ONE keep-alive connection over every backend, in turn', async () => {
    const b = await balancer();
    b.add('a', await backend('a'));
    b.add('b', await backend('b'));
    b.add('c', await backend('c'));
    const c = client();
    const seen: string[] = [];
    for (let i = 0; i < 9; i++) seen.push((await c.get(`${b.url}/predict`)).body);
    expect(Object.keys(c.agent.freeSockets).length + Object.keys(c.agent.sockets).length).toBe(1); // one connection throughout
    expect(seen.filter((x) => x === 'a')).toHaveLength(3);
    expect(seen.filter((x) => x === 'b')).toHaveLength(3);
    expect(seen.filter((x) => x === 'c')).toHaveLength(3);
    expect(b.relayedByBackend()).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('sends a request to the backend with the fewest in flight: a slow one gets less', async () => {
    const b = await balancer();
    b.add('slow', await backend('slow', 300));
    b.add('fast', await backend('fast', 5));
    const bodies = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 20));
        return (await client().get(b.url)).body;
      }),
    );
    expect(bodies.filter((x) => x === 'slow').length).toBeLessThanOrEqual(2);
    expect(bodies.filter((x) => x === 'fast').length).toBeGreaterThanOrEqual(8);
  });

  it('drains a removed backend: its request in flight completes, new ones go elsewhere', async () => {
    const b = await balancer();
    b.add('old', await backend('old', 300));
    const inFlight = client().get(b.url);
    await new Promise((r) => setTimeout(r, 50));
    b.add('new', await backend('new'));
    const removed = b.remove('old');
    expect(b.live()).toEqual(['new']);
    expect((await client().get(b.url)).body).toBe('new');
    expect(await inFlight).toEqual({ status: 200, body: 'old' });
    await removed;
  });

  it('answers 503 without a backend, 502 for a dead one, and refuses a backend off 127.0.0.1', async () => {
    const b = await balancer();
    const none = await client().get(b.url);
    expect(none.status).toBe(503);
    expect(none.body).toMatch(/no live target pod/);
    b.add('gone', 'http://127.0.0.1:1');
    expect((await client().get(b.url)).status).toBe(502);
    expect(() => b.add('pod-ip', 'http://10.244.0.7:8000')).toThrow(/only 127\.0\.0\.1.*invented by kwok/);
  });
});
