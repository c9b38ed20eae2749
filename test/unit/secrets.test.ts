// Secrets never reach a message a person or a log collector sees: the Locust password (from
// locust.auth or from credentials in the master URL), Kubernetes tokens from a kubeconfig, and
// whatever a caller hands the logger. Fake servers here bind 127.0.0.1 on free ports only.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../src/adapters/local/free-port.js';
import { createLocustClient } from '../../src/adapters/locust/client.js';
import { createLogger } from '../../src/adapters/log/logger.js';
import { formatPlan } from '../../src/adapters/log/plan-text.js';
import { KubeError, LocustError } from '../../src/core/errors.js';
import { parseMatrix } from '../../src/core/matrix.js';
import { buildPlan } from '../../src/core/plan.js';

const PASSWORD_HEX = randomBytes(8).toString('hex');
const TOKEN_HEX = randomBytes(12).toString('hex');
const PASSWORD = `s3cr3t-Pa55-${PASSWORD_HEX}`;
const TOKEN = `kube-tok-${TOKEN_HEX}`;
/** The secrets (or a recognisable half of their random part: a message may cut a line short) found in `text`. */
const secretsIn = (text: string): string[] =>
  [
    PASSWORD,
    encodeURIComponent(PASSWORD),
    TOKEN,
    Buffer.from(`api:${PASSWORD}`).toString('base64'),
    PASSWORD_HEX.slice(0, 8),
    PASSWORD_HEX.slice(8),
    TOKEN_HEX.slice(0, 12),
    TOKEN_HEX.slice(12),
  ].filter((s) => text.includes(s));

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization ?? ''));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('the logger redacts secret fields, however deep a caller put them', () => {
  function capture(format: 'json' | 'pretty'): { log: ReturnType<typeof createLogger>; out: () => string } {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    return { log: createLogger('debug', format, stream), out: () => text };
  }

  it('json and pretty', () => {
    for (const format of ['json', 'pretty'] as const) {
      const { log, out } = capture(format);
      const basic = `Basic ${Buffer.from(`api:${PASSWORD}`).toString('base64')}`;
      log.info({ authorization: basic, password: PASSWORD, token: TOKEN }, 'top level');
      log.info({ req: { authorization: basic, password: PASSWORD, token: TOKEN } }, 'one down');
      log.warn(
        { req: { headers: { authorization: basic, Authorization: basic } }, cfg: { auth: { password: PASSWORD } }, kube: { user: { token: TOKEN } } },
        'two down',
      );
      expect(secretsIn(out())).toEqual([]);
      if (format === 'json') expect(out()).toContain('[REDACTED]');
      expect(out()).toContain('two down');
    }
  });
});

describe('the plan text shown by validate and run has no credentials', () => {
  it('neither from locust.url (refused: it would land in run.json) nor from --master', () => {
    expect(() => parseMatrix(`version: 1\nname: s\nlocust: { url: "http://api:${PASSWORD}@127.0.0.1:8089" }\nstages: [{users: 1}]\n`, 'm.yaml')).toThrow(
      /locust\.url: no user or password in the URL .*use locust\.auth with passwordEnv/,
    );
    try {
      parseMatrix(`version: 1\nname: s\nlocust: { url: "http://api:${PASSWORD}@127.0.0.1:8089" }\nstages: [{users: 1}]\n`, 'm.yaml');
    } catch (e) {
      expect(secretsIn((e as Error).message)).toEqual([]);
    }
    const plan = buildPlan(parseMatrix(`version: 1\nname: s\nlocust: { url: "http://127.0.0.1:8089" }\nstages: [{users: 1}]\n`, 'm.yaml'), 'm.yaml');
    expect(secretsIn(formatPlan(plan, `http://api:${encodeURIComponent(PASSWORD)}@locust:8089`, 2))).toEqual([]);
    // without credentials the URL is shown exactly as written
    expect(formatPlan(plan, 'http://locust:8089', 2)).toContain('master http://locust:8089 (');
  });
});

