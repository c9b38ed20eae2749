// The sample inference service of the embedded local stack: a stand-in for the real `inference`
// Deployment, with a real capacity limit so that latency rises with load.
//
// Self-contained on purpose: it imports nothing but `node:` builtins and its import-free sibling
// contention.ts (loaded by this file's own extension, see below), and uses only erasable TypeScript syntax (no enums, namespaces or parameter properties), because the local
// stack runs it as a child process either compiled (`node dist/sample-target/main.js`) or straight
// from source with Node's type stripping (`node src/sample-target/main.ts`).
//
//   node src/sample-target/main.ts --host 127.0.0.1 --port 0 --concurrency 4 --service-ms 25 \
//        --jitter-ms 5 --queue-limit 2000 --slowdown 1 --cpu-ms 0
//
// It binds to a loopback address only, unless `--allow-external-host` is given together with a
// non-loopback `--host`: that opt-in is for running it inside a cluster (k8s/inference.yaml), where
// a container must listen on 0.0.0.0 to be reachable through its Service. Its /__admin endpoints
// are unauthenticated, so never expose it beyond a test cluster.
//
// Prints exactly one line to stdout once listening:  sample-target listening on http://127.0.0.1:<port>
// and runs until SIGTERM/SIGINT (then closes and exits 0). Diagnostics go to stderr.
//
// Endpoints
//   POST /predict         body {"data": {11 keys, each an array of 30 numbers/strings}} → 200
//                         {"prediction": [30 numbers], "model": "sample", "latency_ms": n};
//                         400 + {"error": ...} on a bad body; 503 when the wait queue is full.
//                         At most `concurrency` requests are in service at once, each for
//                         (service-ms ± jitter-ms) × slowdown; the others wait in a FIFO queue.
//                         Capacity ≈ concurrency × 1000 / (service-ms × slowdown) requests/s.
//                         With --sigma/--kappa (contention.ts) each also takes × (1 + σ(n−1) + κn(n−1)),
//                         n the requests in service: a known USL cost for the scalability model.
//                         With --cpu-ms N (default 0) the first N ms of each service are spent
//                         computing on the CPU (a busy loop, in the event loop) instead of
//                         waiting, so the process's CPU follows its load like a real model
//                         server's; the service time (and so the capacity) stays the same while
//                         N <= the service time.
//   GET  /healthz         200 {"status":"ok"} at once.
//   GET  /metrics         Prometheus text at once.
//   GET  /__admin/counts?from=<epochMs>&to=<epochMs>
//                         arrivals at the three public endpoints (any method, any outcome) with
//                         from <= t < to, t = Date.now() at arrival. Resolution 1 ms; retention
//                         the last hour (older arrivals are forgotten). Admin calls are not counted.
//   GET  /__admin/config  the active settings.
//   anything else         404.

import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import path from 'node:path';

