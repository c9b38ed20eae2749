// The Locust client's unit tests answer from captured responses through undici's MockAgent: no
// socket is opened (net connect is off), and each test gets a fresh agent.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import { MockAgent } from 'undici';

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
