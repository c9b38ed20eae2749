// node:http transport (src/adapters/system/http.ts) against a real server on 127.0.0.1: the Locust
// client's error messages depend on which phase fails (no answer vs an answer cut off).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpPool, httpRequest } from '../../../../src/adapters/system/http.js';

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = null;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('node:http transport', () => {
  it('sends method, headers and body, and reads status, headers and text', async () => {
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.statusCode = 201;
        res.end(JSON.stringify({ method: req.method, ct: req.headers['content-type'], len: req.headers['content-length'], body }));
      });
    });
    const res = await httpRequest({
      method: 'POST',
      url: `${url}/swarm`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user_count=5',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(await res.text())).toEqual({ method: 'POST', ct: 'application/x-www-form-urlencoded', len: '12', body: 'user_count=5' });
  });

  it('reuses one kept-alive socket for requests in sequence', async () => {
    const ports = new Set<number>();
    const url = await serve((req, res) => {
      ports.add(req.socket.remotePort as number);
      res.end('ok');
    });
    const pool = createHttpPool({ maxSockets: 2 });
    for (let i = 0; i < 5; i++) expect(await (await pool.send({ method: 'GET', url })).text()).toBe('ok');
    pool.close();
    expect(ports.size).toBe(1);
  });

  it('closes only idle sockets after idleMs: a slow answer (a blocking /stop) still arrives', async () => {
    const url = await serve((_req, res) => void setTimeout(() => res.end('stopped'), 400));
    const pool = createHttpPool({ idleMs: 100 });
    const res = await pool.send({ method: 'POST', url: `${url}/stop` });
    expect(await res.text()).toBe('stopped');
    pool.close();
  });

  it('rejects before the answer when the connection is refused or the deadline passes', async () => {
    const url = await serve(() => {}); // never answers
    const deadline = AbortSignal.timeout(150);
    await expect(httpRequest({ method: 'GET', url, signal: deadline })).rejects.toMatchObject({ name: 'AbortError' });
    expect(deadline.aborted).toBe(true);
    const port = (server?.address() as AddressInfo).port;
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = null;
    await expect(httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('resolves on the headers and rejects the body when the server closes mid-answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': '1000' });
      res.write('Type,Name\n');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const res = await httpRequest({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    await expect(res.text()).rejects.toThrow(/the connection closed before the answer was complete/);
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(httpRequest({ method: 'GET', url: 'ftp://127.0.0.1/' })).rejects.toMatchObject({ code: 'ERR_INVALID_PROTOCOL' });
  });
});
