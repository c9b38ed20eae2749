// End to end through the built CLI against a real Locust 2.47.0 (master + 2 workers) and the sample
// target, with faults: a signal mid-stage, the driver killed and resumed, the master killed and
// restarted, the master gone for good, a flaky network in front of it (the fault proxy), and a
// master URL that serves HTML. What each one must produce is in docs/reliability.md.
//
// Small stages (users 4-8, 6-10 s, cooldown 2 s) keep the file at a few minutes; it runs serially.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startLocustCluster, type LocustCluster } from '../support/locust-cluster.js';
import { CLI, ROOT, cliEnv, type CliResult } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One JSON log line of the driver. */
interface LogLine {
  level: string;
  msg: string;
  event?: string;
  stage?: number;
  [k: string]: unknown;
}

/** What the tests read from run.json (raw: a missing field must not be filled by a schema default). */
interface RunJson {
  status: string;
  error: string | null;
  resumes?: { at: string; fromStage: number }[];
  stages: {
    index: number;
    name: string;
    status: string;
    reason: string | null;
    users: number;
    startedAt: string;
    attempt?: number;
    retries?: { at: string; reason: string }[];
    totals: { requests: number } | null;
  }[];
}

interface Running {
  done: Promise<CliResult>;
  kill(signal: NodeJS.Signals): void;
  lines: LogLine[];
}

/** The built CLI as a user runs it; `onLine` sees every JSON log line as it is written. */
function startCli(args: string[], onLine?: (l: LogLine, r: Running) => void, timeoutMs = 200_000): Running {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  const r: Running = {
    lines,
    kill: (s) => {
      child.kill(s);
    },
    done: new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
      });
    }),
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    partial += d.toString();
    let nl = partial.indexOf('\n');
    while (nl >= 0) {
      const text = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      nl = partial.indexOf('\n');
      let l: LogLine;
      try {
        l = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      lines.push(l);
      onLine?.(l, r);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return r;
}

/** The end of the driver's output, for assertion messages. */
function tail(res: CliResult, n = 25): string {
  const msgs = res.stdout
    .trim()
    .split('\n')
    .slice(-n)
    .map((l) => {
      try {
        const j = JSON.parse(l) as LogLine;
        return `${j.level} ${j.msg}`;
      } catch {
        return l;
      }
    });
  return `exit ${res.code ?? res.signal} after ${res.ms} ms\n--- stdout (last ${n}) ---\n${msgs.join('\n')}\n--- stderr ---\n${res.stderr}`;
}

let cluster: LocustCluster;
let proxy: FaultProxy;
let dir: string;

interface MatrixOpts {
  users?: number[];
  duration?: string;
  masterTimeout?: string;
  requestTimeout?: string;
  onWorkerLoss?: 'invalid' | 'retry';
  /** A top-level slo: mapping, e.g. "{ failRatio: 50% }" (a judged run: an invalid stage fails the verdict). */
  slo?: string;
}

async function matrix(name: string, o: MatrixOpts = {}): Promise<string> {
  const users = o.users ?? [4, 6];
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `version: 1
name: ${name}
target: { host: ${cluster.targetUrl}, healthPath: /healthz }
locust: { expectWorkers: 2, connectTimeout: 30s${o.requestTimeout ? `, requestTimeout: ${o.requestTimeout}` : ''} }
retry: { attempts: 2, masterTimeout: ${o.masterTimeout ?? '45s'}${o.onWorkerLoss ? `, onWorkerLoss: ${o.onWorkerLoss}` : ''} }
${o.slo ? `slo: ${o.slo}\n` : ''}defaults: { duration: ${o.duration ?? '6s'}, cooldown: 2s, sampleEvery: 1s, spawnRate: 20 }
stages:
${users.map((u, i) => `  - { name: s${i + 1}, users: ${u} }`).join('\n')}
`,
  );
  return file;
}

