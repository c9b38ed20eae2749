// npm run bench (through bench/bench.sh, which builds and installs the pinned Locust first).
//
// One run, all on 127.0.0.1, with real Locust (master + 2 workers) and the sample service:
//   1. the same N-stage matrix three ways — locust-driver against a long-lived master (transition
//      restart, and continue when the driver supports it); a headless Locust master + workers
//      relaunched per stage; one headless Locust run with a LoadTestShape of the same stages —
//      with wall time, overhead per stage and, for the driver, where the seconds go and how
//      exact its windows are (against the sample service's own request counts);
//   2. the driver's own cost: peak RSS, CPU time per hour of sampling, start-up to the first /swarm;
//   3. report generation on a synthetic long run (1-s samples), time and peak RSS, 6 h … 24 h.
// Prints a table and writes docs/benchmarks.md (unless --no-write). Flags (or BENCH_* variables):
//   --stages 4 --hold 10 --users 4,8,12,16 --spawn-rate 20 --cooldown 5 --sample-every 1
//   --report-hours 6,12,24 --startup-runs 3 --skip locust,restart,continue,startup,headless,report --no-write --out FILE
//   --locustfile FILE (the long-lived master's; default locust/locustfile.py) --json FILE (default
//   test-results/bench.json) --no-render (measure and write the JSON only: bench/sweep.mjs runs it so)
// BENCH_DRIVER_CLI=path/to/main.js measures another build of the driver (e.g. a bundle);
// --from test-results/bench.json renders the table and docs/benchmarks.md again from a saved run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { setInterval, clearInterval } from 'node:timers';
import { extractBlock } from './lib/doc-blocks.mjs';
import { now, startProxy } from './lib/proxy.mjs';
import { driverEnv, locustEnv, sleep, spawnMeasured } from './lib/procs.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_DRIVER_CLI: measure another build of the driver (e.g. a bundled one) against the same plan.
const CLI = process.env.BENCH_DRIVER_CLI ? path.resolve(process.env.BENCH_DRIVER_CLI) : path.join(ROOT, 'dist', 'main.js');
const SHAPEFILE = path.join(ROOT, 'bench', 'shape_locustfile.py');
const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'rusage-preload.mjs')).href;
const HOST = '127.0.0.1';

/* global fetch, AbortSignal */

// ---------------------------------------------------------------------------------------------
// Options

const { values: flags } = parseArgs({
  options: {
    stages: { type: 'string' },
    hold: { type: 'string' },
    users: { type: 'string' },
    'spawn-rate': { type: 'string' },
    cooldown: { type: 'string' },
    'sample-every': { type: 'string' },
    'report-hours': { type: 'string' },
    'startup-runs': { type: 'string' },
    skip: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    out: { type: 'string' },
    json: { type: 'string' },
    locustfile: { type: 'string' },
    'no-render': { type: 'boolean', default: false },
    from: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .slice(0, 16)
      .map((l) => l.slice(3))
      .join('\n') + '\n',
  );
  process.exit(0);
}
// --from test-results/bench.json: render the table and docs/benchmarks.md again from a saved run (no measuring).
const FROM = flags.from ? JSON.parse(readFileSync(path.resolve(flags.from), 'utf8')) : null;
const FROM_CONFIG = FROM
  ? {
      stages: FROM.config.N,
      hold: FROM.config.HOLD,
      'spawn-rate': FROM.config.RATE,
      cooldown: FROM.config.COOLDOWN,
      'sample-every': FROM.config.SAMPLE_EVERY,
      users: FROM.config.USERS.join(','),
    }
  : {};
const opt = (flag, env, dflt) => FROM_CONFIG[flag] ?? flags[flag] ?? process.env[env] ?? dflt;
const num = (v, what, min = 0) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`bench: ${what} must be a number ≥ ${min}, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const N = num(opt('stages', 'BENCH_STAGES', '4'), '--stages', 1);
const HOLD = num(opt('hold', 'BENCH_HOLD', '10'), '--hold (seconds)', 1);
const RATE = num(opt('spawn-rate', 'BENCH_SPAWN_RATE', '20'), '--spawn-rate', 0.1);
const COOLDOWN = num(opt('cooldown', 'BENCH_COOLDOWN', '5'), '--cooldown (seconds)');
const SAMPLE_EVERY = num(opt('sample-every', 'BENCH_SAMPLE_EVERY', '1'), '--sample-every (seconds)', 0.5);
const USERS = String(opt('users', 'BENCH_USERS', Array.from({ length: N }, (_, i) => 4 * (i + 1)).join(',')))
  .split(',')
  .map((u) => num(u, '--users', 1));
while (USERS.length < N) USERS.push((USERS.at(-1) ?? 0) + 4);
USERS.length = N;
const REPORT_HOURS = String(opt('report-hours', 'BENCH_REPORT_HOURS', '6,12,24'))
  .split(',')
  .map((h) => num(h, '--report-hours', 1));
const STARTUP_RUNS = num(opt('startup-runs', 'BENCH_STARTUP_RUNS', '3'), '--startup-runs');
const SKIP = new Set(
  String(opt('skip', 'BENCH_SKIP', ''))
    .split(',')
    .filter(Boolean),
);
const OUT_DOC = path.resolve(ROOT, flags.out ?? 'docs/benchmarks.md');
const OUT_JSON = path.resolve(ROOT, flags.json ?? path.join('test-results', 'bench.json'));
// The long-lived master's locustfile: bench/sweep.mjs measures the driver with and without the
// companion plugin by giving a copy of the locustfile without its import.
const LOCUSTFILE = path.resolve(flags.locustfile ?? process.env.BENCH_LOCUSTFILE ?? path.join(ROOT, 'locust', 'locustfile.py'));
const WORK = mkdtempSync(path.join(os.tmpdir(), 'ld-bench-'));
const COMMAND = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const say = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d));
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const mean = (xs) => (xs.length === 0 ? null : sum(xs) / xs.length);
const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The plan every way runs. Ramps as planned: users / spawn rate (from 0 after a restart).
const STAGES = USERS.map((users) => ({ users, rampS: users / RATE, holdS: HOLD }));

// ---------------------------------------------------------------------------------------------
// The machine

function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let commit = 'unknown';
  let dirty = false;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    // not a git checkout
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  // Other work on the machine skews every absolute number (the ratios less): say how busy it was.
  return {
    cpu,
    cores: os.cpus().length,
    memGb: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: dirty ? `${commit} + uncommitted changes` : commit,
    load,
  };
}

// ---------------------------------------------------------------------------------------------
// The long-lived stack: sample target, master, 2 workers

async function startTarget() {
  const { ManagedProcess } = await import('../dist/adapters/local/processes.js');
  const p = await ManagedProcess.spawn(
    'sample-target',
    process.execPath,
    [path.join(ROOT, 'dist', 'sample-target', 'main.js'), `--host=${HOST}`, '--port=0', '--concurrency=8', '--service-ms=25'],
    {
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const m = await p.waitForLine(/^sample-target listening on (http:\/\/\S+)$/, 20_000, 'stdout');
  return { proc: p, url: m[1] };
}

async function targetCount(url, from, to) {
  const res = await fetch(`${url}/__admin/counts?from=${Math.round(from)}&to=${Math.round(to)}`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()).count;
}

async function readyWorkers(webUrl) {
  const res = await fetch(new URL('stats/requests', webUrl), { signal: AbortSignal.timeout(3_000) });
  const body = await res.json();
  return { state: body.state, ready: Array.isArray(body.workers) ? body.workers.filter((w) => w.state === 'ready').length : 0 };
}

/**
 * Until the master is idle (ready/stopped) with both workers ready: "a ready master". Reads go
 * through Locust's 2 s cache, so the first read waits that out. A swarm still running after a
 * driver exited is stopped here (and said in the notes): the next run needs an idle master.
 */
async function waitIdle(webUrl, notes) {
  await sleep(2_200);
  const deadline = Date.now() + 30_000;
  let stopped = false;
  for (;;) {
    const w = await readyWorkers(webUrl).catch(() => null);
    if (w && w.ready >= 2 && (w.state === 'ready' || w.state === 'stopped')) return;
    if (w && !stopped && (w.state === 'running' || w.state === 'spawning')) {
      stopped = true;
      notes?.push(`the master was still ${w.state} after a driver run had exited; the bench stopped it (POST /stop) before the next run.`);
      const res = await fetch(new URL('stop', webUrl), { method: 'POST', signal: AbortSignal.timeout(70_000) }).catch(() => null);
      if (res?.status === 405) await fetch(new URL('stop', webUrl), { signal: AbortSignal.timeout(70_000) }).catch(() => null);
      await sleep(2_200);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the master at ${webUrl} did not come back idle with 2 ready workers within 30 s (${JSON.stringify(w)})`);
    await sleep(250);
  }
}

