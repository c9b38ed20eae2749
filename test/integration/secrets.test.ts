// Secrets never reach stdout, stderr or the run folder: the built CLI against a real distributed
// Locust (master + 1 worker) whose web API needs HTTP Basic auth, on 127.0.0.1 — 2.12.1 with its
// own `--web-auth user:pass`, 2.47.0 with `--web-login` and a Flask-Login request_loader that
// accepts Basic auth (the mechanism docs/configuration.md documents, locust-api.md §6). The
// driver's environment also holds a bearer-like token and a kubeconfig with a token, which it
// must never print either. Both log formats; normal run, wrong password, credentials in the URL,
// preflight, validate, and a cluster connection that fails.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../../src/adapters/local/free-port.js';
import { ManagedProcess } from '../../src/adapters/local/processes.js';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import { ROOT, TEST_VERSIONS, locustBin, runCli, type CliResult } from './helpers.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const PW_HEX = hex(8);
const PASSWORD = `s3cr3t-Pa55-${PW_HEX}`;
const WRONG_HEX = hex(8);
const WRONG = `wr0ng-Pa55-${WRONG_HEX}`;
const BEARER_HEX = hex(12);
const BEARER = `Bearer-ish.${BEARER_HEX}`;
const KUBE_HEX = hex(12);
const KUBE_TOKEN = `kube-tok-${KUBE_HEX}`;
const UI_SECRET = hex(16); // Flask's SECRET_KEY of the 2.47 master (not the driver's)

/** Everything that must never be shown, and recognisable halves of the random parts. */
const MARKERS = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  Buffer.from(`api:${PASSWORD}`).toString('base64'),
  WRONG,
  Buffer.from(`api:${WRONG}`).toString('base64'),
  BEARER,
  KUBE_TOKEN,
  ...[PW_HEX, WRONG_HEX, BEARER_HEX, KUBE_HEX].flatMap((h) => [h.slice(0, h.length / 2), h.slice(h.length / 2)]),
];
const secretsIn = (text: string): string[] => MARKERS.filter((m) => text.includes(m));

/** Every file under `dir`, read as text: [relative path, secrets found]. */
async function secretsInFiles(dir: string): Promise<[string, string[]][]> {
  const found: [string, string[]][] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    const s = secretsIn(await readFile(file, 'utf8'));
    if (s.length > 0) found.push([path.relative(dir, file), s]);
  }
  return found;
}

function expectNoSecrets(res: CliResult): void {
  expect({ stdout: secretsIn(res.stdout), stderr: secretsIn(res.stderr) }).toEqual({ stdout: [], stderr: [] });
}

/**
 * The bundled locustfile plus a request_loader that accepts Basic auth (Locust ≥ 2.21 --web-login),
 * with the companion plugin it imports beside it (as the ConfigMap carries both in Kubernetes).
 */
async function authLocustfile(dir: string): Promise<string> {
  const file = path.join(dir, 'auth_locustfile.py');
  const base = await readFile(path.join(ROOT, 'locust', 'locustfile.py'), 'utf8');
  await copyFile(path.join(ROOT, 'locust', 'locust_driver_plugin.py'), path.join(dir, 'locust_driver_plugin.py'));
  await writeFile(
    file,
    `${base}

# --- added by test/integration/secrets.test.ts: HTTP Basic auth on the web UI/API ---
import os as _os

from flask_login import UserMixin as _UserMixin
from locust import events as _events


class _ApiUser(_UserMixin):
    def __init__(self, uid):
        self.id = uid


@_events.init.add_listener
def _setup_auth(environment, **_kw):
    if environment.web_ui:
        environment.web_ui.app.config["SECRET_KEY"] = _os.environ["LD_TEST_UI_SECRET"]
        lm = environment.web_ui.login_manager
        lm.user_loader(lambda uid: _ApiUser(uid) if uid == "api" else None)

        @lm.request_loader
        def _from_basic_auth(req):
            a = req.authorization
            if a and a.username == "api" and a.password == _os.environ["LD_TEST_UI_PASSWORD"]:
                return _ApiUser("api")
            return None
`,
  );
  return file;
}

/** Locust children get no LOCUST_* variables of ours (they are Locust options). */
function locustEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('LOCUST_')) env[k] = v;
  return { ...env, PYTHONUNBUFFERED: '1', ...extra };
}

const matrix = (target: string, locust: string) => `version: 1
name: secrets
locust: ${locust}
target: { host: ${target}, healthPath: /healthz }
defaults: { duration: 4s, cooldown: 0s, spawnRate: 4, sampleEvery: 1s }
stages:
  - { name: only, users: 4 }
`;
const WITH_AUTH = '{ auth: { username: api, passwordEnv: LD_TEST_LOCUST_PASSWORD }, connectTimeout: 20s }';