// The contention model (--sigma, --kappa) is its own module. Imported with this file's own
// extension: run from source (node main.ts, Node's type stripping) it is contention.ts, compiled
// it is contention.js — a static './contention.js' would not resolve from source.
const { checkContention, contentionFactor } = (await import(
  new URL(`./contention${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url).href
)) as typeof import('./contention.js');

// ---------------------------------------------------------------------------------------------
// Settings

export interface SampleTargetConfig {
  host: string;
  port: number;
  /** Requests in service at once. */
  concurrency: number;
  /** Mean service time of one /predict, ms. */
  serviceMs: number;
  /** Uniform jitter added to the service time, ± ms. */
  jitterMs: number;
  /** Requests allowed to wait for a service slot; beyond that → 503. */
  queueLimit: number;
  /** Multiplier on the service time (a "slower build"). */
  slowdown: number;
  /** A known scalability cost (USL σ and κ, see contention.ts); absent: none. */
  sigma?: number;
  kappa?: number;
  /** CPU burned per /predict at the start of its service, ms (part of the service time, not added to it). */
  cpuMs: number;
}

export const DEFAULT_CONFIG: SampleTargetConfig = {
  host: '127.0.0.1',
  port: 0,
  concurrency: 4,
  serviceMs: 25,
  jitterMs: 5,
  queueLimit: 2000,
  slowdown: 1,
  cpuMs: 0,
};

export const PUBLIC_PATHS = ['/predict', '/healthz', '/metrics'] as const;
export type PublicPath = (typeof PUBLIC_PATHS)[number];

export const FEATURE_COUNT = 11;
export const WINDOW = 30;
const MAX_BODY_BYTES = 1024 * 1024;

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (h === 'localhost') return true;
  const v = isIP(h);
  if (v === 4) return h.startsWith('127.');
  if (v === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** How the service may be run, apart from its settings (not echoed by /__admin/config). */
export interface SampleTargetOptions {
  /**
   * Allow a non-loopback `host` (e.g. 0.0.0.0 inside a cluster's pod). Without it, only loopback
   * addresses are accepted, so a developer's run never listens on the network by accident.
   */
  allowExternalHost?: boolean;
}

/** Validates a (partial) config; throws an Error with a one-line message. */
export function resolveConfig(partial: Partial<SampleTargetConfig> = {}, options: SampleTargetOptions = {}): SampleTargetConfig {
  const c: SampleTargetConfig = { ...DEFAULT_CONFIG, ...partial };
  if (c.host.trim() === '') throw new Error('host must not be empty');
  if (!isLoopbackHost(c.host) && options.allowExternalHost !== true) {
    throw new Error(
      `refusing to bind to ${c.host}: the sample target only binds to a loopback address (127.0.0.1, ::1) unless --allow-external-host is given (for running inside a cluster)`,
    );
  }
  const intIn = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  const numIn = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${name} must be a number in [${min}, ${max}], got ${v}`);
  };
  intIn('port', c.port, 0, 65535);
  intIn('concurrency', c.concurrency, 1, 100_000);
  numIn('service-ms', c.serviceMs, 0, 600_000);
  numIn('jitter-ms', c.jitterMs, 0, 600_000);
  intIn('queue-limit', c.queueLimit, 0, 10_000_000);
  numIn('slowdown', c.slowdown, 0, 1000);
  checkContention({ sigma: c.sigma ?? 0, kappa: c.kappa ?? 0 });
  numIn('cpu-ms', c.cpuMs, 0, 10_000);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Arrival accounting: 1-ms buckets, grouped per second, kept for one hour.
// Memory: per second that saw traffic, one Uint16Array(1000) per public path that saw traffic
// (2 KB); at most 3600 seconds × 3 paths × 2 KB ≈ 21 MB in the worst case. A bucket saturates at
// 65535 arrivals in one millisecond on one path (never reached in practice).

interface SecondBucket {
  total: Uint32Array; // per path, index as PUBLIC_PATHS
  perMs: (Uint16Array | undefined)[];
}

export class ArrivalCounter {
  readonly retentionMs: number;
  private readonly seconds = new Map<number, SecondBucket>();
  private oldestKept = Number.POSITIVE_INFINITY;

  constructor(retentionMs = 3_600_000) {
    this.retentionMs = retentionMs;
  }

  record(path: PublicPath, t: number): void {
    const idx = PUBLIC_PATHS.indexOf(path);
    const sec = Math.floor(t / 1000);
    let b = this.seconds.get(sec);
    if (b === undefined) {
      b = { total: new Uint32Array(PUBLIC_PATHS.length), perMs: [undefined, undefined, undefined] };
      this.seconds.set(sec, b);
      if (sec < this.oldestKept) this.oldestKept = sec;
      this.prune(t);
    }
    let ms = b.perMs[idx];
    if (ms === undefined) {
      ms = new Uint16Array(1000);
      b.perMs[idx] = ms;
    }
    const off = t - sec * 1000;
    if ((ms[off] ?? 0) < 0xffff) {
      ms[off] = (ms[off] ?? 0) + 1;
      b.total[idx] = (b.total[idx] ?? 0) + 1;
    }
  }

  private prune(now: number): void {
    const limit = Math.floor((now - this.retentionMs) / 1000);
    if (this.oldestKept >= limit) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const sec of this.seconds.keys()) {
      if (sec < limit) this.seconds.delete(sec);
      else if (sec < oldest) oldest = sec;
    }
    this.oldestKept = oldest;
  }

  /** Arrivals with from <= t < to. */
  count(from: number, to: number): { count: number; byPath: Record<PublicPath, number> } {
    const by = [0, 0, 0];
    if (to > from) {
      const fromSec = Math.floor(from / 1000);
      const lastSec = Math.floor((to - 1) / 1000);
      for (const [sec, b] of this.seconds) {
        if (sec < fromSec || sec > lastSec) continue;
        const lo = Math.max(0, from - sec * 1000);
        const hi = Math.min(1000, to - sec * 1000); // exclusive
        for (let p = 0; p < PUBLIC_PATHS.length; p++) {
          if (lo === 0 && hi === 1000) {
            by[p] = (by[p] ?? 0) + (b.total[p] ?? 0);
            continue;
          }
          const ms = b.perMs[p];
          if (ms === undefined) continue;
          let n = 0;
          for (let i = lo; i < hi; i++) n += ms[i] ?? 0;
          by[p] = (by[p] ?? 0) + n;
        }
      }
    }
    const byPath = { '/predict': by[0] ?? 0, '/healthz': by[1] ?? 0, '/metrics': by[2] ?? 0 };
    return { count: byPath['/predict'] + byPath['/healthz'] + byPath['/metrics'], byPath };
  }
}

