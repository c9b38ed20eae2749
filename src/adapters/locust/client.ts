// The LoadGenerator port over Locust's web API (node:http, ../system/http.ts). Every response passes a parser before the
// core sees it. Only idempotent reads are retried; /swarm, /stop and /stats/reset change state and
// are never retried (except once with the other HTTP method after a 405, which did nothing; a stop
// tries every way it has, see stop.ts). Which method the release takes is decided once per run
// (detect(), from api-versions.ts). See ../shared/reference/locust-api.md for the traps worked around here.
import { createHttpPool, type HttpResponse, type HttpTransport } from '../system/http.js';
import pRetry, { AbortError as RetryAbort } from 'p-retry';
import type { LoadGenerator } from '../../ports.js';
import type { LiveStats, WindowStats } from '../../core/model.js';
import { LocustError } from '../../core/errors.js';
import { parseExceptionsCsv, parseFailuresCsv, parseLiveStats, parseStatsCsv, parseSwarmResponse, parseVersionFromHtml } from './parse.js';
import { apiForVersion, apiFromAllow, SUPPORTED_RANGE, type LocustApi } from './api-versions.js';
import { stopUsers, STOP_POLICY, type StopPolicy } from './stop.js';
import { parsePluginSync, parseRunnerView, PLUGIN_ROUTES } from './plugin.js';

/** How long the plugin's reset and flush wait for every worker's acknowledgement (they answer in ms). */
const PLUGIN_ACK_TIMEOUT_S = 5;

export interface LocustClientOptions {
  /** The master's web UI/API, e.g. http://127.0.0.1:8089 (a --web-base-path prefix is kept). */
  baseUrl: string;
  auth?: { username: string; password: string } | null;
  /** Deadline for one call (connect + answer). */
  requestTimeoutMs?: number;
  /** GET /stop blocks until every worker reports 0 users (up to stop_timeout + 60 s on the master). */
  stopTimeoutMs?: number;
  /** Retry budget for idempotent reads. */
  retry?: { retries: number; minTimeoutMs: number; maxTimeoutMs: number; maxRetryTimeMs: number };
  /** How requests are sent (tests answer from captured responses); default: a keep-alive pool of 4 sockets. */
  transport?: HttpTransport;
  /** How long a stop that fell back to a swarm of 0 users waits for the count to reach 0. */
  stopPolicy?: Omit<StopPolicy, 'signal'>;
}

type Kind = 'json' | 'text' | 'csv' | 'allow';

/** The URL without credentials, for logs and reports. */
export function displayUrl(raw: string): string {
  const u = new URL(raw);
  u.username = '';
  u.password = '';
  return u.toString();
}