const runArgs = (file: string, master: string, runId: string, extra: string[] = []) => [
  'run',
  '--matrix',
  file,
  '--master',
  master,
  '--out',
  dir,
  '--run-id',
  runId,
  '--log-format',
  'json',
  ...extra,
];

async function runJson(runId: string): Promise<RunJson> {
  return JSON.parse(await readFile(path.join(dir, runId, 'run.json'), 'utf8')) as RunJson;
}

/** A progress sample of this stage: the stage is measuring. */
const isSample = (l: LogLine, stage: number) => l.event === 'sample' && l.stage === stage;

beforeAll(async () => {
  // The faults are injected into the REST calls (/stats/requests …): a plain locustfile keeps the
  // driver on them (with the plugin, samples and edges go through /locust-driver/ instead).
  cluster = await startLocustCluster({ workers: 2, locustfile: path.join(ROOT, 'test', 'fixtures', 'locust', 'plain_locustfile.py') });
  proxy = await startFaultProxy(cluster.masterUrl);
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-fault-'));
});

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

beforeEach(async () => {
  proxy.clear();
  proxy.requests.length = 0;
  await cluster.ensureIdle();
});

describe('the CLI under faults (Locust 2.47.0, master + 2 workers)', () => {
  it('f. a master URL that serves an HTML page (wrong path behind an ingress) → exit 3, one clear line, no stack', async () => {
    proxy.inject({ kind: 'html' });
    const file = await matrix('html');
    const res = await startCli(runArgs(file, proxy.url, 'html')).done;
    expect(res.code, tail(res)).toBe(3);
    const err = res.stderr.trim().split('\n');
    expect(err, tail(res)).toHaveLength(1);
    expect(err[0]).toMatch(/^locust-driver: .*GET \/stats\/requests.* text\/html.* instead of JSON/);
    expect(err[0]!.length).toBeLessThan(600);
    expect(res.stderr).not.toMatch(/^\s+at |Thank you for using nginx/m);
    expect(res.ms).toBeLessThan(15_000);
  });

  it('a. SIGTERM in the middle of stage 2 → master at 0 users within 5 s, exit 143, run aborted, stage 1 kept', async () => {
    const file = await matrix('sigterm');
    let signalledAt = 0;
    let zeroAt: Promise<number | null> = Promise.resolve(null);
    const r = startCli(runArgs(file, cluster.masterUrl, 'sigterm'), (l, run) => {
      if (signalledAt === 0 && isSample(l, 2)) {
        signalledAt = Date.now();
        run.kill('SIGTERM');
        zeroAt = (async () => {
          // The master serves /stats/requests from a 2 s cache: a read shows the stop up to 2 s late.
          while (Date.now() - signalledAt < 20_000) {
            const s = await cluster.stats();
            if (s !== null && s.user_count === 0 && s.state !== 'running' && s.state !== 'spawning') return Date.now();
            await sleep(200);
          }
          return null;
        })();
      }
    });
    const res = await r.done;
    expect(signalledAt, tail(res)).toBeGreaterThan(0);
    const zero = await zeroAt;
    expect(zero, 'the master never showed 0 users').not.toBeNull();
    expect(zero! - signalledAt, 'users stopped within 5 s (+ 2 s of Locust stats cache)').toBeLessThan(5_000 + 2_000);
    expect(res.code, tail(res)).toBe(143);
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
    const run = await runJson('sigterm');
    expect(run.status).toBe('aborted');
    expect(run.stages.map((s) => [s.index, s.status])).toEqual([
      [1, 'completed'],
      [2, 'aborted'],
    ]);
    expect(run.stages[0]!.totals!.requests).toBeGreaterThan(0);
  });

  it('a2. a second SIGINT exits at once (130); the run stays unfinished and --resume finishes it', async () => {
    const file = await matrix('twice', { users: [4] });
    let first = 0;
    let second = 0;
    const res = await startCli(runArgs(file, cluster.masterUrl, 'twice'), (l, run) => {
      if (first === 0 && isSample(l, 1)) {
        first = Date.now();
        run.kill('SIGINT');
      } else if (first !== 0 && second === 0 && /^SIGINT: stopping the load/.test(l.msg)) {
        second = Date.now();
        run.kill('SIGINT');
      }
    }).done;
    expect(second, tail(res)).toBeGreaterThan(0);
    expect(res.code, tail(res)).toBe(130);
    expect(Date.now() - second).toBeLessThan(3_000);
    expect(res.stdout).toContain('second SIGINT: exiting now');
    expect((await runJson('twice')).status).toBe('running');
    const again = await startCli(runArgs(file, cluster.masterUrl, 'twice', ['--resume'])).done;
    expect(again.code, tail(again)).toBe(0);
    const run = await runJson('twice');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => s.status)).toEqual(['completed']);
    expect(run.resumes).toHaveLength(1);
  });

  it('d. 503s, resets and a hung request at the proxy for a few seconds mid-stage → the run completes, exit 0', async () => {
    const file = await matrix('flaky', { duration: '10s', requestTimeout: '3s' });
    let faults = null as Promise<void> | null; // set in a callback: no narrowing to null
    const r = startCli(runArgs(file, proxy.url, 'flaky'), (l) => {
      if (faults === null && l.event === 'sample' && l.stage === 1 && (l.elapsedMs as number) >= 3_000) {
        faults = (async () => {
          proxy.inject({ kind: 'status', code: 503 });
          await sleep(2_500);
          proxy.clear();
          proxy.inject({ kind: 'reset' });
          await sleep(2_000);
          proxy.clear();
          proxy.inject({ kind: 'hang' }, { path: /^\/stats\/requests$/, times: 1 });
        })();
      }
    });
    const res = await r.done;
    await faults;
    expect(faults, tail(res)).not.toBeNull();
    const faulted = proxy.requests.filter((q) => q.fault !== null);
    expect(faulted.some((q) => q.fault === 'status')).toBe(true);
    expect(faulted.some((q) => q.fault === 'reset')).toBe(true);
    expect(faulted.some((q) => q.fault === 'hang')).toBe(true);
    expect(res.code, tail(res)).toBe(0);
    const run = await runJson('flaky');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => s.status)).toEqual(['completed', 'completed']);
    expect(run.stages.every((s) => (s.totals?.requests ?? 0) > 0)).toBe(true);
  });

  it('d2. one truncated answer (Content-Length larger than the body) to a stats read mid-stage → ridden through, exit 0', async () => {
    const file = await matrix('truncated', { users: [4] });
    let injected = false;
    const res = await startCli(runArgs(file, proxy.url, 'truncated'), (l) => {
      if (!injected && isSample(l, 1)) {
        injected = true;
        proxy.inject({ kind: 'truncate' }, { path: /^\/stats\/requests$/, times: 1 });
      }
    }).done;
    expect(
      proxy.requests.some((q) => q.fault === 'truncate'),
      tail(res),
    ).toBe(true);
    expect(res.code, tail(res)).toBe(0);
    const run = await runJson('truncated');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => s.status)).toEqual(['completed']);
  });

  it('g1. one of 2 workers SIGKILLed mid-stage (retry.onWorkerLoss: invalid, the default) → the stage is invalid and says why; with an SLO the verdict fails, exit 1', async () => {
    // Locust marks a killed worker missing after ~5 s (3 missed heartbeats), seen through the 2 s
    // stats cache: a 12 s window shows it.
    const file = await matrix('worker-lost', { users: [6], duration: '12s', slo: '{ failRatio: 50% }' });
    let kill = null as Promise<void> | null; // set in a callback: no narrowing to null
    const res = await startCli(runArgs(file, cluster.masterUrl, 'worker-lost'), (l) => {
      if (kill === null && isSample(l, 1)) kill = cluster.killOneWorker();
    }).done;
    await kill;
    expect(kill, tail(res)).not.toBeNull();
    expect(res.code, tail(res)).toBe(1);
    const run = await runJson('worker-lost');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => s.status)).toEqual(['invalid']);
    expect(run.stages[0]!.reason).toMatch(/workers were missing during the window: 1 of 2/);
  });

  it('g2. one of 2 workers SIGKILLed mid-stage with retry.onWorkerLoss: retry → a new worker joins, the stage runs again, exit 0; a run started right after starts too', async () => {
    const file = await matrix('worker-retry', { users: [6], duration: '12s', onWorkerLoss: 'retry' });
    let kill = null as Promise<void> | null; // set in a callback: no narrowing to null
    let replaced = null as Promise<void> | null; // set in a callback: no narrowing to null
    const res = await startCli(runArgs(file, cluster.masterUrl, 'worker-retry'), (l) => {
      if (kill === null && isSample(l, 1)) kill = cluster.killOneWorker();
      // The replacement (a Deployment's new pod) comes once the driver has seen the loss, so the
      // master cannot re-balance the users onto it before the driver notices.
      if (replaced === null && kill !== null && l.event === 'warning' && /stage 1 interrupted/.test(l.msg)) replaced = cluster.startWorkers();
    }).done;
    await kill;
    await replaced;
    expect(replaced, tail(res)).not.toBeNull();
    expect(res.code, tail(res)).toBe(0);
    const run = await runJson('worker-retry');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => s.status)).toEqual(['completed']);
    expect(run.stages[0]!.retries?.length ?? 0).toBeGreaterThanOrEqual(1);
    expect(run.stages[0]!.retries![0]!.reason).toMatch(/workers dropped to 1 of 2/);

    // Locust keeps the lost worker listed as "missing" for ~60 s, and until then a stopped test stays
    // in state "stopping" (check_stopped wants every worker ready, or none). A run started now must
    // still start: its users are 0 and every live worker is ready.
    const seen = await cluster.stats();
    const next = await startCli(runArgs(await matrix('after-loss', { users: [4] }), cluster.masterUrl, 'after-loss')).done;
    expect(
      next.code,
      `master before the run: ${JSON.stringify(seen && { state: seen.state, users: seen.user_count, workers: seen.workers.map((w) => w.state) })}\n${tail(next)}`,
    ).toBe(0);
  });

  it('b. the driver SIGKILLed in stage 2, then run --resume --run-id → the swarm left behind is stopped, stages 2-3 run, stage 1 kept, exit 0', async () => {
    const file = await matrix('resume', { users: [4, 6, 8] });
    let killed = false;
    const first = await startCli(runArgs(file, proxy.url, 'resume'), (l, run) => {
      if (!killed && isSample(l, 2)) {
        killed = true;
        run.kill('SIGKILL');
      }
    }).done;
    expect(first.signal, tail(first)).toBe('SIGKILL');
    const before = await runJson('resume');
    expect(before.stages[0]).toMatchObject({ index: 1, status: 'completed' });
    // The dead driver left its swarm running on the master.
    await sleep(2_100);
    expect((await cluster.stats())?.user_count).toBe(6);

    const resumeFrom = proxy.requests.length;
    const res = await startCli(runArgs(file, proxy.url, 'resume', ['--resume'])).done;
    expect(res.code, tail(res)).toBe(0);
    const run = await runJson('resume');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => [s.index, s.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
    expect(run.stages[0]!.startedAt).toBe(before.stages[0]!.startedAt);
    expect(run.resumes).toHaveLength(1);
    expect(run.resumes![0]!.fromStage).toBe(2);
    // Stage 1 was not run again: no log line starts it, no /swarm asks for its 4 users.
    expect(res.stdout).not.toMatch(/"event":"stage-started"[^\n]*"stage":1[,}]/);
    const after = proxy.requests.slice(resumeFrom).filter((q) => q.method === 'POST' && (q.path === '/swarm' || q.path === '/stop'));
    const swarms = after.filter((q) => q.path === '/swarm').map((q) => new URLSearchParams(q.body).get('user_count'));
    expect(swarms).toEqual(['6', '8']);
    // The leftover swarm was stopped before anything was started.
    expect(after[0]?.path).toBe('/stop');
  });

  it('c. the master SIGKILLed in stage 2 and restarted on the same ports → stage 2 is run again, the run completes by itself, exit 0', async () => {
    const file = await matrix('restart');
    let restart = null as Promise<void> | null; // set in a callback: no narrowing to null
    const r = startCli(runArgs(file, cluster.masterUrl, 'restart'), (l) => {
      if (restart === null && l.event === 'sample' && l.stage === 2 && (l.elapsedMs as number) >= 3_000) {
        restart = (async () => {
          await cluster.killMaster();
          await sleep(4_000);
          await cluster.startMaster();
          // Workers of the dead master are ignored by the new one (they quit after 60 s without
          // heartbeats); a worker Deployment would restart them: start fresh ones now.
          await cluster.restartWorkers();
        })();
      }
    });
    const res = await r.done;
    await restart;
    expect(restart, tail(res)).not.toBeNull();
    expect(res.code, tail(res)).toBe(0);
    const run = await runJson('restart');
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => [s.index, s.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    const s2 = run.stages[1]!;
    expect(s2.retries?.length ?? 0).toBeGreaterThanOrEqual(1);
    expect(s2.retries![0]!.reason).toMatch(/\S/);
    expect(s2.attempt).toBeGreaterThanOrEqual(2);
    expect(run.stages[0]!.retries).toEqual([]);
  });

  it('e. the master SIGKILLed in stage 2 and never restarted → exit 3 within masterTimeout + margin, run failed, stage 1 kept', async () => {
    const MASTER_TIMEOUT_MS = 15_000;
    const file = await matrix('gone', { masterTimeout: '15s' });
    let killedAt = 0;
    let kill = null as Promise<void> | null; // set in a callback: no narrowing to null
    const r = startCli(runArgs(file, cluster.masterUrl, 'gone'), (l) => {
      if (kill === null && isSample(l, 2)) {
        kill = cluster.killMaster().then(() => {
          killedAt = Date.now();
        });
      }
    });
    const res = await r.done;
    await kill;
    const exitedAfter = Date.now() - killedAt;
    expect(killedAt, tail(res)).toBeGreaterThan(0);
    expect(res.code, tail(res)).toBe(3);
    // the wait for the master, the client's own retries (≤ 10 s) and the final read attempts
    expect(exitedAfter, tail(res)).toBeLessThan(MASTER_TIMEOUT_MS + 30_000);
    expect(res.stderr.trim().split('\n'), tail(res)).toHaveLength(1);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    const run = await runJson('gone');
    expect(run.status).toBe('failed');
    expect(run.stages[0]).toMatchObject({ index: 1, status: 'completed' });
    expect(run.stages[0]!.totals!.requests).toBeGreaterThan(0);
    expect(run.stages[1]).toMatchObject({ index: 2, status: 'failed' });
    expect(run.stages[1]!.reason).toMatch(/\S/);
    expect(run.stages).toHaveLength(2);
  });
  it('i. a master older than the oldest supported release → refused at preflight, exit 3, one line naming the version and the range', async () => {
    const page = await (await fetch(cluster.masterUrl)).text();
    const version = /"version": *"([^"]+)"/.exec(page)?.[1];
    expect(version).toBe('2.47.0');
    proxy.inject({ kind: 'page', body: page.replace(`"version": "${version}"`, '"version": "2.11.1"') }, { path: /^\/$/ });
    const file = await matrix('too-old');
    const res = await startCli(runArgs(file, proxy.url, 'too-old')).done;
    expect(res.code, tail(res)).toBe(3);
    const err = res.stderr.trim().split('\n');
    expect(err, tail(res)).toHaveLength(1);
    expect(err[0]).toMatch(
      /^locust-driver: the Locust master at http:\/\/127\.0\.0\.1:\d+\/ cannot be driven: it runs Locust 2\.11\.1; locust-driver supports Locust 2\.12\.1 or newer 2\.x \(tested up to 2\.47\.0\)/,
    );
    expect(proxy.requests.filter((r) => r.path === '/swarm')).toHaveLength(0); // nothing started
  });

  it('h1. every /stop refused (HTTP 500, both methods) → the users brought to 0 by a swarm of 0, exit 3, one line, recorded in run.json', async () => {
    proxy.inject({ kind: 'status', code: 500 }, { path: /^\/stop$/ });
    const file = await matrix('stop-refused', { users: [6, 8] });
    const res = await startCli(runArgs(file, proxy.url, 'stop-refused')).done;
    expect(res.code, tail(res)).toBe(3);
    const err = res.stderr.trim().split('\n');
    expect(err, tail(res)).toHaveLength(1);
    expect(err[0]).toMatch(
      /^locust-driver: the Locust master at .* refuses to stop \(POST \/stop: .*HTTP 500.*; GET \/stop: .*HTTP 500.*\); its users were brought to 0 .* restart the master/,
    );
    // the master itself (not through the proxy): no users left running, and no second stage started
    const s = await cluster.stats();
    expect(s?.user_count).toBe(0);
    const swarms = proxy.requests.filter((r) => r.path === '/swarm');
    expect(swarms.map((r) => new URLSearchParams(r.body).get('user_count'))).toEqual(['6', '0']);
    const run = (await runJson('stop-refused')) as RunJson & { stopFailure: { usersAtZero: boolean; url: string; tried: string[] } | null };
    expect(run.status).toBe('failed');
    expect(run.stopFailure).toMatchObject({ usersAtZero: true, url: proxy.url });
    expect(run.stages.map((x) => x.status)).toEqual(['failed']);
  });

  it('h2. /stop and the swarm of 0 both refused → says loudly that the load may still run, exit 3 within a bounded time', async () => {
    proxy.inject({ kind: 'status', code: 500 }, { path: /^\/stop$/ });
    proxy.inject({ kind: 'status', code: 500 }, { path: /^\/swarm$/, body: /(^|&)user_count=0(&|$)/ });
    const file = await matrix('stop-lost', { users: [6] });
    let stoppingAt = 0;
    const res = await startCli([...runArgs(file, proxy.url, 'stop-lost'), '--log-level', 'debug'], (l) => {
      if (l.event === 'stopping' && stoppingAt === 0) stoppingAt = Date.now();
    }).done;
    expect(res.code, tail(res, 80)).toBe(3);
    expect(stoppingAt, tail(res, 80)).toBeGreaterThan(0);
    // the stop's ways (a second try after 1 s, the other method, a swarm of 0 checked for 12 s),
    // then the reports: seconds, never minutes
    expect(Date.now() - stoppingAt, tail(res)).toBeLessThan(20_000);
    const err = res.stderr.trim().split('\n');
    expect(err, tail(res)).toHaveLength(1);
    expect(err[0]).toMatch(
      /^locust-driver: COULD NOT STOP THE LOAD: .*the load may still be running: stop it in the Locust web UI at http:\/\/127\.0\.0\.1:\d+\/ or restart the master now$/,
    );
    expect(res.stdout).toMatch(/"level":"(warn|error)".*COULD NOT STOP THE LOAD/);
    // true: the master kept its users (its fault, and said so); the driver started nothing else
    expect((await cluster.stats())?.user_count).toBe(6);
    const run = (await runJson('stop-lost')) as RunJson & { stopFailure: { usersAtZero: boolean } | null };
    expect(run.stopFailure).toMatchObject({ usersAtZero: false });
  });
});