// ---------------------------------------------------------------------------------------------
// Capacity: `concurrency` service slots and a bounded FIFO wait queue.

interface Waiter {
  start: () => void;
  state: 'waiting' | 'started' | 'cancelled';
}

class ServiceSlots {
  private readonly slots: number;
  private readonly queueLimit: number;
  private busy = 0;
  private waiting = 0;
  private queue: (Waiter | undefined)[] = [];
  private head = 0;

  constructor(slots: number, queueLimit: number) {
    this.slots = slots;
    this.queueLimit = queueLimit;
  }

  get inService(): number {
    return this.busy;
  }

  get queued(): number {
    return this.waiting;
  }

  /**
   * Runs `start` when a slot is free (now or later, FIFO). Returns null if the queue is full,
   * else a cancel function (a no-op once started).
   */
  acquire(start: () => void): (() => void) | null {
    if (this.busy < this.slots && this.waiting === 0) {
      this.busy++;
      start();
      return () => {};
    }
    if (this.waiting >= this.queueLimit) return null;
    const w: Waiter = { start, state: 'waiting' };
    this.queue.push(w);
    this.waiting++;
    return () => {
      if (w.state === 'waiting') {
        w.state = 'cancelled';
        this.waiting--;
      }
    };
  }

  release(): void {
    this.busy--;
    while (this.busy < this.slots && this.head < this.queue.length) {
      const w = this.queue[this.head];
      this.queue[this.head] = undefined;
      this.head++;
      if (w === undefined || w.state !== 'waiting') continue;
      w.state = 'started';
      this.waiting--;
      this.busy++;
      w.start();
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Request handling

export type PredictValidation = { ok: true; data: Record<string, unknown[]> } | { ok: false; error: string };

export function validatePredictBody(body: unknown): PredictValidation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'body must be a JSON object {"data": {...}}' };
  }
  const data = (body as Record<string, unknown>)['data'];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, error: '"data" must be an object of feature arrays' };
  }
  const entries = Object.entries(data as Record<string, unknown>);
  if (entries.length !== FEATURE_COUNT) {
    return { ok: false, error: `"data" must have ${FEATURE_COUNT} features, got ${entries.length}` };
  }
  const out: Record<string, unknown[]> = {};
  for (const [key, v] of entries) {
    if (!Array.isArray(v) || v.length !== WINDOW) {
      return { ok: false, error: `feature "${key}" must be an array of ${WINDOW} values` };
    }
    for (const x of v as unknown[]) {
      if (!(typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))) {
        return { ok: false, error: `feature "${key}" must hold numbers or strings` };
      }
    }
    out[key] = v as unknown[];
  }
  return { ok: true, data: out };
}

/** A deterministic toy "model": per time step, the mean of the numeric features, scaled. */
function predict(data: Record<string, unknown[]>): number[] {
  const out: number[] = [];
  for (let i = 0; i < WINDOW; i++) {
    let sum = 0;
    let n = 0;
    for (const values of Object.values(data)) {
      const x = values[i];
      if (typeof x === 'number') {
        sum += Math.log1p(Math.abs(x));
        n++;
      }
    }
    out.push(n === 0 ? 0 : Math.round((sum / n) * 1e4) / 1e4);
  }
  return out;
}

/** The busy loop's arithmetic goes here, where it stays observable, so no optimiser drops the loop. */
let cpuSink = 0;

/**
 * Keeps the CPU busy for `ms` of wall-clock time (the "model" computing); returns the ms spent.
 * Synchronous on purpose: a real CPU-bound handler blocks its event loop too, so a process that
 * is overloaded by CPU also answers later, as it would in production.
 */
function burnCpu(ms: number): number {
  if (ms <= 0) return 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) cpuSink = (cpuSink + Math.sqrt(i + cpuSink)) % 1e6;
  }
  return performance.now() - t0;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseEpochMs(v: string | null, fallback: number): number | null {
  if (v === null || v === '') return fallback;
  if (!/^-?\d+(\.\d+)?$/.test(v)) return null;
  const n = Math.floor(Number(v));
  return Number.isSafeInteger(n) ? n : null;
}

