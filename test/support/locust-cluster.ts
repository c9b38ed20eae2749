// A real distributed Locust for fault tests: the sample target, a master (web UI mode, no run time)
// and N workers, all on 127.0.0.1 and free ports, started like the embedded stack starts them
// (src/adapters/local/stack.ts). Unlike that stack, each piece can be killed (SIGKILL) and started
// again on the SAME ports, the way a pod is restarted behind its Service.
//
//   const c = await startLocustCluster({ workers: 2 });
//   await c.killMaster(); await c.startMaster(); await c.restartWorkers(); await c.waitReady();
//   await c.stop();   // always, in afterAll
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../src/adapters/local/free-port.js';
import { ManagedProcess, formatExit } from '../../src/adapters/local/processes.js';

const HOST = '127.0.0.1';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ClusterOptions {
  workers?: number;
  /** Default .venv/locust-2.47.0/bin/locust */
  locustBin?: string;
  /** Default locust/locustfile.py */
  locustfile?: string;
  /** Sample target settings. Default: concurrency 8, 5 ms per request (fast: the tests are about faults, not capacity). */
  target?: { concurrency?: number; serviceMs?: number };
  /** Bound on each start. Default 60 s. */
  startTimeoutMs?: number;
}

/** The parts of GET /stats/requests the tests look at. */
export interface MasterStats {
  state: string;
  user_count: number;
  workers: { id: string; state: string; user_count: number }[];
}

export interface LocustCluster {
  /** http://127.0.0.1:<web port>/ */
  readonly masterUrl: string;
  /** http://127.0.0.1:<port> */
  readonly targetUrl: string;
  readonly webPort: number;
  readonly bindPort: number;
  readonly expectedWorkers: number;
  /** The master's last output lines (for failure messages). */
  masterLog(): string;
  masterRunning(): boolean;
  workersRunning(): number;
  /** SIGKILL the master's process group; resolves once it is gone. */
  killMaster(): Promise<void>;
  /** Start a master on the same ports; resolves when its web API answers. */
  startMaster(): Promise<void>;
  killWorkers(): Promise<void>;
  /** SIGTERM every worker: each tells the master it quits (no "missing" worker is left behind). */
  stopWorkers(): Promise<void>;
  /** SIGKILL one running worker (a lost pod); resolves once it is gone. */
  killOneWorker(): Promise<void>;
  /** Start workers until `n` (default: the configured number) are running. */
  startWorkers(n?: number): Promise<void>;
  /** Kill every worker and start fresh ones (workers of a dead master are ignored by a new one). */
  restartWorkers(): Promise<void>;
  /** Until the master answers, no test runs and exactly `n` workers are connected, all ready. */
  waitReady(n?: number, timeoutMs?: number): Promise<void>;
  /** GET /stats/requests on the master itself (not through any proxy); null when it does not answer. */
  stats(): Promise<MasterStats | null>;
  /** Stop a running swarm (POST /stop, GET on Locust < 2.47). */
  stopSwarm(): Promise<void>;
  /** Master up, no swarm, the expected workers ready: the state every test starts from. */
  ensureIdle(timeoutMs?: number): Promise<void>;
  /** Stops everything. Idempotent. */
  stop(): Promise<void>;
}

function locustEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('LOCUST_')) env[k] = v;
  env['PYTHONUNBUFFERED'] = '1';
  return env;
}

async function killHard(p: ManagedProcess): Promise<void> {
  if (!p.isRunning()) return;
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    // gone already
  }
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.exited, new Promise((r) => (t = setTimeout(r, 5_000)))]);
  clearTimeout(t);
}

