// The embedded local stack, used when the user configures no Locust master: the sample inference
// service, a Locust master and N Locust workers, all child processes bound to 127.0.0.1 on free
// ports. Nothing is headless and nothing has a run time: the driver controls the test through the
// master's web API, exactly as it does a real deployment.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../../core/errors.js';
import { freePorts } from './free-port.js';
import { findOrInstallLocust, packageRoot } from './locust-install.js';
import { ManagedProcess, formatExit } from './processes.js';
import { httpRequest } from '../system/http.js';

export interface LocalStackOptions {
  /** Locust workers. Default 2. */
  workers?: number;
  /** The locust executable. Default: findOrInstallLocust() (the pinned version). */
  locustBin?: string;
  /** Default <repo>/locust/locustfile.py */
  locustfile?: string;
  target?: { concurrency?: number; serviceMs?: number; slowdown?: number };
  log?: (msg: string) => void;
  /** Bound on starting everything (not counting a one-time Locust install). Default 60 s. */
  startTimeoutMs?: number;
}

export interface LocalStack {
  /** http://127.0.0.1:<web port>/ (with trailing slash) */
  masterUrl: string;
  /** http://127.0.0.1:<port> of the sample target */
  targetUrl: string;
  /** From `locust --version`; null when it could not be parsed. */
  locustVersion: string | null;
  workers: number;
  /** Stops everything it started (workers, master, target). Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MASTER_START_ATTEMPTS = 3;

/** The sample target's entry: compiled next to this module (or in the package's dist/), else the TypeScript source. */
export function sampleTargetEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = packageRoot();
  const candidates = [
    path.resolve(here, '..', '..', 'sample-target', 'main.js'),
    path.resolve(here, '..', '..', 'sample-target', 'main.ts'),
    // from the bundle (dist/chunks/): tsc's build of the target, which has no dependencies
    path.join(root, 'dist', 'sample-target', 'main.js'),
    path.join(root, 'src', 'sample-target', 'main.ts'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined)
    throw new InfraError(`the sample target is missing (looked for ${candidates.join(', ')}); reinstall locust-driver or run npm run build`);
  return found;
}

/** `locust --version` → "2.47.0" (null if unparseable). */
export function parseLocustVersion(output: string): string | null {
  const m = /\blocust\s+v?(\d+\.\d+(?:\.\d+)?[0-9A-Za-z.+-]*)/i.exec(output);
  return m?.[1] ?? null;
}

/** Environment for Locust children: unbuffered output, no inherited LOCUST_* settings. */
function locustEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // LOCUST_* variables are Locust options (e.g. LOCUST_HEADLESS, LOCUST_RUN_TIME): they would
    // change how the embedded master behaves, so none are passed on.
    if (!k.toUpperCase().startsWith('LOCUST_')) env[k] = v;
  }
  env['PYTHONUNBUFFERED'] = '1';
  return env;
}