export interface SampleTarget {
  readonly config: SampleTargetConfig;
  readonly server: http.Server;
  readonly counter: ArrivalCounter;
  /** Starts listening on config.host:config.port; resolves with the base URL (no trailing slash). */
  listen(): Promise<string>;
  /** The base URL once listening, e.g. http://127.0.0.1:41234 */
  url(): string;
  /** Stops accepting, drops open connections and pending service timers. Idempotent. */
  close(): Promise<void>;
}

export function createSampleTarget(partial: Partial<SampleTargetConfig> = {}, options: SampleTargetOptions = {}): SampleTarget {
  const config = resolveConfig(partial, options);
  const counter = new ArrivalCounter();
  const slots = new ServiceSlots(config.concurrency, config.queueLimit);
  const requestsTotal = new Map<string, number>(); // `${path}\u0000${status}` → n
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  let closePromise: Promise<void> | null = null;

  const countResponse = (path: PublicPath, status: number): void => {
    const k = `${path}\u0000${status}`;
    requestsTotal.set(k, (requestsTotal.get(k) ?? 0) + 1);
  };

  const serviceTime = (): number => {
    const jitter = config.jitterMs === 0 ? 0 : (Math.random() * 2 - 1) * config.jitterMs;
    const cost = contentionFactor(slots.inService, { sigma: config.sigma ?? 0, kappa: config.kappa ?? 0 });
    return Math.max(0, (config.serviceMs + jitter) * config.slowdown * cost);
  };

  const metricsText = (): string => {
    const lines = ['# HELP sample_target_requests_total Responses sent, by path and HTTP status.', '# TYPE sample_target_requests_total counter'];
    for (const [k, n] of [...requestsTotal.entries()].sort()) {
      const [path, status] = k.split('\u0000');
      lines.push(`sample_target_requests_total{path="${path}",status="${status}"} ${n}`);
    }
    lines.push(
      '# HELP sample_target_in_flight /predict requests in service now.',
      '# TYPE sample_target_in_flight gauge',
      `sample_target_in_flight ${slots.inService}`,
      '# HELP sample_target_queue_length /predict requests waiting for a service slot.',
      '# TYPE sample_target_queue_length gauge',
      `sample_target_queue_length ${slots.queued}`,
      '# HELP sample_target_concurrency Service slots.',
      '# TYPE sample_target_concurrency gauge',
      `sample_target_concurrency ${config.concurrency}`,
    );
    return lines.join('\n') + '\n';
  };

  const handlePredict = async (req: IncomingMessage, res: ServerResponse, arrived: number): Promise<void> => {
    const reply = (status: number, body: unknown): void => {
      countResponse('/predict', status);
      if (!res.writableEnded && !res.destroyed) sendJson(res, status, body);
    };
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      reply(405, { error: 'use POST /predict' });
      return;
    }
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === 'too-large') {
      reply(413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      reply(400, { error: 'body is not valid JSON' });
      return;
    }
    const v = validatePredictBody(parsed);
    if (!v.ok) {
      reply(400, { error: v.error });
      return;
    }
    const data = v.data;
    const cancel = slots.acquire(() => {
      const total = serviceTime();
      const spent = burnCpu(Math.min(config.cpuMs, total));
      const t = setTimeout(() => {
        timers.delete(t);
        slots.release();
        const latency = Math.round((performance.now() - arrived) * 10) / 10;
        reply(200, { prediction: predict(data), model: 'sample', latency_ms: latency });
      }, total - spent);
      timers.add(t);
    });
    if (cancel === null) {
      reply(503, { error: `overloaded: ${config.queueLimit} requests already waiting` });
      return;
    }
    // A client that gives up while waiting leaves the queue (it no longer holds a place).
    res.on('close', () => {
      if (!res.writableEnded) cancel();
    });
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const arrivedAt = Date.now();
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://sample-target.invalid');
    const path = url.pathname;
    if (closing) {
      res.setHeader('connection', 'close');
    }
    if (path === '/predict' || path === '/healthz' || path === '/metrics') counter.record(path, arrivedAt);

    if (path === '/predict') {
      handlePredict(req, res, arrived).catch((e: unknown) => {
        countResponse('/predict', 500);
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: String(e) });
      });
      return;
    }
    if (path === '/healthz') {
      countResponse('/healthz', 200);
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/metrics') {
      countResponse('/metrics', 200);
      const text = metricsText();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (path === '/__admin/counts') {
      const now = Date.now();
      const from = parseEpochMs(url.searchParams.get('from'), 0);
      const to = parseEpochMs(url.searchParams.get('to'), now + 1);
      if (from === null || to === null) {
        sendJson(res, 400, { error: 'from and to must be epoch milliseconds (integers)' });
        return;
      }
      sendJson(res, 200, { ...counter.count(from, to), from, to, resolutionMs: 1, retentionMs: counter.retentionMs });
      return;
    }
    if (path === '/__admin/config') {
      sendJson(res, 200, { ...config, port: boundPort() });
      return;
    }
    sendJson(res, 404, { error: `no such endpoint: ${req.method ?? 'GET'} ${path}` });
  };

  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  const boundPort = (): number => {
    const a = server.address();
    return a !== null && typeof a === 'object' ? a.port : config.port;
  };
  const url = (): string => {
    const h = config.host.includes(':') ? `[${config.host}]` : config.host;
    return `http://${h}:${boundPort()}`;
  };

  return {
    config,
    server,
    counter,
    url,
    listen: () =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve(url());
        });
      }),
    close: () => {
      if (closePromise !== null) return closePromise;
      closing = true;
      closePromise = new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closePromise;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE = [
  'usage: sample-target [--host 127.0.0.1] [--port 0] [--concurrency 4] [--service-ms 25] [--jitter-ms 5] [--queue-limit 2000] [--slowdown 1]',
  '                     [--sigma 0] [--kappa 0]   (a known USL cost: service time × (1 + σ(n−1) + κn(n−1)), n in service)',
  '                     [--cpu-ms 0] [--allow-external-host]',
  '  --host binds to a loopback address (127.0.0.1, ::1, localhost) only. A non-loopback --host',
  '  (e.g. --host 0.0.0.0) also needs --allow-external-host: that is for running inside a cluster',
  '  (a pod behind a Service, see k8s/inference.yaml); the /__admin endpoints have no authentication.',
].join('\n');

/** The command line, parsed and validated: the settings, and how they may be used. */
export function parseCliOptions(argv: string[]): { config: SampleTargetConfig; options: SampleTargetOptions } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      concurrency: { type: 'string' },
      'service-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      'queue-limit': { type: 'string' },
      slowdown: { type: 'string' },
      sigma: { type: 'string' },
      kappa: { type: 'string' },
      'cpu-ms': { type: 'string' },
      'allow-external-host': { type: 'boolean' },
    },
  });
  const num = (name: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
    return n;
  };
  const options: SampleTargetOptions = { allowExternalHost: values['allow-external-host'] === true };
  const config = resolveConfig(
    {
      host: values.host ?? DEFAULT_CONFIG.host,
      port: num('port', values.port, DEFAULT_CONFIG.port),
      concurrency: num('concurrency', values.concurrency, DEFAULT_CONFIG.concurrency),
      serviceMs: num('service-ms', values['service-ms'], DEFAULT_CONFIG.serviceMs),
      jitterMs: num('jitter-ms', values['jitter-ms'], DEFAULT_CONFIG.jitterMs),
      queueLimit: num('queue-limit', values['queue-limit'], DEFAULT_CONFIG.queueLimit),
      slowdown: num('slowdown', values.slowdown, DEFAULT_CONFIG.slowdown),
      ...(values.sigma !== undefined ? { sigma: num('sigma', values.sigma, 0) } : {}),
      ...(values.kappa !== undefined ? { kappa: num('kappa', values.kappa, 0) } : {}),
      cpuMs: num('cpu-ms', values['cpu-ms'], DEFAULT_CONFIG.cpuMs),
    },
    options,
  );
  return { config, options };
}

/** The settings from the command line (see parseCliOptions). */
export function parseCli(argv: string[]): SampleTargetConfig {
  return parseCliOptions(argv).config;
}

async function main(argv: string[]): Promise<void> {
  let config: SampleTargetConfig;
  let options: SampleTargetOptions;
  try {
    ({ config, options } = parseCliOptions(argv));
  } catch (e) {
    process.stderr.write(`sample-target: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!isLoopbackHost(config.host)) {
    process.stderr.write(`sample-target: listening on ${config.host} (--allow-external-host): reachable from the network, /__admin included\n`);
  }
  const target = createSampleTarget(config, options);
  try {
    await target.listen();
  } catch (e) {
    process.stderr.write(`sample-target: cannot listen on ${config.host}:${config.port}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  process.stdout.write(`sample-target listening on ${target.url()}\n`);
  const stop = (signal: string): void => {
    process.stderr.write(`sample-target: ${signal}, closing\n`);
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    void target.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  void main(process.argv.slice(2));
}