for (const version of TEST_VERSIONS) {
  const modern = !version.startsWith('2.12');
  describe(`Locust ${version} behind HTTP Basic auth (${modern ? '--web-login + request_loader' : '--web-auth'}): no secret in output or reports`, () => {
    let dir: string;
    let out: string;
    let targetUrl = '';
    let masterUrl = '';
    let kubeconfig = '';
    const procs: ManagedProcess[] = [];
    /** The driver's environment: the password, a bearer-like token and a kubeconfig with a token. */
    const env = (password = PASSWORD): Record<string, string> => ({ LD_TEST_LOCUST_PASSWORD: password, LD_TEST_API_TOKEN: BEARER, KUBECONFIG: kubeconfig });

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), `ld-secrets-${version}-`));
      out = path.join(dir, 'out');
      const closedPort = await freePort();
      kubeconfig = path.join(dir, 'kubeconfig');
      await writeFile(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${closedPort}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: ${KUBE_TOKEN} } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: load } }]
current-context: x
`,
      );

      const target = await ManagedProcess.spawn(
        'sample-target',
        process.execPath,
        [path.join(ROOT, 'dist', 'sample-target', 'main.js'), '--host=127.0.0.1', '--port=0'],
        {
          env: { ...process.env, NODE_OPTIONS: '' },
        },
      );
      procs.push(target);
      targetUrl = (await target.waitForLine(/^sample-target listening on (http:\/\/\S+)$/, 30_000, 'stdout'))[1] ?? '';

      const locustfile = modern ? await authLocustfile(dir) : path.join(ROOT, 'locust', 'locustfile.py');
      const [bindPort, webPort] = await freePorts(2);
      const authArgs = modern ? ['--web-login'] : ['--web-auth', `api:${PASSWORD}`];
      const master = await ManagedProcess.spawn(
        'locust master',
        locustBin(version),
        [
          '-f',
          locustfile,
          '--master',
          '--master-bind-host',
          '127.0.0.1',
          '--master-bind-port',
          String(bindPort),
          '--web-host',
          '127.0.0.1',
          '--web-port',
          String(webPort),
          '--host',
          targetUrl,
          ...authArgs,
        ],
        { env: locustEnv({ LD_TEST_UI_SECRET: UI_SECRET, LD_TEST_UI_PASSWORD: PASSWORD }), cwd: dir },
      );
      procs.push(master);
      masterUrl = `http://127.0.0.1:${webPort}/`;
      const worker = await ManagedProcess.spawn(
        'locust worker',
        locustBin(version),
        ['-f', locustfile, '--worker', '--master-host', '127.0.0.1', '--master-port', String(bindPort)],
        {
          env: locustEnv(),
          cwd: dir,
        },
      );
      procs.push(worker);

      // Ready: the API needs the credentials (proving the protection is on) and lists the worker.
      const authorization = `Basic ${Buffer.from(`api:${PASSWORD}`).toString('base64')}`;
      await master.waitFor(
        async () => {
          const res = await fetch(new URL('stats/requests', masterUrl), { headers: { authorization }, redirect: 'manual', signal: AbortSignal.timeout(2_000) });
          if (res.status !== 200) return undefined;
          const body = (await res.json()) as { workers?: { state?: string }[] };
          return (body.workers ?? []).some((w) => w.state === 'ready') ? true : undefined;
        },
        60_000,
        250,
        'the master API with one ready worker',
      );
      const anonymous = await fetch(new URL('stats/requests', masterUrl), { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      expect(anonymous.status).toBe(modern ? 302 : 401);
      await anonymous.body?.cancel();
    }, 120_000);

    afterAll(async () => {
      for (const p of [...procs].reverse()) await p.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function writeMatrix(name: string, locust: string): Promise<string> {
      const file = path.join(dir, `${name}.yaml`);
      await writeFile(file, matrix(targetUrl, locust));
      return file;
    }

    for (const format of ['json', 'pretty'] as const) {
      it(`a normal run (--log-format ${format}): exit 0, real numbers, no secret anywhere`, async () => {
        const file = await writeMatrix(`auth-${format}`, WITH_AUTH);
        const runId = `ok-${format}`;
        const res = await runCli(
          ['run', '--matrix', file, '--master', masterUrl, '--out', out, '--run-id', runId, '--log-format', format, '--log-level', 'debug'],
          { env: env() },
        );
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(out, runId, 'run.json'), 'utf8')));
        expect(run.status).toBe('completed');
        expect(run.stages[0]?.totals?.requests ?? 0).toBeGreaterThan(0);
        expect(run.plan.locust.auth).toEqual({ username: 'api', passwordEnv: 'LD_TEST_LOCUST_PASSWORD' });
        expectNoSecrets(res);
        expect(await secretsInFiles(path.join(out, runId))).toEqual([]);
      });
    }

    it('a wrong password: exit 3, a clear message, neither password shown', async () => {
      const file = await writeMatrix('auth-wrong', WITH_AUTH);
      for (const format of ['json', 'pretty'] as const) {
        const runId = `wrong-${format}`;
        const res = await runCli(['run', '--matrix', file, '--master', masterUrl, '--out', out, '--run-id', runId, '--log-format', format], {
          env: env(WRONG),
          timeoutMs: 60_000,
        });
        expect(res.code).toBe(3);
        expect(res.stderr).toMatch(
          /refused GET \/stats\/requests \(HTTP (401|302)\): the credentials were not accepted — check locust\.auth\.username and the password variable/,
        );
        expect(res.ms).toBeLessThan(20_000); // an auth failure is not retried until the connect timeout
        expectNoSecrets(res);
        expect(await secretsInFiles(path.join(out, runId))).toEqual([]);
      }
    });

    it('a missing password variable: exit 2 naming the variable, before anything starts', async () => {
      const file = await writeMatrix('auth-missing', WITH_AUTH);
      const res = await runCli(['run', '--matrix', file, '--master', masterUrl, '--out', out, '--run-id', 'missing'], {
        env: { LD_TEST_API_TOKEN: BEARER, KUBECONFIG: kubeconfig },
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/locust\.auth\.passwordEnv: the environment variable LD_TEST_LOCUST_PASSWORD is not set/);
      expectNoSecrets(res);
    });

    it('credentials in the --master URL: used, and stripped from logs and reports', async () => {
      const file = await writeMatrix('no-auth', '{ connectTimeout: 20s }');
      const withCreds = masterUrl.replace('http://', `http://api:${encodeURIComponent(PASSWORD)}@`);
      for (const format of ['json', 'pretty'] as const) {
        const runId = `master-url-${format}`;
        const res = await runCli(
          ['run', '--matrix', file, '--master', withCreds, '--out', out, '--run-id', runId, '--log-format', format, '--log-level', 'debug'],
          { env: env() },
        );
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(out, runId, 'run.json'), 'utf8')));
        expect(run.environment.locust.url).toBe(masterUrl);
        expectNoSecrets(res);
        expect(await secretsInFiles(path.join(out, runId))).toEqual([]);
      }
      const validate = await runCli(['validate', '--matrix', file, '--master', withCreds]);
      expect(validate.code).toBe(0);
      expect(validate.stdout).toContain(`master ${masterUrl} (`);
      expectNoSecrets(validate);
    });

    it('credentials in locust.url of the matrix are refused before anything starts (they would land in run.json), without echoing them', async () => {
      const withCreds = masterUrl.replace('http://', `http://api:${encodeURIComponent(PASSWORD)}@`);
      const file = await writeMatrix('url-auth', `{ url: "${withCreds}", connectTimeout: 20s }`);
      for (const args of [
        ['run', '--matrix', file, '--out', out, '--run-id', 'matrix-url'],
        ['validate', '--matrix', file],
      ]) {
        const res = await runCli(args, { env: env() });
        expect(res.code).toBe(2);
        expect(res.stderr).toMatch(/locust\.url: no user or password in the URL .*use locust\.auth with passwordEnv/);
        expectNoSecrets(res);
      }
      expect(existsSync(path.join(out, 'matrix-url'))).toBe(false);
    });

    it('preflight with the password (json and pretty): ok lines, no secret', async () => {
      const file = await writeMatrix('preflight', WITH_AUTH);
      for (const format of ['json', 'pretty'] as const) {
        const res = await runCli(['preflight', '--matrix', file, '--master', masterUrl, '--log-format', format, '--log-level', 'debug'], { env: env() });
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        expect(res.stdout).toContain(`ok: Locust master ${masterUrl}: answering, 1 workers connected (expected 1)`);
        expectNoSecrets(res);
      }
      const bad = await runCli(['preflight', '--matrix', file, '--master', masterUrl, '--log-format', 'pretty'], { env: env(WRONG), timeoutMs: 60_000 });
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/credentials were not accepted/);
      expectNoSecrets(bad);
    });

    it('a cluster the kubeconfig (with a token) points at does not answer: exit 3, no token', async () => {
      const file = path.join(dir, 'kube.yaml');
      await writeFile(
        file,
        `${matrix(targetUrl, WITH_AUTH)}kubernetes: { namespace: load, target: { deployment: inference } }\n`.replace(
          '- { name: only, users: 4 }',
          '- { name: only, users: 4, replicas: 1 }',
        ),
      );
      for (const format of ['json', 'pretty'] as const) {
        const runId = `kube-${format}`;
        const res = await runCli(
          ['run', '--matrix', file, '--master', masterUrl, '--out', out, '--run-id', runId, '--log-format', format, '--log-level', 'debug'],
          { env: env(), timeoutMs: 120_000 },
        );
        expect(res.code).toBe(3);
        expect(res.stderr).toMatch(/Kubernetes API \(http:\/\/127\.0\.0\.1:\d+\)/);
        expectNoSecrets(res);
        const leaks = (await secretsInFiles(out)).filter(([f]) => f.startsWith(runId));
        expect(leaks).toEqual([]);
      }
    });
  });
}

// The command line echoes a --master it refuses. (No Locust needed.)
describe('command-line errors about the master URL', () => {
  // Found by this suite, fixed: the refusal used to repeat the URL with its user info.
  it('a refused --master with user info does not echo the password', async () => {
    const res = await runCli(['validate', '--matrix', path.join(ROOT, 'examples', 'local.yaml'), '--master', `ftp://api:${PASSWORD}@127.0.0.1:1/`]);
    expect(res.code).toBe(2);
    expectNoSecrets(res);
  });
});