async function startMaster(locust, targetUrl) {
  const { ManagedProcess } = await import('../dist/adapters/local/processes.js');
  const { freePorts } = await import('../dist/adapters/local/free-port.js');
  const [bindPort, webPort] = await freePorts(2, HOST);
  const env = locustEnv();
  const cwd = path.dirname(LOCUSTFILE);
  const master = await ManagedProcess.spawn(
    'locust master',
    locust,
    [
      '-f',
      LOCUSTFILE,
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
    { env, cwd },
  );
  const webUrl = `http://${HOST}:${webPort}/`;
  const workers = [];
  for (let i = 1; i <= 2; i++) {
    workers.push(
      await ManagedProcess.spawn(`locust worker ${i}`, locust, ['-f', LOCUSTFILE, '--worker', '--master-host', HOST, '--master-port', String(bindPort)], {
        env,
        cwd,
      }),
    );
  }
  await master.waitFor(async () => ((await readyWorkers(webUrl)).ready >= 2 ? true : undefined), 60_000, 250, 'two ready workers');
  return {
    webUrl,
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await master.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Way 1: locust-driver against the long-lived master (through the timestamping proxy)

function matrixYaml(name, proxyUrl, targetUrl, transition, cooldownS, holdS = HOLD, users = USERS) {
  return [
    'version: 1',
    `name: ${name}`,
    ...(transition ? [`transition: ${transition}`] : []),
    'locust:',
    `  url: ${proxyUrl}`,
    '  expectWorkers: 2',
    'target:',
    `  host: ${targetUrl}`,
    '  healthPath: /healthz',
    'defaults:',
    `  spawnRate: ${RATE}`,
    `  duration: ${holdS}s`,
    `  cooldown: ${cooldownS}s`,
    `  sampleEvery: ${SAMPLE_EVERY * 1000}ms`,
    '  rampTimeout: 1m',
    'stages:',
    ...users.map((u) => `  - { users: ${u} }`),
    '',
  ].join('\n');
}

/** `validate` accepts the matrix key → the driver knows it. */
function driverSupports(yaml) {
  const file = path.join(WORK, `probe-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  try {
    execFileSync(process.execPath, [CLI, 'validate', '--matrix', file], { cwd: ROOT, env: driverEnv(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    return { ok: true, why: '' };
  } catch (e) {
    return {
      ok: false,
      why: String(e.stderr ?? e.message)
        .trim()
        .split('\n')[0],
    };
  }
}

async function runDriver({ name, yaml, proxy, stopAtSwarm = false }) {
  const file = path.join(WORK, `${name}.yaml`);
  writeFileSync(file, yaml);
  const out = path.join(WORK, 'results');
  const rusageFile = path.join(WORK, `${name}.rusage.json`);
  rmSync(rusageFile, { force: true });
  proxy.reset();
  const events = [];
  let sawSwarm = false;
  const p = spawnMeasured(
    process.execPath,
    ['--import', PRELOAD, CLI, 'run', '--matrix', file, '--out', out, '--run-id', name, '--log-format', 'json', '--log-level', 'debug'],
    {
      cwd: ROOT,
      env: driverEnv({ BENCH_RUSAGE_FILE: rusageFile }),
      logFile: path.join(WORK, `${name}.log`),
      onLine: (line) => {
        if (!line.startsWith('{')) return;
        try {
          const rec = JSON.parse(line);
          if (rec.event) events.push({ ...rec, t: Date.parse(rec.time) });
        } catch {
          // not a log record
        }
      },
    },
  );
  proxy.watch(p.pid);
  let timer = null;
  if (stopAtSwarm) {
    // SIGTERM once the /swarm has been answered (and the driver has had 250 ms to take the answer):
    // the driver then knows it started a swarm and stops it on its way out.
    timer = setInterval(() => {
      const swarm = proxy.log.find((r) => r.method === 'POST' && r.path.endsWith('/swarm'));
      if (!sawSwarm && swarm?.end && now() - swarm.end > 250) {
        sawSwarm = true;
        p.child.kill('SIGTERM');
      }
    }, 5);
  }
  const exit = await p.exit;
  if (timer) clearInterval(timer);
  proxy.watch(null);
  let rusage = null;
  try {
    rusage = JSON.parse(readFileSync(rusageFile, 'utf8'));
  } catch {
    // the process died before 'exit'
  }
  let run = null;
  try {
    run = JSON.parse(readFileSync(path.join(out, name, 'run.json'), 'utf8'));
  } catch {
    // no run.json
  }
  return {
    name,
    startedAt: p.startedAt,
    exitedAt: exit.at,
    code: exit.code,
    events,
    requests: [...proxy.log],
    rusage,
    run,
    log: path.join(WORK, `${name}.log`),
  };
}

const isPath = (r, tail) => r.path.replace(/\/+$/, '').endsWith(tail);

/**
 * Where a driver run's seconds went. With swarm_k (the master receiving the k-th POST /swarm),
 * reset_k and end_k (the window's reset and end in run.json), the wall time splits exactly into
 *   (swarm_1 − spawn) + Σ_k (reset_k − swarm_k) + Σ_k (end_k − reset_k) + Σ_k<N (swarm_k+1 − end_k) + (exit − end_N)
 * and the planned time into Σ ramps + N × hold + (N − 1) × cooldown, so the overhead is the sum of
 * start-up, ramp excess, hold excess, transition excess and tail.
 */
async function analyseDriver(res, targetUrl, transition, cooldownS) {
  const reqs = res.requests;
  const swarms = reqs.filter((r) => r.method === 'POST' && isPath(r, '/swarm'));
  const stops = reqs.filter((r) => isPath(r, '/stop') && r.status !== 405);
  const csvs = reqs.filter(
    (r) => isPath(r, '/stats/requests/csv') || isPath(r, '/stats/failures/csv') || isPath(r, '/exceptions/csv') || isPath(r, '/exceptions'),
  );
  const resets = reqs.filter((r) => isPath(r, '/stats/reset') && r.status !== 405);
  const evs = (kind, stage) => res.events.filter((e) => e.event === kind && (stage === undefined || e.stage === stage));
  const ev = (kind, stage) => evs(kind, stage)[0];
  const wall = (res.exitedAt - res.startedAt) / 1000;
  const rampsS = STAGES.map((s, i) => (transition === 'continue' && i > 0 ? Math.abs(s.users - (STAGES[i - 1]?.users ?? 0)) : s.users) / RATE);
  const planned = sum(rampsS) + N * HOLD + (N - 1) * cooldownS;
  const runStages = res.run?.stages ?? [];
  const stages = [];
  const transitions = [];
  for (let i = 0; i < N; i++) {
    const st = runStages[i] ?? null;
    const w = st?.window ?? null;
    const swarm = swarms[i] ?? null;
    const resetAt = w ? Date.parse(w.resetAt) : null;
    const winStart = w ? Date.parse(w.start) : null;
    const winEnd = w ? Date.parse(w.end) : null;
    let target = null;
    let targetFromReset = null;
    if (w) {
      target = await targetCount(targetUrl, winStart, winEnd);
      targetFromReset = await targetCount(targetUrl, resetAt, winEnd);
    }
    const reset = resets[i] ?? null;
    const stop = stops.find((r) => winEnd !== null && r.start >= winEnd - 50 && (swarms[i + 1] === undefined || r.start < swarms[i + 1].start)) ?? null;
    stages.push({
      k: i + 1,
      users: STAGES[i].users,
      status: st?.status ?? 'missing',
      plannedRampS: rampsS[i],
      swarm: swarm?.start ?? null,
      resetAt,
      winEnd,
      rampS: st?.rampMs != null ? st.rampMs / 1000 : null,
      resetCallS: reset?.end ? (reset.end - reset.start) / 1000 : null,
      swarmToResetS: swarm && resetAt !== null ? (resetAt - swarm.start) / 1000 : null,
      resetToEndS: resetAt !== null && winEnd !== null ? (winEnd - resetAt) / 1000 : null,
      windowS: w ? w.durationMs / 1000 : null,
      windowLeadS: w ? (resetAt - winStart) / 1000 : null,
      requests: st?.totals?.requests ?? null,
      target,
      targetFromReset,
      holdCpuS: reset && stop && reset.cpu !== null && stop.cpu !== null ? stop.cpu - reset.cpu : null,
      holdCpuWallS: reset && stop ? (stop.start - reset.start) / 1000 : null,
    });
    // What happened after this window: stop, final read, reports, cooldown, the next stage's start.
    const next = swarms[i + 1] ?? null;
    if (winEnd !== null) {
      const upTo = next?.start ?? res.exitedAt;
      const reads = csvs.filter((r) => r.start >= winEnd - 50 && r.start < upTo && r.end);
      const finished = ev('stage-finished', i + 1);
      const nextStarted = ev('stage-started', i + 2);
      const cooldown = ev('cooldown', i + 1);
      const rel = (t) => (t === null || t === undefined ? null : (t - winEnd) / 1000);
      transitions.push({
        from: i + 1,
        last: i === N - 1,
        stopSent: rel(stop?.start),
        stopBlocksS: stop?.end ? (stop.end - stop.start) / 1000 : null,
        readDone: rel(reads.at(-1)?.end),
        finished: rel(finished?.t),
        cooldownSleepS: cooldown ? cooldown.ms / 1000 : 0,
        nextStarted: rel(nextStarted?.t),
        nextSwarm: rel(next?.start),
        excessS: next ? (next.start - winEnd) / 1000 - (transition === 'continue' ? 0 : cooldownS) : (res.exitedAt - winEnd) / 1000,
      });
    }
  }
  const firstSwarm = swarms[0] ? (swarms[0].start - res.startedAt) / 1000 : null;
  const firstRequest = reqs[0] ? (reqs[0].start - res.startedAt) / 1000 : null;
  const parts = {
    startup: firstSwarm,
    ramp: sum(stages.map((s, i) => (s.swarmToResetS ?? 0) - (s.swarmToResetS === null ? 0 : rampsS[i]))),
    hold: sum(stages.map((s) => (s.resetToEndS === null ? 0 : s.resetToEndS - HOLD))),
    between: sum(transitions.filter((t) => !t.last).map((t) => t.excessS)),
    tail: transitions.find((t) => t.last)?.excessS ?? null,
  };
  // A transition: from one window's end to the next stage's reset, beyond its planned ramp and cooldown.
  const transitionOverheads = stages
    .slice(1)
    .map((s, i) =>
      s.resetAt === null || stages[i].winEnd === null
        ? null
        : (s.resetAt - stages[i].winEnd) / 1000 - s.plannedRampS - (transition === 'continue' ? 0 : cooldownS),
    )
    .filter((v) => v !== null);
  // The driver's own part of a transition: from the moment it has the window's numbers (the last CSV
  // read) to the next stage's reset, beyond the planned ramp and cooldown. The rest of the gap above
  // is where the workers' last reports fall before that read (Locust's 3 s report interval).
  const driverTransitions = stages
    .slice(1)
    .map((s, i) => {
      const t = transitions[i];
      if (s.resetAt === null || stages[i].winEnd === null || !t || t.readDone === null) return null;
      return (s.resetAt - (stages[i].winEnd + t.readDone * 1000)) / 1000 - s.plannedRampS - (transition === 'continue' ? 0 : cooldownS);
    })
    .filter((v) => v !== null);
  const cpuTotal = res.rusage ? (res.rusage.userUs + res.rusage.systemUs) / 1e6 : null;
  const cpuAtFirstSwarm = swarms[0]?.cpu ?? null;
  const holdCpu = sum(stages.map((s) => s.holdCpuS ?? 0));
  const holdWall = sum(stages.map((s) => (s.holdCpuS === null ? 0 : s.holdCpuWallS)));
  // The driver's memory as the proxy saw it: at the first /swarm, just before the first stage's
  // reports were written (report.html is first rendered then), and after.
  const firstFinished = ev('stage-finished', 1)?.t ?? null;
  const beforeReports = firstFinished === null ? null : reqs.filter((r) => r.start <= firstFinished && r.hwm !== null).at(-1);
  const memory = {
    rssAtFirstSwarm: swarms[0]?.rss ?? null,
    hwmBeforeFirstReport: beforeReports?.hwm ?? null,
    hwmAfterFirstReport: swarms[1]?.hwm ?? reqs.filter((r) => r.hwm !== null).at(-1)?.hwm ?? null,
  };
  return {
    name: res.name,
    transition,
    code: res.code,
    status: res.run?.status ?? 'no run.json',
    // the companion plugin as the driver detected it (run.json environment.locust.plugin), or null
    plugin: res.run?.environment?.locust?.plugin ?? null,
    wall,
    planned,
    overheadPerStage: (wall - planned) / N,
    parts,
    stages,
    transitions,
    transitionOverheads,
    driverTransitions,
    stopsBetween: stops.length,
    stopBlocks: stops.filter((r) => r.end).map((r) => (r.end - r.start) / 1000),
    firstSwarm,
    firstRequest,
    memory,
    maxRssMb: res.rusage ? res.rusage.maxRssKb / 1024 : null,
    cpuTotal,
    cpuStartup: cpuAtFirstSwarm,
    // CPU seconds per hour while only sampling (reset → stop of each stage), and over the whole run after the first /swarm.
    cpuPerHourSampling: holdWall > 0 ? (holdCpu / holdWall) * 3600 : null,
    cpuPerHourRun:
      cpuTotal !== null && cpuAtFirstSwarm !== null && swarms[0] ? ((cpuTotal - cpuAtFirstSwarm) / ((res.exitedAt - swarms[0].start) / 1000)) * 3600 : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Ways 2 and 3: headless Locust

const LOG_TIME = /^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})\]/;
function logTime(line) {
  const m = LOG_TIME.exec(line);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

/** One headless master + 2 workers; resolves when all three have exited. */
async function headlessRun(locust, args, { env, tag }) {
  const { freePorts } = await import('../dist/adapters/local/free-port.js');
  const [bindPort] = await freePorts(1, HOST);
  const marks = [];
  const masterArgs = [
    '--headless',
    '--master',
    '--master-bind-host',
    HOST,
    '--master-bind-port',
    String(bindPort),
    '--expect-workers',
    '2',
    '--only-summary',
    ...args,
  ];
  const master = spawnMeasured(locust, masterArgs, {
    cwd: WORK,
    env,
    logFile: path.join(WORK, `${tag}-master.log`),
    onLine: (line) => {
      const t = logTime(line);
      if (t !== null) marks.push({ t, line });
    },
  });
  const workerArgs = args.filter((a, i) => a === '-f' || args[i - 1] === '-f');
  const workers = [1, 2].map((i) =>
    spawnMeasured(locust, [...workerArgs, '--worker', '--master-host', HOST, '--master-port', String(bindPort)], {
      cwd: WORK,
      env,
      logFile: path.join(WORK, `${tag}-worker${i}.log`),
    }),
  );
  const exits = await Promise.all([master.exit, ...workers.map((w) => w.exit)]);
  const mark = (re) => marks.find((m) => re.test(m.line))?.t ?? null;
  return {
    startedAt: Math.min(master.startedAt, ...workers.map((w) => w.startedAt)),
    exitedAt: Math.max(...exits.map((e) => e.at)),
    masterExitedAt: exits[0].at,
    code: exits[0].code,
    started: mark(/Starting Locust/),
    testStart: mark(/Sending spawn jobs|Shape test starting/),
    spawned: mark(/All users spawned/),
    limit: mark(/run-time limit reached|Shape test stopping/),
    shutdown: mark(/Shutting down \(exit code/),
  };
}

function aggregatedRequests(csvFile) {
  try {
    const lines = readFileSync(csvFile, 'utf8').trim().split(/\r?\n/);
    const agg = lines.find((l) => l.split(',')[1] === 'Aggregated');
    return agg ? Number(agg.split(',')[2]) : null;
  } catch {
    return null;
  }
}

async function runHeadlessPerStage(locust, targetUrl) {
  const env = locustEnv();
  const stages = [];
  const t0 = now();
  for (let i = 0; i < N; i++) {
    const s = STAGES[i];
    const runTime = Math.ceil(s.rampS + s.holdS - 1e-9);
    const csv = path.join(WORK, `headless-${i + 1}`);
    const r = await headlessRun(locust, ['-f', LOCUSTFILE, '-u', String(s.users), '-r', String(RATE), '-t', `${runTime}s`, '--host', targetUrl, '--csv', csv], {
      env,
      tag: `headless-${i + 1}`,
    });
    stages.push({
      k: i + 1,
      users: s.users,
      runTimeS: runTime,
      wallS: (r.exitedAt - r.startedAt) / 1000,
      startupS: r.testStart !== null ? (r.testStart - r.startedAt) / 1000 : null,
      toLocustS: r.started !== null ? (r.started - r.startedAt) / 1000 : null,
      rampS: r.spawned !== null && r.testStart !== null ? (r.spawned - r.testStart) / 1000 : null,
      shutdownS: r.limit !== null ? (r.exitedAt - r.limit) / 1000 : null,
      code: r.code,
      requests: aggregatedRequests(`${csv}_stats.csv`),
    });
    if (i < N - 1 && COOLDOWN > 0) await sleep(COOLDOWN * 1000);
  }
  const wall = (now() - t0) / 1000;
  const planned = sum(stages.map((s) => s.runTimeS)) + (N - 1) * COOLDOWN;
  return { wall, planned, plannedExact: sum(STAGES.map((s) => s.rampS + s.holdS)) + (N - 1) * COOLDOWN, overheadPerStage: (wall - planned) / N, stages };
}

async function runShape(locust, targetUrl) {
  const shape = STAGES.map((s) => ({ users: s.users, spawnRate: RATE, seconds: s.rampS + s.holdS, cooldown: COOLDOWN }));
  const csv = path.join(WORK, 'shape');
  const r = await headlessRun(locust, ['-f', SHAPEFILE, '--host', targetUrl, '--csv', csv], {
    env: locustEnv({ BENCH_SHAPE: JSON.stringify(shape) }),
    tag: 'shape',
  });
  const wall = (r.exitedAt - r.startedAt) / 1000;
  const planned = sum(shape.map((s) => s.seconds)) + (N - 1) * COOLDOWN;
  return {
    wall,
    planned,
    overheadPerStage: (wall - planned) / N,
    startupS: r.testStart !== null ? (r.testStart - r.startedAt) / 1000 : null,
    toLocustS: r.started !== null ? (r.started - r.startedAt) / 1000 : null,
    shapeS: r.testStart !== null && r.limit !== null ? (r.limit - r.testStart) / 1000 : null,
    shutdownS: r.limit !== null ? (r.exitedAt - r.limit) / 1000 : null,
    code: r.code,
    requests: aggregatedRequests(`${csv}_stats.csv`),
  };
}

// ---------------------------------------------------------------------------------------------
// Report generation on a synthetic long run (bench/report-gen.mjs, one child per measurement)

/** Every synthetic run has the same number of stages, so a longer run means longer stages: more samples, not more charts. */
const REPORT_STAGES = 24;

function reportGen(hours, mode, json, asKept = false) {
  return new Promise((resolve, reject) => {
    const args = [
      '--expose-gc',
      path.join(ROOT, 'bench', 'report-gen.mjs'),
      '--hours',
      String(hours),
      '--stages',
      String(REPORT_STAGES),
      '--mode',
      mode,
      ...(json ? ['--json', json] : []),
      ...(asKept ? ['--as-kept'] : []),
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        resolve({ hours, mode, json, error: `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
        return;
      }
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

async function reportBench() {
  const rows = [];
  for (const hours of REPORT_HOURS) {
    const r = { hours };
    for (const [key, mode, json, asKept] of [
      ['record', 'record'],
      ['html', 'html'],
      ['sink', 'sink'],
      ['jsonStream', 'runjson', 'stream'],
      ['keptSink', 'sink', undefined, true],
    ]) {
      say(`report generation: ${hours} h, ${key}`);
      r[key] = await reportGen(hours, mode, json, asKept);
    }
    rows.push(r);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// What start-up costs before any work: a bare Node.js, and the CLI printing its version (all of
// its modules loaded, nothing done). Median of `runs`, each with its own peak RSS.

async function nodeProbe(args, runs = 5) {
  const walls = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const file = path.join(WORK, `probe-${i}.rusage.json`);
    const p = spawnMeasured(process.execPath, ['--import', PRELOAD, ...args], { cwd: ROOT, env: driverEnv({ BENCH_RUSAGE_FILE: file }) });
    const e = await p.exit;
    walls.push((e.at - p.startedAt) / 1000);
    try {
      rss.push(JSON.parse(readFileSync(file, 'utf8')).maxRssKb / 1024);
    } catch {
      // no rusage
    }
  }
  return { wallS: median(walls), rssMb: median(rss) };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  if (FROM) {
    const md = render(FROM);
    process.stdout.write(`\n${md}\n`);
    if (!flags['no-write']) writeFileSync(OUT_DOC, docPage(md, FROM));
    rmSync(WORK, { recursive: true, force: true });
    return;
  }
  const env = machine();
  const results = { env, date: new Date().toISOString(), command: COMMAND, config: { N, HOLD, RATE, COOLDOWN, SAMPLE_EVERY, USERS }, driver: {}, notes: [] };
  say(`work dir ${WORK}`);
  say(`plan: ${N} stages, users ${USERS.join('/')}, spawn rate ${RATE}/s, hold ${HOLD} s, cooldown ${COOLDOWN} s, sampling every ${SAMPLE_EVERY} s`);

  results.probes = { node: await nodeProbe(['-e', '0']), cliVersion: await nodeProbe([CLI, '--version']) };
  if (!SKIP.has('locust')) {
    const { findOrInstallLocust } = await import('../dist/adapters/local/locust-install.js');
    const locust = await findOrInstallLocust({ log: say });
    results.env.locust = execFileSync(locust, ['--version'], { encoding: 'utf8' })
      .trim()
      .split('\n')[0]
      .replace(/ from .*/, '');
    const target = await startTarget();
    say(`sample target ${target.url}`);
    try {
      // Way 1: the driver against a long-lived master.
      const master = await startMaster(locust, target.url);
      const proxy = await startProxy(master.webUrl.replace(/\/$/, ''));
      say(`long-lived master ${master.webUrl} (proxied at ${proxy.url}), 2 workers`);
      try {
        if (!SKIP.has('restart')) {
          const restartYaml = matrixYaml('bench-restart', proxy.url, target.url, null, COOLDOWN);
          say('driver, transition restart …');
          const r = await runDriver({ name: 'bench-restart', yaml: restartYaml, proxy });
          results.driver.restart = await analyseDriver(r, target.url, 'restart', COOLDOWN);
          say(`driver restart: ${fmt(results.driver.restart.wall, 1)} s, exit ${r.code}`);
          await waitIdle(master.webUrl, results.notes);
        }
        const continueYaml = matrixYaml('bench-continue', proxy.url, target.url, 'continue', 0);
        const support = SKIP.has('continue') ? { ok: false, why: 'skipped (--skip continue)' } : driverSupports(continueYaml);
        if (support.ok) {
          say('driver, transition continue …');
          const c = await runDriver({ name: 'bench-continue', yaml: continueYaml, proxy });
          results.driver.continue = await analyseDriver(c, target.url, 'continue', 0);
          if (results.driver.continue.stopsBetween > 1) {
            results.notes.push(
              `transition: continue is accepted by validate, but the driver still sent ${results.driver.continue.stopsBetween} /stop calls in ${N} stages: it is not implemented in the stage loop yet, so its row measures a restart without cooldown.`,
            );
          }
          say(`driver continue: ${fmt(results.driver.continue.wall, 1)} s, exit ${c.code}`);
        } else {
          results.notes.push(
            SKIP.has('continue')
              ? 'transition: continue was skipped (--skip continue).'
              : `transition: continue skipped: this build of the driver rejects the key (${support.why}).`,
          );
          say(`continue not supported: ${support.why}`);
        }

        // Start-up to the first /swarm: more runs of a 1-stage matrix, each stopped (SIGTERM) at its /swarm.
        results.driver.startups = [results.driver.restart?.firstSwarm, results.driver.continue?.firstSwarm].filter((v) => v != null);
        results.driver.firstRequests = [results.driver.restart?.firstRequest, results.driver.continue?.firstRequest].filter((v) => v != null);
        if (!SKIP.has('startup')) {
          for (let i = 1; i <= STARTUP_RUNS; i++) {
            await waitIdle(master.webUrl, results.notes);
            const s = await runDriver({
              name: `bench-startup-${i}`,
              yaml: matrixYaml(`bench-startup-${i}`, proxy.url, target.url, null, 0, 60, [USERS[0]]),
              proxy,
              stopAtSwarm: true,
            });
            const first = s.requests.find((q) => q.method === 'POST' && isPath(q, '/swarm'));
            if (first) results.driver.startups.push((first.start - s.startedAt) / 1000);
            if (s.requests[0]) results.driver.firstRequests.push((s.requests[0].start - s.startedAt) / 1000);
            say(`start-up run ${i}: first /swarm after ${first ? fmt((first.start - s.startedAt) / 1000, 3) : '?'} s (exit ${s.code})`);
          }
        }
      } finally {
        await proxy.close();
        await master.stop();
      }

      if (!SKIP.has('headless')) {
        // Way 2: headless master + workers relaunched per stage.
        say('headless Locust relaunched per stage …');
        results.headless = await runHeadlessPerStage(locust, target.url);
        say(`headless: ${fmt(results.headless.wall, 1)} s`);

        // Way 3: one headless run with a LoadTestShape.
        say('headless Locust with a LoadTestShape …');
        results.shape = await runShape(locust, target.url);
        say(`shape: ${fmt(results.shape.wall, 1)} s (exit ${results.shape.code})`);
      }
    } finally {
      await target.proc.stop();
    }
  }

  if (!SKIP.has('report')) results.reports = await reportBench();
  results.env.loadAfter = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  results.reportStages = REPORT_STAGES;

  mkdirSync(path.dirname(OUT_JSON), { recursive: true });
  writeFileSync(OUT_JSON, JSON.stringify(results, null, 2));
  if (!flags['no-render']) {
    const md = render(results);
    process.stdout.write(`\n${md}\n`);
    if (!flags['no-write']) {
      writeFileSync(OUT_DOC, docPage(md, results));
      say(`wrote ${path.relative(ROOT, OUT_DOC)} and ${path.relative(ROOT, OUT_JSON)}`);
    }
  }
  rmSync(WORK, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Output

const TARGETS = {
  overhead: 2,
  continueTransition: 0.5,
  rssMb: 80,
  startupS: 0.5,
  reportS: 3,
  reportMb: 200,
  /** report.html's own peak above the RunRecord, at any run length (a bound, not a scaling). */
  htmlOwnMb: 50,
};
const pf = (ok) => (ok === null ? '–' : ok ? 'PASS' : 'FAIL');

function table(head, rows, align) {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'));
  return [`| ${head.join(' | ')} |`, `|${a.map((x) => (x === 'l' ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function targetRows(res) {
  const d = res.driver ?? {};
  const rows = [];
  if (d.restart)
    rows.push([
      'overhead per stage, default mode (transition restart)',
      `${fmt(d.restart.overheadPerStage, 2)} s`,
      `≤ ${TARGETS.overhead} s`,
      pf(d.restart.overheadPerStage <= TARGETS.overhead),
    ]);
  if (d.restart && res.headless) {
    rows.push([
      "… and at most half the headless relaunch's",
      `${fmt(d.restart.overheadPerStage / res.headless.overheadPerStage, 2)} × (${fmt(res.headless.overheadPerStage, 2)} s)`,
      '≤ 0.50 ×',
      pf(d.restart.overheadPerStage <= res.headless.overheadPerStage / 2),
    ]);
  }
  if (d.continue) {
    const own = mean(d.continue.driverTransitions ?? []);
    rows.push([
      "a transition: continue (users only change): the driver's own time, numbers read → next reset, beyond the planned ramp",
      `${fmt(own, 2)} s (mean of ${(d.continue.driverTransitions ?? []).length})`,
      `≤ ${TARGETS.continueTransition} s`,
      pf(own === null ? null : own <= TARGETS.continueTransition),
    ]);
    const t = mean(d.continue.transitionOverheads);
    rows.push([
      "… window end → next reset, beyond the planned ramp (includes where the workers' last reports fall: Locust's 3 s interval)",
      `${fmt(t, 2)} s (mean of ${d.continue.transitionOverheads.length})`,
      '',
      '',
    ]);
  }
  const rss = [d.restart?.maxRssMb, d.continue?.maxRssMb].filter((v) => v != null);
  if (rss.length > 0) rows.push(['driver peak RSS', `${fmt(Math.max(...rss), 1)} MB`, `≤ ${TARGETS.rssMb} MB`, pf(Math.max(...rss) <= TARGETS.rssMb)]);
  const st = d.startups ?? [];
  if (st.length > 0)
    rows.push(['start-up to the first /swarm (ready master)', `${fmt(median(st), 3)} s`, `≤ ${TARGETS.startupS} s`, pf(median(st) <= TARGETS.startupS)]);
  const day = res.reports?.find((r) => r.hours === 24);
  if (day) {
    const ok = (x) => x && !x.error;
    if (ok(day.keptSink) && day.keptSink.keptPerStage != null) {
      rows.push([
        `report generation, 24 h at 1 s, as the driver holds it (finished stages thinned to ${day.keptSink.keptPerStage} samples): time`,
        `${fmt(day.keptSink.stepMs / 1000, 2)} s`,
        `≤ ${TARGETS.reportS} s`,
        pf(day.keptSink.stepMs / 1000 <= TARGETS.reportS),
      ]);
      rows.push(['… peak RSS', `${fmt(day.keptSink.maxRssKb / 1024, 0)} MB`, `≤ ${TARGETS.reportMb} MB`, pf(day.keptSink.maxRssKb / 1024 <= TARGETS.reportMb)]);
    }
    rows.push([
      'report generation, 24 h at 1 s, every sample kept (worst case): time',
      ok(day.sink) ? `${fmt(day.sink.stepMs / 1000, 2)} s` : 'error',
      `≤ ${TARGETS.reportS} s`,
      pf(ok(day.sink) && day.sink.stepMs / 1000 <= TARGETS.reportS),
    ]);
    rows.push([
      '… peak RSS',
      ok(day.sink) ? `${fmt(day.sink.maxRssKb / 1024, 0)} MB` : 'error',
      `≤ ${TARGETS.reportMb} MB`,
      pf(ok(day.sink) && day.sink.maxRssKb / 1024 <= TARGETS.reportMb),
    ]);
    rows.push([
      'report.html alone, 24 h: time / peak RSS',
      ok(day.html) ? `${fmt(day.html.stepMs / 1000, 2)} s / ${fmt(day.html.maxRssKb / 1024, 0)} MB` : 'error',
      `≤ ${TARGETS.reportS} s / ≤ ${TARGETS.reportMb} MB`,
      pf(ok(day.html) && day.html.stepMs / 1000 <= TARGETS.reportS && day.html.maxRssKb / 1024 <= TARGETS.reportMb),
    ]);
  }
  return rows;
}

function render(res) {
  const out = [];
  const d = res.driver ?? {};
  const R = d.restart;
  const Cn = d.continue;
  const H = res.headless;
  const S = res.shape;
  out.push(
    `Plan: ${N} stages, users ${USERS.join(' / ')}, spawn rate ${RATE}/s, hold ${HOLD} s, cooldown ${COOLDOWN} s between stages (0 s with continue), sampling every ${SAMPLE_EVERY} s.`,
  );
  const goals = targetRows(res);
  if (goals.length > 0) out.push('', '### Targets', '', table(['target', 'measured', 'goal', ''], goals, ['l', 'r', 'r', 'l']));
  if (R || H || S) {
    out.push('', '### The same matrix three ways', '');
    const rows = [];
    const row = (what, x, extra = '') => rows.push([what, fmt(x.wall, 1), fmt(x.planned, 1), fmt(x.overheadPerStage, 2), extra]);
    if (R) row('locust-driver, transition restart (long-lived master)', R, `exit ${R.code}, ${R.status}`);
    if (Cn) row('locust-driver, transition continue (long-lived master)', Cn, `exit ${Cn.code}, ${Cn.status}`);
    if (H) row('headless master + 2 workers relaunched per stage', H, `-t ${H.stages.map((s) => s.runTimeS).join('/')} s`);
    if (S) row('one headless run with a LoadTestShape', S, `exit ${S.code}`);
    out.push(table(['way', 'wall (s)', 'planned (s)', 'overhead per stage (s)', ''], rows, ['l', 'r', 'r', 'r', 'l']));
    const ratios = [];
    if (R && H)
      ratios.push([
        'driver (restart) overhead / headless relaunch overhead',
        fmt(R.overheadPerStage / H.overheadPerStage, 2),
        `≤ 0.50`,
        pf(R.overheadPerStage <= H.overheadPerStage / 2),
      ]);
    if (R && S) ratios.push(['driver (restart) overhead / LoadTestShape overhead', fmt(R.overheadPerStage / S.overheadPerStage, 2), '', '']);
    if (Cn && R) ratios.push(['driver continue overhead / driver restart overhead', fmt(Cn.overheadPerStage / R.overheadPerStage, 2), '', '']);
    if (R && H) ratios.push(['driver (restart) wall / headless relaunch wall', fmt(R.wall / H.wall, 3), '', '']);
    if (R && S) ratios.push(['driver (restart) wall / LoadTestShape wall', fmt(R.wall / S.wall, 3), '', '']);
    if (ratios.length > 0) out.push('', 'Ratios (same run, same machine):', '', table(['ratio', 'value', 'target', ''], ratios, ['l', 'r', 'r', 'l']));
  }
  for (const [label, x] of [
    ['restart', R],
    ['continue', Cn],
  ]) {
    if (!x) continue;
    const p = x.parts;
    out.push('', `### locust-driver, transition ${label}: where the overhead goes`, '');
    out.push(
      table(
        ['part', 'total (s)', 'per stage (s)', 'what it is'],
        [
          ['start-up: spawn → first /swarm', fmt(p.startup, 2), fmt(p.startup / N, 2), 'Node start, module loading, preflight reads, the first run.json'],
          [
            'ramps: /swarm → reset, beyond the planned ramps',
            fmt(p.ramp, 2),
            fmt(p.ramp / N, 2),
            label === 'continue'
              ? 'after the first stage: planned ramp + 250 ms margin, then the reset call'
              : "the ramp seen through the 2 s stats cache, Locust's ≤ 1 s wait for worker reports, the reset call",
          ],
          [
            'holds: reset → window end, beyond the holds',
            fmt(p.hold, 2),
            fmt(p.hold / N, 2),
            "the window starts at the workers' first reports (before the reset) and lasts `duration`, so this is negative unless the end waits for reports",
          ],
          [
            `between stages: window end → next /swarm${label === 'continue' ? '' : ', beyond the cooldown'}`,
            fmt(p.between, 2),
            fmt(p.between / N, 2),
            label === 'continue'
              ? "window end detection, the live CSV read, the next stage's start"
              : "the window's read (live, or after the stop and the 3.5 s final-read wait inside the cooldown), the stop, the cooldown counted from it, the next stage's start",
          ],
          ['tail: last window end → exit', fmt(p.tail, 2), fmt(p.tail / N, 2), 'the last read and stop, the final reports, exit'],
          ['**overhead** (wall − planned)', fmt(x.wall - x.planned, 2), fmt(x.overheadPerStage, 2), ''],
        ],
        ['l', 'r', 'r', 'l'],
      ),
    );
    out.push('', "After each window (seconds from the window's end):", '');
    out.push(
      table(
        ['after stage', '/stop sent', '/stop blocks', 'final CSV read done', 'stage finished', 'cooldown sleep', 'next stage starts', 'next /swarm', 'excess'],
        x.transitions.map((t) => [
          t.last ? `${t.from} (last)` : String(t.from),
          fmt(t.stopSent, 2),
          fmt(t.stopBlocksS, 2),
          fmt(t.readDone, 2),
          fmt(t.finished, 2),
          fmt(t.cooldownSleepS, 2),
          fmt(t.nextStarted, 2),
          t.last ? `exit ${fmt(t.excessS, 2)}` : fmt(t.nextSwarm, 2),
          fmt(t.excessS, 2),
        ]),
      ),
    );
    out.push('', "Each stage, and its window against the sample service's own count (every request it received, 1 ms timestamps):", '');
    out.push(
      table(
        [
          'stage',
          'users',
          'planned ramp',
          '/swarm → ramp seen',
          '/swarm → reset',
          'reset → window end',
          'window (s)',
          'window starts before reset',
          'reported requests',
          'service, in the window',
          'diff',
          'service, reset → end',
        ],
        x.stages.map((s) => [
          String(s.k),
          String(s.users),
          fmt(s.plannedRampS, 2),
          fmt(s.rampS, 2),
          fmt(s.swarmToResetS, 2),
          fmt(s.resetToEndS, 2),
          fmt(s.windowS, 2),
          fmt(s.windowLeadS, 2),
          String(s.requests ?? '–'),
          String(s.target ?? '–'),
          s.requests !== null && s.target
            ? `${s.requests - s.target >= 0 ? '+' : ''}${s.requests - s.target} (${fmt((100 * (s.requests - s.target)) / s.target, 1)} %)`
            : '–',
          String(s.targetFromReset ?? '–'),
        ]),
      ),
    );
    if (x.transitionOverheads.length > 0) {
      out.push(
        '',
        `Transition overhead (next reset − window end − planned ramp${label === 'restart' ? ' − cooldown' : ''}): ${x.transitionOverheads.map((v) => fmt(v, 2)).join(', ')} s; mean ${fmt(mean(x.transitionOverheads), 2)} s.`,
      );
    }
  }
  if (H) {
    out.push('', '### Headless relaunch per stage: where the seconds go', '');
    out.push(
      table(
        [
          'stage',
          'users',
          '-t (s)',
          'spawn → Locust started',
          'spawn → test starts (workers in)',
          'ramp',
          'time limit → all exited',
          'stage wall',
          'requests (incl. ramp)',
        ],
        H.stages.map((s) => [
          String(s.k),
          String(s.users),
          String(s.runTimeS),
          fmt(s.toLocustS, 2),
          fmt(s.startupS, 2),
          fmt(s.rampS, 2),
          fmt(s.shutdownS, 2),
          fmt(s.wallS, 2),
          String(s.requests ?? '–'),
        ]),
      ),
    );
  }
  if (S) {
    out.push(
      '',
      `LoadTestShape: spawn → Locust started ${fmt(S.toLocustS, 2)} s, → shape starts ${fmt(S.startupS, 2)} s; shape ran ${fmt(S.shapeS, 2)} s (planned ${fmt(S.planned, 2)} s); shape end → all exited ${fmt(S.shutdownS, 2)} s; ${S.requests ?? '–'} requests.`,
    );
  }
  if (R) {
    out.push('', "### The driver's own cost", '');
    const rows = [];
    const st = d.startups ?? [];
    rows.push([
      'start-up: process start → first POST /swarm (ready master)',
      `${fmt(median(st), 3)} s (median of ${st.length}: ${st.map((v) => fmt(v, 3)).join(', ')})`,
      `≤ ${TARGETS.startupS} s`,
      pf(st.length ? median(st) <= TARGETS.startupS : null),
    ]);
    const fr = d.firstRequests ?? [];
    rows.push(['… of which process start → first API call', `${fmt(median(fr), 3)} s (median)`, '', '']);
    const pr = res.probes;
    if (pr)
      rows.push([
        'for comparison: `node -e 0`; `node dist/main.js --version` (every module loaded, nothing done)',
        `${fmt(pr.node.wallS, 3)} s, ${fmt(pr.node.rssMb, 1)} MB; ${fmt(pr.cliVersion.wallS, 3)} s, ${fmt(pr.cliVersion.rssMb, 1)} MB`,
        '',
        '',
      ]);
    const rss = [R.maxRssMb, Cn?.maxRssMb].filter((v) => v != null);
    rows.push([
      'peak RSS of the driver process (getrusage maxrss)',
      `${rss.map((v) => fmt(v, 1)).join(' / ')} MB (restart / continue)`,
      `≤ ${TARGETS.rssMb} MB`,
      pf(rss.length ? Math.max(...rss) <= TARGETS.rssMb : null),
    ]);
    const m = R.memory;
    rows.push([
      '… RSS at the first /swarm; peak before the first report.html; peak after it',
      `${fmt(m.rssAtFirstSwarm, 1)} MB; ${fmt(m.hwmBeforeFirstReport, 1)} MB; ${fmt(m.hwmAfterFirstReport, 1)} MB`,
      '',
      '',
    ]);
    rows.push(['CPU time, whole run', `${fmt(R.cpuTotal, 2)} s of which ${fmt(R.cpuStartup, 2)} s before the first /swarm`, '', '']);
    rows.push([
      'CPU time per hour of sampling (reset → stop only)',
      `${fmt(R.cpuPerHourSampling, 1)} s/h (${fmt(R.cpuPerHourSampling / 36, 2)} % of a core)`,
      '',
      '',
    ]);
    rows.push(['CPU time per hour of run after the first /swarm (incl. reports)', `${fmt(R.cpuPerHourRun, 1)} s/h`, '', '']);
    out.push(table(['measure', 'value', 'target', ''], rows, ['l', 'l', 'r', 'l']));
  }
  if (res.reports) {
    out.push('', `### Report generation on a synthetic long run (${REPORT_STAGES} stages, a sample every second, 4 endpoints, Kubernetes columns filled)`, '');
    const mb = (x) => (x && !x.error ? x.maxRssKb / 1024 : null);
    const rows = res.reports.map((r) => {
      const base = mb(r.record);
      const htmlErr = r.html?.error ? `error: ${r.html.error}` : null;
      return [
        `${r.hours} h (${r.record?.samples ?? '?'} samples)`,
        fmt(base, 0),
        htmlErr ?? `${fmt(r.html?.stepMs / 1000, 2)} s`,
        htmlErr ? '–' : `${fmt(mb(r.html), 0)} (+${fmt((r.html.maxRssKb - r.html.rssBeforeKb) / 1024, 0)})`,
        r.sink?.error ? `error: ${r.sink.error}` : `${fmt(r.sink?.stepMs / 1000, 2)} s`,
        r.sink?.error ? '–' : `${fmt(mb(r.sink), 0)} (+${fmt((r.sink.maxRssKb - r.sink.rssBeforeKb) / 1024, 0)})`,
        `${fmt((r.sink?.files?.['run.json'] ?? 0) / 2 ** 20, 1)} MB`,
        r.jsonStream?.error
          ? 'error'
          : `${fmt(r.jsonStream?.stepMs / 1000, 2)} s, ${fmt(mb(r.jsonStream), 0)} (+${fmt((r.jsonStream.maxRssKb - r.jsonStream.rssBeforeKb) / 1024, 0)})`,
        !r.keptSink || r.keptSink.error || r.keptSink.keptPerStage == null
          ? '–'
          : `${fmt(r.keptSink.stepMs / 1000, 2)} s, ${fmt(mb(r.keptSink), 0)} MB, run.json ${fmt((r.keptSink.files?.['run.json'] ?? 0) / 2 ** 20, 1)} MB`,
      ];
    });
    out.push(
      table(
        [
          'run',
          'RunRecord in memory: peak RSS (MB)',
          'report.html: time',
          'report.html: peak RSS (MB) (+ over the RSS before it)',
          'all reports at a stage end (FsReportSink): time',
          '… peak RSS (MB)',
          'run.json',
          'run.json alone, written piece by piece (as the sink does): time, peak RSS (MB)',
          'all reports, samples as the driver keeps them: time, peak RSS, run.json',
        ],
        rows,
      ),
    );
    const day = res.reports.find((r) => r.hours === 24) ?? res.reports.at(-1);
    if (day) {
      const h = day.html;
      const s = day.sink;
      const checks = [
        [
          `report.html for ${day.hours} h: time`,
          `${fmt(h?.stepMs / 1000, 2)} s`,
          `≤ ${TARGETS.reportS} s`,
          pf(h && !h.error ? h.stepMs / 1000 <= TARGETS.reportS : false),
        ],
        [
          `report.html for ${day.hours} h: peak RSS of the process`,
          `${fmt(mb(h), 0)} MB`,
          `≤ ${TARGETS.reportMb} MB`,
          pf(h && !h.error ? mb(h) <= TARGETS.reportMb : false),
        ],
        [
          `all reports for ${day.hours} h (incl. run.json): time`,
          `${fmt(s?.stepMs / 1000, 2)} s`,
          `≤ ${TARGETS.reportS} s`,
          pf(s && !s.error ? s.stepMs / 1000 <= TARGETS.reportS : false),
        ],
        [
          `all reports for ${day.hours} h (incl. run.json): peak RSS`,
          `${fmt(mb(s), 0)} MB`,
          `≤ ${TARGETS.reportMb} MB`,
          pf(s && !s.error ? mb(s) <= TARGETS.reportMb : false),
        ],
      ];
      // Bounded: at every length, report.html's peak above the RunRecord (measured right before it,
      // after a full GC) stays under a fixed bound, and the step keeps nothing once done.
      const over = res.reports
        .filter((r) => r.html && !r.html.error)
        .map((r) => ({ hours: r.hours, mb: (r.html.maxRssKb - r.html.rssBeforeKb) / 1024, kept: r.html.retainedKb / 1024 }));
      if (over.length > 1) {
        checks.push([
          `report.html's own memory (peak − RSS before it; kept after it), ${over.map((o) => `${o.hours} h`).join(' / ')}`,
          `${over.map((o) => `+${fmt(o.mb, 0)}`).join(' / ')} MB; kept ${over.map((o) => fmt(o.kept, 1)).join(' / ')} MB`,
          `≤ ${TARGETS.htmlOwnMb} MB at every length, ~0 kept`,
          pf(over.every((o) => o.mb <= TARGETS.htmlOwnMb && o.kept < 5)),
        ]);
      }
      out.push('', table(['check', 'value', 'target', ''], checks, ['l', 'l', 'r', 'l']));
    }
  }
  if (res.notes.length > 0) out.push('', ...res.notes.map((n) => `Note: ${n}`));
  return out.join('\n');
}

/** What limits each figure, with this run's own numbers. */
function limits(res) {
  const d = res.driver ?? {};
  const R = d.restart;
  const Cn = d.continue;
  const H = res.headless;
  const S = res.shape;
  const out = ['## What limits each figure', ''];
  const m = (xs) => mean(xs.filter((v) => v !== null && v !== undefined));
  if (R) {
    const rampSeen = m(R.stages.map((s) => (s.rampS === null ? null : s.rampS - s.plannedRampS)));
    const stop = m(R.stopBlocks);
    const finalWait = m(R.transitions.map((t) => (t.readDone === null || t.stopSent === null ? null : t.readDone - t.stopSent)));
    const liveRead = finalWait !== null && finalWait < 0;
    const stopAfterEnd = m(R.transitions.map((t) => t.stopSent));
    const lead = m(R.stages.map((s) => s.windowLeadS));
    out.push(
      `- **Driver, transition restart** (${fmt(R.overheadPerStage, 2)} s per stage). *Ramp:* the master reports \`running\` with every user only after the planned ramp plus Locust's wait for the workers' user counts (up to 1 s, \`LOCUST_WAIT_FOR_WORKERS_REPORT_AFTER_RAMP_UP\`), and the driver reads it through Locust's 2 s stats cache (polled every 250 ms): the ramp was seen ${fmt(rampSeen, 2)} s after the planned ramp on average. *Hold:* the window starts at the workers' first reports after the reset, on average ${fmt(lead, 2)} s before it, and lasts \`duration\`, so the hold after the reset is shorter than planned (${fmt(R.parts.hold, 2)} s in all here). *Stop:* \`/stop\` blocks until every worker reports 0 users (Locust polls every 1 s): ${fmt(stop, 2)} s on average. ${
        liveRead
          ? `*Window end:* this build reads the window live before stopping: the CSVs were read ${fmt(m(R.transitions.map((t) => t.readDone)), 2)} s and \`/stop\` sent ${fmt(stopAfterEnd, 2)} s after the window's end (workers report every 3 s, so the driver waits for their reports past the end), and the cooldown counts from that stop; after the last stage the tail is ${fmt(R.parts.tail, 2)} s (${fmt(R.parts.tail / N, 2)} s per stage at N = ${N}).`
          : `*Final read:* workers send their numbers every 3 s and nothing on stop, so the final CSV read comes ${fmt(finalWait, 2)} s after the stop is sent (the 3.5 s wait runs from the stop's answer); between stages it overlaps the cooldown (${COOLDOWN} s here), after the last stage it is paid once (the tail row: ${fmt(R.parts.tail, 2)} s, ${fmt(R.parts.tail / N, 2)} s per stage at N = ${N}).`
      } With longer runs the tail's share falls as 1/N; what stays per stage is the ramp detection and the part of stop + final read that exceeds the cooldown.`,
    );
  }
  if (Cn) {
    const readDone = m(Cn.transitions.filter((t) => !t.last).map((t) => t.readDone));
    const nextSwarm = m(
      Cn.transitions.filter((t) => !t.last).map((t) => (t.nextSwarm === null || t.nextStarted === null ? null : t.nextSwarm - t.nextStarted)),
    );
    out.push(
      `- **Driver, transition continue** (${fmt(mean(Cn.transitionOverheads), 2)} s per transition beyond the planned ramp). Without a stop, the window's end is found from the workers' reports: the driver watches the count over the last report interval and reads the CSVs live, ${fmt(readDone, 2)} s after the window's end on average; the next stage sends its \`/swarm\` without reading the master first (${fmt(nextSwarm, 3)} s from the stage's start), waits the planned ramp + 250 ms (Locust's 2 s cache hides the new user count), and resets. Locust's 3 s report interval is the floor of the end detection.`,
    );
  }
  for (const x of [R, Cn].filter(Boolean)) {
    const diffs = x.stages.filter((s) => s.requests !== null && s.target).map((s) => (100 * (s.requests - s.target)) / s.target);
    if (diffs.length === 0) continue;
    const worst = Math.max(...diffs.map(Math.abs));
    // Requests the service received between the window's end and the CSV read (≈ rate × gap).
    const after = x.stages.map((s, i) => {
      const t = x.transitions[i];
      const read = t?.readDone ?? null;
      const stop = t?.stopSent ?? null;
      const gap = read !== null && (stop === null || read < stop) ? read : stop;
      return s.windowS && s.target && gap !== null ? (s.target / s.windowS) * gap : null;
    });
    out.push(
      worst <= 3
        ? `- **Window accuracy, ${x.transition}:** within ${fmt(worst, 1)} % of the service's own count in every window (requests in flight at the edges and the 100-ms resolution of the report detection).`
        : `- **Window accuracy, ${x.transition}:** the reported requests differ from the service's count in the reported window by ${diffs.map((d) => `${d >= 0 ? '+' : ''}${fmt(d, 1)} %`).join(', ')}. The excess matches the requests of the time between the window's end and the moment the counts were taken (live read or stop: ≈ ${after.map((a) => fmt(a, 0)).join(', ')} requests), so those requests are counted while \`window.end\` says they are not: the window's end must be where the counted requests end.`,
    );
  }
  if (H) {
    const toLocust = m(H.stages.map((s) => s.toLocustS));
    const start = m(H.stages.map((s) => s.startupS));
    const down = m(H.stages.map((s) => s.shutdownS));
    out.push(
      `- **Headless relaunch** (${fmt(H.overheadPerStage, 2)} s per stage). Each stage starts three Python processes: ${fmt(toLocust, 2)} s until the master logs "Starting Locust" (importing Locust, gevent, Flask), ${fmt(start, 2)} s until the test starts (the master polls \`--expect-workers\` once a second), and ${fmt(down, 2)} s from the time limit until all three have exited (quitting the workers, writing the CSVs). Its window includes the ramp (no reset), and \`-t\` has 1 s resolution.`,
    );
  }
  if (S) {
    out.push(
      `- **LoadTestShape** (${fmt(S.overheadPerStage, 2)} s per stage). One start-up (${fmt(S.startupS, 2)} s to the first tick) and one shutdown (${fmt(S.shutdownS, 2)} s) for the whole run, and Locust's shape ticks once a second (the shape ran ${fmt(S.shapeS, 2)} s for ${fmt(sum(STAGES.map((x) => x.rampS + x.holdS)) + (N - 1) * COOLDOWN, 2)} s planned). It has no per-stage windows, resets or reports: its numbers are one run's, ramps and cooldowns included.`,
    );
  }
  if (R && res.probes) {
    out.push(
      `- **Start-up** (${fmt(median(d.startups ?? []), 3)} s to the first \`/swarm\`). A bare \`node -e 0\` takes ${fmt(res.probes.node.wallS, 3)} s here; \`node dist/main.js --version\`, which loads every module the CLI imports at start-up and does nothing, takes ${fmt(res.probes.cliVersion.wallS, 3)} s: loading ~950 module files (undici, zod, yaml, yargs, pino) is most of it. The rest is the run itself: logger, matrix, preflight reads (\`/stats/requests\`, the version page, the target's health), the first run.json, one read before the \`/swarm\`.`,
    );
    out.push(
      `- **Peak RSS** (${fmt(Math.max(...[R.maxRssMb, Cn?.maxRssMb].filter((v) => v != null)), 1)} MB). A bare Node.js is ${fmt(res.probes.node.rssMb, 1)} MB; with the CLI's modules loaded ${fmt(res.probes.cliVersion.rssMb, 1)} MB; at the first \`/swarm\` ${fmt(R.memory.rssAtFirstSwarm, 1)} MB. The reports add little since report.html no longer loads a chart library (${fmt(R.memory.hwmBeforeFirstReport, 1)} MB before the first report.html, ${fmt(R.memory.hwmAfterFirstReport, 1)} MB after). This is \`node dist/main.js\` (tsc output, no Node flags): what the container runs — the bundle, node:http instead of npm undici, a 1 MB young generation and V8's lite mode — is measured lever by lever in the Footprint section below (bench/footprint.mjs).`,
    );
  }
  const day = res.reports?.find((r) => r.hours === 24);
  if (day && !day.sink?.error) {
    out.push(
      `- **Report generation, 24 h.** report.html takes ${fmt(day.html.stepMs / 1000, 2)} s and its memory does not grow with the samples (each line is decimated to ≤ ${840} points while it is read). What remains is run.json: the whole RunRecord with every sample, ${fmt(day.sink.files['run.json'] / 2 ** 20, 1)} MB of indented JSON built as one string, which sets both the time and the peak of "all reports" (${fmt(day.sink.stepMs / 1000, 2)} s, ${fmt(day.sink.maxRssKb / 1024, 0)} MB). Written piece by piece (same bytes) it takes ${fmt(day.jsonStream.stepMs / 1000, 2)} s and ${fmt(day.jsonStream.maxRssKb / 1024, 0)} MB.${
        day.keptSink && !day.keptSink.error && day.keptSink.keptPerStage != null
          ? ` That is the worst case, every sample in memory: the driver keeps at most ${day.keptSink.keptPerStage} samples of each finished stage (samples.csv has them all), and with the record as it holds it at the last stage's end all reports take ${fmt(day.keptSink.stepMs / 1000, 2)} s and ${fmt(day.keptSink.maxRssKb / 1024, 0)} MB (run.json ${fmt((day.keptSink.files?.['run.json'] ?? 0) / 2 ** 20, 1)} MB); the last stage is still whole, so a single very long stage still costs like the worst case.`
          : ' The RunRecord itself keeps every sample in memory for run.json in this build, so it grows with the run.'
      }`,
    );
  }
  return out.join('\n');
}

/** The sweep's block of the page being replaced (bench/sweep.mjs writes it; a plain bench keeps it). */
function keptSweep() {
  try {
    const block = extractBlock(readFileSync(OUT_DOC, 'utf8'));
    return block ? `\n${block}\n` : '';
  } catch {
    return '';
  }
}

function docPage(md, res) {
  const e = res.env;
  return `# Benchmarks

Latest figures of \`npm run bench\` (\`bench/bench.mjs\`). Everything ran on one machine, on
127.0.0.1, in one run; compare the **ratios** — the absolute seconds move with the machine's load.
How to read each figure and what limits it: [below](#what-limits-each-figure).

- **Date:** ${res.date}
- **Command:** \`${res.command}\`
- **Machine:** ${e.cpu}, ${e.cores} cores, ${fmt(e.memGb, 1)} GiB RAM, ${e.kernel}; load average (1/5/15 min) ${e.load} before the run, ${e.loadAfter ?? '?'} after
- **Versions:** Node.js ${e.node}, ${e.locust ?? 'Locust (not run)'}, locust-driver at ${e.commit}
- **Sample service:** \`dist/sample-target/main.js --concurrency 8 --service-ms 25\` (≈ 320 req/s capacity; the plan offers ≈ 1 req/s per user)

${md}
${keptSweep()}
${limits(res)}

${HISTORY}

${METHOD}
`;
}

const HISTORY = `## Changes these figures led to

- **report.html** (\`src/adapters/report/html/\`), measured on this machine on 2026-11-28 before
  and after: the charts were Vega-Lite → Vega → SVG with every sample in the data. On the synthetic
  24-h run (86 400 samples) the page took 3.2 s and a 459 MB peak without Kubernetes columns, and
  crashed with them (\`RangeError: Maximum call stack size exceeded\`: \`Math.max(...rows)\` over
  259 200 replica rows). For this bench's own 4-stage run it took 0.7 s the first time in a process
  (loading Vega) and 0.25 s after, ~1.2 s of CPU for two renders and a 163 MB peak, at every stage
  end, while the next stage was starting in the same process. Now every chart is plain SVG drawn from
  numbers and each time series keeps at most 840 points per line (the lowest and highest value of
  each of 420 time slices, said in the chart's caption; samples.csv keeps every sample): 26–44 ms
  the first time, 6–10 ms after, 61 MB peak for the same run, and the 24-h figures above.
`;

const METHOD = `## How the figures are made

**The plan.** N stages (default 4: 4, 8, 12, 16 users), spawn rate 20/s, a hold of 10 s each, a
cooldown of 5 s between stages (none after the last), on the pinned Locust (master + 2 workers) and
the sample service. Flags or \`BENCH_*\` variables change every number (\`--stages --hold --users
--spawn-rate --cooldown --sample-every --report-hours --startup-runs --skip
locust,continue,startup,headless,report\`); \`BENCH_DRIVER_CLI=path/to/main.js\` measures another build of the
driver (a bundle, say) against the same plan.

**Wall time** is from the first process spawned to the last one exited: the driver process for the
driver; for the headless relaunch, from the first stage's first spawn to the last stage's exit
(including the cooldown sleeps between stages); for the LoadTestShape, the one run.

**Overhead per stage** = (wall time − Σ planned ramps − Σ holds − Σ planned cooldowns) / N, where a
planned ramp is users / spawn rate (for \`transition: continue\`, |Δusers| / spawn rate, since the
users keep running), the hold is the stage's \`duration\`, and the cooldown is the same planned
pause for every way (N − 1 of them; \`continue\` runs with cooldown 0, as it never stops the users).
The cooldown is counted as planned: the driver overlaps its 3.5 s final-read wait with it (that is
its documented behaviour), so with a cooldown shorter than 3.5 s the rest of that wait shows up as
overhead. For the headless relaunch, the planned ramp + hold is its \`-t\` (whole seconds: Locust's
run time has 1-s resolution, so 10.2 s becomes 11 s, counted as planned). For the LoadTestShape,
each stage is a shape step of ramp + hold seconds followed by 0 users for the cooldown.

**Where a driver stage's seconds go** comes from a timestamping proxy in front of the master (every
API call's arrival and answer) and the driver's own JSON log events (\`--log-level debug\`): stage
start → \`/swarm\` (one \`/stats/requests\` read), \`/swarm\` → ramp seen (run.json \`rampMs\`), the reset,
the hold (reset → \`/stop\`; shorter than \`duration\` by the amount the window starts before the reset,
see docs/how-a-stage-works.md), how long \`/stop\` blocks, stop → the last final CSV read, writing the
reports, and the cooldown that remains.

**Window accuracy:** for each stage, the request count in run.json against what the sample service
counted in the reported window (\`GET /__admin/counts?from=&to=\`), and from the reset instead.

**Driver cost:** peak RSS and CPU time are the driver process's own (\`process.resourceUsage()\`
at exit, through \`node --import bench/lib/rusage-preload.mjs\`); CPU at each API call comes from
\`/proc/<pid>/stat\`. *Per hour of sampling* counts only reset → stop of each stage (the sampling
loop, the 100-ms report watcher, progress lines); *per hour of run* counts everything after the
first \`/swarm\`, report writing included (with 10-s stages that is dominated by the reports).
*Start-up* is process spawn → the master receiving the first \`POST /swarm\`, with the master and
its workers already up (median of the full runs and of extra runs of a 1-stage matrix that are
stopped with SIGTERM at their \`/swarm\`).

**Report generation:** \`bench/report-gen.mjs\` builds a synthetic run in a child process (24
stages whatever the length, so 6 h → 24 h means 4× the samples per stage, not more charts; a sample
every second; 4 endpoints; the Kubernetes columns filled so the replicas chart is drawn too), then
times one step; peak RSS is that child's maxrss. *RunRecord in
memory* is the baseline (the record alone); *report.html* renders the page once; *all reports* is
\`FsReportSink.stageFinished\` for the last stage, what the driver does at every stage end (the
stage's CSVs, summary.csv, summary.md, junit.xml, report.html, run.json). *run.json alone* is
the sink's writer (\`runJsonChunks\` in \`src/adapters/report/run-json.ts\`: byte-identical to one
\`JSON.stringify\`, written piece by piece so the whole text never sits in memory).
`;

await main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
