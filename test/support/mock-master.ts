// The Locust client's unit tests answer from captured responses through undici's MockAgent (a dev
// dependency: the driver itself sends with node:http): no socket is opened (net connect is off), and
// each test gets a fresh agent. mockTransport() is the client's transport over that agent.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import { MockAgent, request } from 'undici';
import type { HttpTransport } from '../../src/adapters/system/http.js';

export const ORIGIN = 'http://locust-master:8089';
export const JSON_CT = { headers: { 'content-type': 'application/json' } };
export const CSV_CT = { headers: { 'content-type': 'text/csv' } };
export const HTML_CT = { headers: { 'content-type': 'text/html' } };
export const FIXTURES = new URL('../fixtures/locust/', import.meta.url);

/** A captured answer of Locust `v` (test/fixtures/locust/<v>/<file>). */
export const fixture = (v: string, file: string): string => readFileSync(new URL(`${v}/${file}`, FIXTURES), 'utf8');

/** A fresh MockAgent for every test of the file; call in the file's top level. */
export function useMockAgent(): () => MockAgent {
  let mock: MockAgent | null = null;
  beforeEach(() => {
    mock = new MockAgent({ enableCallHistory: true });
    mock.disableNetConnect();
  });
  afterEach(async () => {
    await mock?.close();
  });
  return () => mock as MockAgent;
}

/** The Locust client's transport over a MockAgent: what node:http would answer, from the interceptors. */
export function mockTransport(agent: MockAgent): HttpTransport {
  return async (req) => {
    const res = await request(req.url, { method: req.method as 'GET', headers: req.headers, body: req.body, signal: req.signal, dispatcher: agent });
    return { statusCode: res.statusCode, headers: res.headers, text: () => res.body.text(), dump: () => res.body.dump() };
  };
}