async function locustVersion(bin: string, env: NodeJS.ProcessEnv, track: (p: ManagedProcess) => void): Promise<string | null> {
  let proc: ManagedProcess;
  try {
    proc = await ManagedProcess.spawn('locust --version', bin, ['--version'], { env });
    track(proc);
  } catch (e) {
    throw new InfraError(`cannot run ${bin}: ${e instanceof Error ? e.message : String(e)}; check LOCUST_DRIVER_LOCUST_BIN or delete .venv/ to reinstall`, {
      cause: e,
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const info = await Promise.race([proc.closed, new Promise<null>((r) => (timer = setTimeout(() => r(null), 30_000)))]);
  clearTimeout(timer);
  if (info === null) {
    await proc.stop(1000);
    throw new InfraError(`${bin} --version did not finish within 30 s\n${proc.describeTail()}`);
  }
  if (info.code !== 0) {
    throw new InfraError(`${bin} --version failed (${formatExit(info)}); is it a working Locust? Delete .venv/ to reinstall\n${proc.describeTail()}`);
  }
  return parseLocustVersion(proc.tail().join('\n'));
}

interface WorkerState {
  state?: unknown;
}

/** Number of workers in state `ready` in GET /stats/requests, or undefined if it did not answer. */
async function readyWorkers(masterUrl: string): Promise<number | undefined> {
  const res = await httpRequest({ method: 'GET', url: new URL('stats/requests', masterUrl), signal: AbortSignal.timeout(3000) });
  if (res.statusCode !== 200) {
    await res.dump();
    return undefined;
  }
  const body = JSON.parse(await res.text()) as { workers?: unknown };
  if (!Array.isArray(body.workers)) return 0;
  return (body.workers as WorkerState[]).filter((w) => w.state === 'ready').length;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const log = opts.log ?? (() => {});
  const workers = opts.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new InfraError(`the local stack needs 1 to 64 workers, got ${workers}`);
  }
  const root = packageRoot();
  const locustfile = path.resolve(opts.locustfile ?? path.join(root, 'locust', 'locustfile.py'));
  if (!existsSync(locustfile)) throw new InfraError(`locustfile ${locustfile} does not exist; pass an existing file`);
  const targetEntry = sampleTargetEntry();
  const bin = opts.locustBin ?? (await findOrInstallLocust({ log }));
  const env = locustEnv();
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + startTimeoutMs;
  const remaining = (): number => Math.max(1, deadline - Date.now());

  const started: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    // Workers first (they tell the master they quit), then the master, then the target.
    const order = [...started].reverse();
    const ws = order.filter((p) => p.name.startsWith('locust worker'));
    await Promise.all(ws.map((p) => p.stop()));
    for (const p of order) if (!ws.includes(p)) await p.stop();
  };
  const fail = async (what: string, proc: ManagedProcess | null, cause?: unknown): Promise<never> => {
    const tail = proc !== null ? `\n${proc.describeTail()}` : '';
    await stopAll();
    throw new InfraError(`local stack: ${what}${tail}`, { cause });
  };

  try {
    // 1. `locust --version` and the sample target, in parallel.
    const versionP = locustVersion(bin, env, (p) => started.push(p));
    versionP.catch(() => {}); // handled below

    const target = await ManagedProcess.spawn(
      'sample-target',
      process.execPath,
      [
        targetEntry,
        `--host=${HOST}`,
        '--port=0',
        ...(opts.target?.concurrency !== undefined ? [`--concurrency=${opts.target.concurrency}`] : []),
        ...(opts.target?.serviceMs !== undefined ? [`--service-ms=${opts.target.serviceMs}`] : []),
        ...(opts.target?.slowdown !== undefined ? [`--slowdown=${opts.target.slowdown}`] : []),
      ],
      { env: { ...process.env, NODE_OPTIONS: '' } },
    );
    started.push(target);
    let targetUrl: string;
    try {
      const m = await target.waitForLine(/^sample-target listening on (http:\/\/\S+)$/, remaining(), 'stdout');
      targetUrl = m[1] ?? '';
    } catch (e) {
      const why = target.isRunning()
        ? `it printed no "listening" line within ${Math.round(startTimeoutMs / 1000)} s`
        : `it exited (${formatExit(target.exitStatus)}) before listening`;
      return await fail(`the sample target (${targetEntry}) did not start: ${why}`, target, e);
    }
    log(`local stack: sample target on ${targetUrl}`);

    let version: string | null;
    try {
      version = await versionP;
    } catch (e) {
      await stopAll();
      throw e;
    }

    // 2. The master (new ports if another process took ours in the meantime).
    let master: ManagedProcess | null = null;
    let masterUrl = '';
    let masterPort = 0;
    for (let attempt = 1; attempt <= MASTER_START_ATTEMPTS; attempt++) {
      const [bindPort, webPort] = await freePorts(2, HOST);
      if (bindPort === undefined || webPort === undefined) return await fail('could not find free ports on 127.0.0.1', null);
      const m = await ManagedProcess.spawn(
        'locust master',
        bin,
        [
          '-f',
          locustfile,
          '--master',
          '--master-bind-host',
          HOST,
          '--master-bind-port',
          String(bindPort),
          '--web-host',
          HOST,
          '--web-port',
          String(webPort),
          '--host',
          targetUrl,
        ],
        { env, cwd: path.dirname(locustfile) },
      );
      started.push(m);
      const url = `http://${HOST}:${webPort}/`;
      try {
        await m.waitFor(async () => ((await readyWorkers(url)) !== undefined ? true : undefined), remaining(), 250, 'its web API to answer');
        master = m;
        masterUrl = url;
        masterPort = bindPort;
        break;
      } catch (e) {
        const addrInUse = m.tail().some((l) => /address already in use|EADDRINUSE|errno 98/i.test(l));
        if (addrInUse && attempt < MASTER_START_ATTEMPTS && Date.now() < deadline) {
          await m.stop();
          log(`local stack: master port taken, retrying with new ports`);
          continue;
        }
        const why = m.isRunning()
          ? `its web API on ${url} did not answer within ${Math.round(startTimeoutMs / 1000)} s`
          : `it exited (${formatExit(m.exitStatus)}) before its web API answered; check the locustfile and the output below`;
        return await fail(`the Locust master did not start: ${why}`, m, e);
      }
    }
    if (master === null) return await fail('the Locust master did not start', null);
    log(`local stack: Locust ${version ?? '(unknown version)'} master on ${masterUrl}`);

    // 3. The workers.
    const workerProcs: ManagedProcess[] = [];
    for (let i = 1; i <= workers; i++) {
      const w = await ManagedProcess.spawn(
        `locust worker ${i}`,
        bin,
        ['-f', locustfile, '--worker', '--master-host', HOST, '--master-port', String(masterPort)],
        { env, cwd: path.dirname(locustfile) },
      );
      started.push(w);
      workerProcs.push(w);
    }
    const deadWorker = (): ManagedProcess | undefined => workerProcs.find((w) => !w.isRunning());
    for (;;) {
      const dead = deadWorker();
      if (dead !== undefined) return await fail(`${dead.name} exited (${formatExit(dead.exitStatus)}) before connecting`, dead);
      if (!master.isRunning()) return await fail(`the Locust master exited (${formatExit(master.exitStatus)}) while the workers connected`, master);
      const n = await readyWorkers(masterUrl).catch(() => undefined);
      if (n !== undefined && n >= workers) break;
      if (Date.now() >= deadline) {
        return await fail(
          `${n ?? 0} of ${workers} Locust workers ready after ${Math.round(startTimeoutMs / 1000)} s (raise startTimeoutMs on a slow machine)`,
          master,
        );
      }
      await sleep(Math.min(500, remaining()));
    }
    log(`local stack: ${workers} workers ready`);

    let stopPromise: Promise<void> | null = null;
    return {
      masterUrl,
      targetUrl,
      locustVersion: version,
      workers,
      stop: () => {
        stopPromise ??= stopAll();
        return stopPromise;
      },
    };
  } catch (e) {
    await stopAll();
    if (e instanceof InfraError) throw e;
    throw new InfraError(`local stack: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