describe('Locust client errors carry no password', () => {
  const userInfoUrl = (url: string) => url.replace('http://', `http://api:${encodeURIComponent(PASSWORD)}@`);

  it('credentials in the master URL: sent as Basic auth, never shown (401, 302 to /login, 500, refused)', async () => {
    const s401 = await serve((_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm=""' }).end());
    const s302 = await serve((_req, res) => res.writeHead(302, { location: '/login?next=%2Fstats%2Frequests' }).end('Redirecting...'));
    const s500 = await serve((_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>'));
    const refused = `http://127.0.0.1:${await freePort()}`;
    try {
      for (const [url, code] of [
        [s401.url, 'LOCUST_AUTH'],
        [s302.url, 'LOCUST_AUTH'],
        [s500.url, 'LOCUST_HTTP'],
        [refused, 'LOCUST_UNREACHABLE'],
      ] as const) {
        const lg = createLocustClient({
          baseUrl: userInfoUrl(url),
          requestTimeoutMs: 2_000,
          retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, maxRetryTimeMs: 1 },
        });
        try {
          expect(secretsIn(lg.url)).toEqual([]);
          const e = await errorOf(lg.stats());
          expect(e).toBeInstanceOf(LocustError);
          expect((e as LocustError).code).toBe(code);
          expect(secretsIn(e.message)).toEqual([]);
          expect(secretsIn(String(e.stack))).toEqual([]);
          const swarm = await errorOf(lg.swarm(4, 4, null));
          expect(secretsIn(swarm.message)).toEqual([]);
        } finally {
          await lg.close();
        }
      }
      // the password did reach the servers, as Basic auth
      const basic = `Basic ${Buffer.from(`api:${PASSWORD}`).toString('base64')}`;
      expect(s401.seen).toContain(basic);
      expect(s500.seen).toContain(basic);
    } finally {
      await Promise.all([close(s401.server), close(s302.server), close(s500.server)]);
    }
  });

  it('locust.auth (the password from the environment): the same', async () => {
    const s = await serve((_req, res) => res.writeHead(401).end());
    const lg = createLocustClient({ baseUrl: s.url, auth: { username: 'api', password: PASSWORD }, requestTimeoutMs: 2_000 });
    try {
      const e = await errorOf(lg.stats());
      expect((e as LocustError).code).toBe('LOCUST_AUTH');
      expect(e.message).toMatch(/credentials were not accepted/);
      expect(secretsIn(e.message)).toEqual([]);
    } finally {
      await lg.close();
      await close(s.server);
    }
  });
});

describe('Kubernetes errors carry no token', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ld-secrets-kube-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const kubeconfig = (server: string, extra = '') => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${JSON.stringify(server)}
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: ${TOKEN}
contexts:
- name: x
  context: { cluster: c, user: u, namespace: load }
current-context: x
${extra}`;

  async function connectWith(text: string) {
    const file = join(dir, `kubeconfig-${randomBytes(4).toString('hex')}`);
    await writeFile(file, text);
    vi.stubEnv('KUBECONFIG', file);
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    const { connectKube } = await import('../../src/adapters/kube/config.js');
    return connectKube(null, process.env);
  }

  it('API answers 401, 403 and 500 (a body echoing the Authorization header), and a refused connection', async () => {
    const { createCluster } = await import('../../src/adapters/kube/cluster.js');
    const status = (code: number, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'x', code });
    const servers = await Promise.all([
      serve((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(status(401, 'Unauthorized'))),
      serve((_req, res) =>
        res
          .writeHead(403, { 'content-type': 'application/json' })
          .end(status(403, 'deployments.apps "t" is forbidden: User "system:serviceaccount:load:driver" cannot get resource "deployments"')),
      ),
      serve((req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream failed; request headers: ${JSON.stringify(req.headers)}`)),
    ]);
    const refused = `http://127.0.0.1:${await freePort()}`;
    try {
      for (const server of [...servers.map((s) => s.url), refused]) {
        const conn = await connectWith(kubeconfig(server));
        const cluster = createCluster(conn, 3_000);
        const e = await errorOf(cluster.getDeployment('t'));
        expect(e).toBeInstanceOf(KubeError);
        expect(e.message).toMatch(/^Kubernetes API \(http:\/\/127\.0\.0\.1:\d+\) refused to get deployment t in load: /);
        expect(secretsIn(e.message)).toEqual([]);
        const lease = await errorOf(cluster.acquireLease('ld', 'me', 15));
        expect(secretsIn(lease.message)).toEqual([]);
      }
      // the token did reach the API server
      expect(servers[0].seen).toContain(`Bearer ${TOKEN}`);
    } finally {
      await Promise.all(servers.map((s) => close(s.server)));
    }
  });

  it('a kubeconfig that does not exist names the file, nothing else', async () => {
    vi.stubEnv('KUBECONFIG', join(dir, 'missing'));
    const { connectKube } = await import('../../src/adapters/kube/config.js');
    expect(() => connectKube(null, process.env)).toThrow(KubeError);
  });

  // Found by this suite, fixed (config.ts): a kubeconfig with a YAML syntax error
  // gives a KubeError whose message is js-yaml's multi-line message, which QUOTES THE LINES AROUND
  // THE ERROR: the token (and any password next to it) is printed on stderr (js-yaml may cut the
  // start of a long line: most of the token is still there). Minimal example: a
  // kubeconfig whose `token:` line reads `token: <token> : extra: x`. Fix: keep the first line only
  // (`(e as Error).message.split('\n')[0]`, e.g. "bad indentation of a mapping entry (11:23)").
  it('a malformed kubeconfig holding a token gives a KubeError without the token', async () => {
    const broken = kubeconfig('https://127.0.0.1:6443').replace(`token: ${TOKEN}`, `token: ${TOKEN} : extra: x`);
    const e = await errorOf(connectWith(broken));
    expect(e).toBeInstanceOf(KubeError);
    expect(secretsIn(e.message)).toEqual([]);
  });

  // Found by this suite, fixed (config.ts / cluster.ts): a cluster server URL with user info (https://admin:pw@host) is
  // kept as `server` (the Cluster port promises "no credentials") and shown in every KubeError and
  // in the kube-ready log line. Fix: strip username/password from the displayed `server` in
  // connectKube (the KubeConfig object keeps the real one).
  it('credentials in the kubeconfig server URL are not shown', async () => {
    const s = await serve((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{}'));
    try {
      const conn = await connectWith(kubeconfig(s.url.replace('http://', `http://admin:${PASSWORD}@`)));
      expect(secretsIn(conn.server)).toEqual([]);
      const { createCluster } = await import('../../src/adapters/kube/cluster.js');
      const e = await errorOf(createCluster(conn, 3_000).getDeployment('t'));
      expect(secretsIn(e.message)).toEqual([]);
    } finally {
      await close(s.server);
    }
  });
});