export async function startLocustCluster(opts: ClusterOptions = {}): Promise<LocustCluster> {
  const n = opts.workers ?? 2;
  const bin = opts.locustBin ?? path.join(ROOT, '.venv', 'locust-2.47.0', 'bin', 'locust');
  const locustfile = opts.locustfile ?? path.join(ROOT, 'locust', 'locustfile.py');
  const targetEntry = path.join(ROOT, 'dist', 'sample-target', 'main.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/locust-venv.sh 2.47.0`);
  if (!existsSync(targetEntry)) throw new Error(`${targetEntry} is missing: run npm run build`);
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const env = locustEnv();
  const all: ManagedProcess[] = [];
  let master: ManagedProcess | null = null;
  let workers: ManagedProcess[] = [];
  let stopping: Promise<void> | null = null;
  let workerSeq = 0;

  const target = await ManagedProcess.spawn(
    'sample-target',
    process.execPath,
    [targetEntry, `--host=${HOST}`, '--port=0', `--concurrency=${opts.target?.concurrency ?? 8}`, `--service-ms=${opts.target?.serviceMs ?? 5}`],
    { env: { ...process.env, NODE_OPTIONS: '' } },
  );
  all.push(target);
  let targetUrl: string;
  try {
    targetUrl = (await target.waitForLine(/^sample-target listening on (http:\/\/\S+)$/, startTimeoutMs, 'stdout'))[1] ?? '';
  } catch (e) {
    await target.stop();
    throw new Error(`sample target did not start: ${(e as Error).message}\n${target.describeTail()}`, { cause: e });
  }
  const [bindPort, webPort] = await freePorts(2, HOST);
  if (bindPort === undefined || webPort === undefined) throw new Error('no free ports');
  const masterUrl = `http://${HOST}:${webPort}/`;

  const stats = async (): Promise<MasterStats | null> => {
    try {
      const res = await fetch(new URL('stats/requests', masterUrl), { signal: AbortSignal.timeout(3_000) });
      if (res.status !== 200) {
        await res.body?.cancel();
        return null;
      }
      return (await res.json()) as MasterStats;
    } catch {
      return null;
    }
  };

  const startMaster = async (): Promise<void> => {
    if (master?.isRunning()) throw new Error('the master is already running');
    const deadline = Date.now() + startTimeoutMs;
    // The ports were just freed by a killed master: retry a bind race a few times.
    for (let attempt = 1; ; attempt++) {
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
        { env, cwd: path.dirname(locustfile), ringLines: 200 },
      );
      all.push(m);
      try {
        await m.waitFor(async () => ((await stats()) !== null ? true : undefined), Math.max(1, deadline - Date.now()), 200, 'its web API to answer');
        master = m;
        return;
      } catch (e) {
        const inUse = m.tail().some((l) => /address already in use|EADDRINUSE|errno 98/i.test(l));
        await killHard(m);
        if (inUse && attempt < 10 && Date.now() < deadline) {
          await sleep(500);
          continue;
        }
        throw new Error(`the Locust master did not start (${formatExit(m.exitStatus)}): ${(e as Error).message}\n${m.describeTail()}`, { cause: e });
      }
    }
  };

  const startWorkers = async (count = n): Promise<void> => {
    workers = workers.filter((w) => w.isRunning());
    while (workers.length < count) {
      const w = await ManagedProcess.spawn(
        `locust worker ${++workerSeq}`,
        bin,
        ['-f', locustfile, '--worker', '--master-host', HOST, '--master-port', String(bindPort)],
        {
          env,
          cwd: path.dirname(locustfile),
        },
      );
      all.push(w);
      workers.push(w);
    }
  };

  const stopWorkers = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    workers = [];
  };

  const killWorkers = async (): Promise<void> => {
    await Promise.all(workers.map(killHard));
    workers = [];
  };

  const waitReady = async (count = n, timeoutMs = startTimeoutMs): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = await stats();
      // Exactly `count` live workers, all ready: a killed worker is listed (not "missing") for ~5 s,
      // and Locust would dispatch users to it.
      const live = last?.workers.filter((w) => w.state !== 'missing') ?? [];
      if (last !== null && live.length === count && live.every((w) => w.state === 'ready') && ['ready', 'stopped'].includes(last.state)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `master ${masterUrl} not ready with ${count} workers within ${timeoutMs} ms (last: ${last ? `state ${last.state}, user_count ${last.user_count}, workers ${JSON.stringify(last.workers.map((w) => `${w.state}:${w.user_count}`))}` : 'no answer'})\n${master?.describeTail(80) ?? ''}`,
        );
      }
      await sleep(250);
    }
  };

  const stopSwarm = async (): Promise<void> => {
    for (const method of ['POST', 'GET']) {
      const res = await fetch(new URL('stop', masterUrl), { method, signal: AbortSignal.timeout(70_000) });
      await res.body?.cancel();
      if (res.status !== 405) return;
    }
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all(all.filter((p) => p.name.startsWith('locust worker')).map((p) => p.stop(2_000)));
    for (const p of all) await p.stop(2_000);
  };

  try {
    await startMaster();
    await startWorkers();
    await waitReady();
  } catch (e) {
    await stopAll();
    throw e;
  }

  return {
    masterUrl,
    targetUrl,
    webPort,
    bindPort,
    expectedWorkers: n,
    masterLog: () => master?.describeTail(60) ?? '(no master)',
    masterRunning: () => master?.isRunning() ?? false,
    workersRunning: () => workers.filter((w) => w.isRunning()).length,
    async killMaster() {
      if (master) await killHard(master);
    },
    startMaster,
    killWorkers,
    stopWorkers,
    async killOneWorker() {
      const w = workers.find((p) => p.isRunning());
      if (w === undefined) throw new Error('no worker is running');
      await killHard(w);
      workers = workers.filter((p) => p !== w);
    },
    startWorkers,
    async restartWorkers() {
      await killWorkers();
      await startWorkers();
    },
    waitReady,
    stats,
    stopSwarm,
    async ensureIdle(timeoutMs = 60_000) {
      // Start master and workers afresh when a test left something odd behind: a dead master, a
      // killed worker (Locust lists it for ~5 s, then as "missing" for ~60 s, and a stopped test
      // stays "stopping" meanwhile), or workers of a dead master (unknown to a new one).
      const restart = async (): Promise<void> => {
        await stopWorkers();
        if (master?.isRunning()) await killHard(master);
        await startMaster();
        await startWorkers();
        await waitReady(n, timeoutMs);
      };
      const s = master?.isRunning() ? await stats() : null;
      const live = s?.workers.filter((w) => w.state !== 'missing').length ?? 0;
      if (s === null || live !== n || s.workers.length !== n || workers.filter((w) => w.isRunning()).length !== n) return restart();
      if (['running', 'spawning'].includes(s.state)) await stopSwarm();
      try {
        await waitReady(n, 15_000);
      } catch {
        await restart();
      }
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