export function createLocustClient(opts: LocustClientOptions): LoadGenerator {
  const base = new URL(opts.baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const userInfo = base.username ? { username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) } : null;
  base.username = '';
  base.password = '';
  const auth = opts.auth ?? userInfo;
  const authHeader = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : null;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 130_000;
  const retry = opts.retry ?? { retries: 4, minTimeoutMs: 250, maxTimeoutMs: 2_000, maxRetryTimeMs: 10_000 };
  const ownPool = opts.transport ? null : createHttpPool({ maxSockets: 4, idleMs: 4_000 });
  const send = opts.transport ?? (ownPool as NonNullable<typeof ownPool>).send;
  const where = base.toString();

  async function call(
    method: 'GET' | 'POST' | 'OPTIONS',
    path: string,
    kind: Kind,
    o: { body?: string; timeoutMs?: number; signal?: AbortSignal | undefined } = {},
  ): Promise<unknown> {
    const timeoutMs = o.timeoutMs ?? requestTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
    const headers: Record<string, string> = { accept: kind === 'json' ? 'application/json' : kind === 'csv' ? 'text/csv' : '*/*' };
    if (authHeader) headers.authorization = authHeader;
    if (o.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let res: HttpResponse;
    try {
      res = await send({ method, url: new URL(path, base), body: o.body, headers, signal });
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      const code = (e as { code?: string }).code ?? (e as { name?: string }).name ?? 'error';
      const what = deadline.aborted || code === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${code}: ${(e as Error).message}`;
      throw new LocustError(`Locust master at ${where} did not answer ${method} /${path} (${what})`, { cause: e, code: 'LOCUST_UNREACHABLE' });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      // The answer was cut off (connection closed mid-body, body timeout): as good as no answer.
      if (o.signal?.aborted) throw o.signal.reason;
      const code = (e as { code?: string }).code ?? (e as { name?: string }).name ?? 'error';
      const what = deadline.aborted ? `no complete answer within ${timeoutMs} ms` : `${code}: ${(e as Error).message}`;
      throw new LocustError(`Locust master at ${where} cut off its answer to ${method} /${path} (${what})`, { cause: e, code: 'LOCUST_UNREACHABLE' });
    }
    const ct = String(res.headers['content-type'] ?? '');
    if (kind === 'allow') return res.statusCode < 400 ? String(res.headers.allow ?? '') : null;
    if (res.statusCode === 401 || (res.statusCode === 302 && String(res.headers.location ?? '').includes('login'))) {
      throw new LocustError(
        `Locust master at ${where} refused ${method} /${path} (HTTP ${res.statusCode}): ${authHeader ? 'the credentials were not accepted — check locust.auth.username and the password variable' : 'it requires a login — set locust.auth in the matrix'} (Locust ≥ 2.21 needs the Basic-auth request_loader, see docs/configuration.md)`,
        { status: res.statusCode, code: 'LOCUST_AUTH' },
      );
    }
    if (res.statusCode >= 400) {
      const status = api?.wrapsErrors === false ? res.statusCode : unwrappedStatus(res.statusCode, text);
      throw new LocustError(`Locust master at ${where} answered ${method} /${path} with HTTP ${res.statusCode}: ${excerpt(text)}`, {
        status,
        code: 'LOCUST_HTTP',
      });
    }
    if (kind === 'json') {
      if (!ct.includes('json')) {
        throw new LocustError(
          `Locust master at ${where} answered ${method} /${path} with ${ct || 'no content type'} instead of JSON: ${excerpt(text)}${text.includes('auth exception') ? ' — --web-login is on without a login handler in the locustfile' : ''}`,
          { status: res.statusCode, code: 'LOCUST_BAD_RESPONSE' },
        );
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw new LocustError(`Locust master at ${where} sent invalid JSON for ${method} /${path}: ${excerpt(text)}`, {
          cause: e,
          status: res.statusCode,
          code: 'LOCUST_BAD_RESPONSE',
        });
      }
    }
    if (kind === 'csv' && /^\s*</.test(text)) {
      throw new LocustError(`Locust master at ${where} sent HTML instead of CSV for /${path}: ${excerpt(text)}`, {
        status: res.statusCode,
        code: 'LOCUST_BAD_RESPONSE',
      });
    }
    return text;
  }

  // /stop and /stats/reset are GET routes up to 2.46 and POST-only in 2.47 (a GET answers 405 and
  // does nothing). detect() sets the method from the release; should a master still refuse it
  // (405: nothing happened), the other method is tried once and remembered for the rest of the run.
  let api: LocustApi | null = null;
  let stateMethod: 'GET' | 'POST' = 'POST';
  // The plugin's view has no /stats/requests shape of its own: it carries the one last seen.
  let schema: LiveStats['schema'] = 'modern';
  let plugin: { version: string } | null | undefined;
  async function changeState(path: string, kind: Kind, o: { signal?: AbortSignal | undefined; timeoutMs?: number }): Promise<void> {
    try {
      await call(stateMethod, path, kind, o);
    } catch (e) {
      if (!(e instanceof LocustError) || e.status !== 405) throw e;
      stateMethod = stateMethod === 'POST' ? 'GET' : 'POST';
      await call(stateMethod, path, kind, o);
    }
  }

  /** Idempotent reads only: transient failures (no answer, 5xx) are retried with a bounded budget. */
  function read(path: string, kind: Kind, signal?: AbortSignal): Promise<unknown> {
    return pRetry(
      async () => {
        try {
          return await call('GET', path, kind, { signal });
        } catch (e) {
          if (e instanceof LocustError && isTransient(e)) throw e;
          throw new RetryAbort(e as Error);
        }
      },
      {
        retries: retry.retries,
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        maxRetryTime: retry.maxRetryTimeMs,
        randomize: true,
        ...(signal ? { signal } : {}),
        shouldRetry: () => true,
      },
    );
  }

  return {
    url: where,
    async detect(signal) {
      if (api) return api;
      let page: string | null = null;
      try {
        page = (await read('', 'text', signal)) as string;
      } catch (e) {
        if (signal?.aborted) throw e;
        // the UI page may be disabled or behind a login: OPTIONS tells the API without it
      }
      const version = page === null ? null : parseVersionFromHtml(page);
      if (version !== null) {
        const known = apiForVersion(version);
        if ('unsupported' in known)
          throw new LocustError(`the Locust master at ${where} cannot be driven: ${known.unsupported}`, { code: 'LOCUST_UNSUPPORTED' });
        api = known;
      } else {
        let allow: string | null = null;
        try {
          allow = (await call('OPTIONS', 'stop', 'allow', { signal })) as string | null;
        } catch (e) {
          if (signal?.aborted || (e instanceof LocustError && e.code === 'LOCUST_AUTH')) throw e;
        }
        const probed = apiFromAllow(allow);
        if (!probed) {
          throw new LocustError(
            `the Locust master at ${where} does not answer as any known Locust release: its web UI page shows no version and OPTIONS /stop ${allow === null ? 'failed' : `allows "${allow}"`} — locust-driver supports ${SUPPORTED_RANGE}; check --master points at a Locust master's web port`,
            { code: 'LOCUST_UNSUPPORTED' },
          );
        }
        api = probed;
      }
      stateMethod = api.stateMethod;
      return api;
    },
    async stats(signal): Promise<LiveStats> {
      const s = parseLiveStats(await read('stats/requests', 'json', signal));
      schema = s.schema;
      return s;
    },
    async detectPlugin(signal) {
      if (plugin !== undefined) return plugin;
      try {
        plugin = parseRunnerView(await read(PLUGIN_ROUTES.runner, 'json', signal), schema).info;
      } catch (e) {
        if (!(e instanceof LocustError && e.status === 404)) throw e;
        plugin = null;
      }
      return plugin;
    },
    async runnerNow(signal) {
      return parseRunnerView(await read(PLUGIN_ROUTES.runner, 'json', signal), schema).stats;
    },
    async resetAll(signal) {
      // Changes state: never retried (a reset whose answer was lost may have happened).
      return parsePluginSync(PLUGIN_ROUTES.reset, await call('POST', `${PLUGIN_ROUTES.reset}?timeout=${PLUGIN_ACK_TIMEOUT_S}`, 'json', { signal }), schema);
    },
    async flush(signal) {
      return parsePluginSync(PLUGIN_ROUTES.flush, await call('POST', `${PLUGIN_ROUTES.flush}?timeout=${PLUGIN_ACK_TIMEOUT_S}`, 'json', { signal }), schema);
    },
    async swarm(users, spawnRate, host, signal) {
      // Form fields only; never run_time (its timer outlives /stop and stops later tests).
      const form = new URLSearchParams({ user_count: String(users), spawn_rate: String(spawnRate) });
      if (host) form.set('host', host);
      const res = parseSwarmResponse(await call('POST', 'swarm', 'json', { body: form.toString(), signal }));
      if (!res.success)
        throw new LocustError(`Locust master at ${where} refused to start ${users} users at ${spawnRate}/s: ${res.message}`, { code: 'LOCUST_SWARM_REFUSED' });
    },
    async resetStats(signal) {
      await changeState('stats/reset', 'text', { signal });
    },
    async stop(signal) {
      stateMethod = await stopUsers(
        {
          stop: async (method) => {
            await call(method, 'stop', 'json', { signal, timeoutMs: stopTimeoutMs });
          },
          swarmZero: async () => {
            // spawn_rate 0 is refused from 2.43.0: a high rate takes the users down within a second
            const form = new URLSearchParams({ user_count: '0', spawn_rate: '1000' });
            const res = parseSwarmResponse(await call('POST', 'swarm', 'json', { body: form.toString(), signal }));
            if (!res.success) throw new LocustError(`Locust master at ${where} refused a swarm of 0 users: ${res.message}`, { code: 'LOCUST_SWARM_REFUSED' });
          },
          userCount: async () => parseLiveStats(await read('stats/requests', 'json', signal)).userCount,
        },
        stateMethod,
        where,
        { ...(opts.stopPolicy ?? STOP_POLICY), signal },
      );
    },
    async window(signal): Promise<WindowStats> {
      const [stats, failures, exceptions] = (await Promise.all([
        read('stats/requests/csv', 'csv', signal),
        read('stats/failures/csv', 'csv', signal),
        read('exceptions/csv', 'csv', signal),
      ])) as string[];
      const parsed = parseStatsCsv(stats as string);
      return {
        endpoints: parsed.endpoints,
        aggregated: parsed.aggregated,
        failures: parseFailuresCsv(failures as string),
        exceptionCount: parseExceptionsCsv(exceptions as string),
        raw: { stats: stats as string, failures: failures as string, exceptions: exceptions as string },
      };
    },
    async aggregatedCount(signal) {
      return parseStatsCsv((await read('stats/requests/csv', 'csv', signal)) as string).aggregated.requests;
    },
    close() {
      ownPool?.close();
      return Promise.resolve();
    },
  };
}

/**
 * Locust 2.18.1 to 2.26.x wrap every HTTP error in a 500 whose body starts with the real one
 * ("405 Method Not Allowed: …", "404 Not Found: …"; captured in test/fixtures/locust/2.20.1/).
 * The real status decides what a caller does (fall back to the other method, retry or not).
 */
function unwrappedStatus(status: number, body: string): number {
  if (status !== 500) return status;
  const inner = /^(4\d\d) [A-Z][A-Za-z ]+: /.exec(body)?.[1];
  return inner ? Number(inner) : status;
}

function isTransient(e: LocustError): boolean {
  if (e.code === 'LOCUST_UNREACHABLE') return true;
  return e.status !== null && e.status >= 500 && e.status !== 501;
}

function excerpt(text: string): string {
  // An error page (an ingress, a proxy, a login form) says most in its title.
  const title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
  if (title) return `an HTML page titled "${title}"`;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty body)';
}
