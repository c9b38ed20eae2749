// Composition root (started by main.ts): command line → matrix → adapters → run → exit code. The only place that knows
// the concrete adapters; the exit code itself is core/exit-code.ts's decision (product.md §6).
// Only what every command needs is imported up front; each command loads its adapters when it runs
// (the `await import(...)` below), so `validate` loads no HTTP client, logger, report writers or
// remote write, and a run no remote write it was not asked for (issue 13: start-up time and memory).
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { AbortedError, ConfigError, DriverError, InternalError } from './core/errors.js';
import { EXIT, exitCode } from './core/exit-code.js';
import { parseMatrix, MatrixFileSchema } from './core/matrix.js';
import { buildPlan, slugify, withMetricsFlags } from './core/plan.js';
import type { RunPlan } from './core/model.js';
import type { RunOptions } from './core/run/index.js';
import type { Cluster, LoadGenerator, ReportSink } from './ports.js';
import type { Logger } from 'pino';
import { hostname } from 'node:os';
import { parseCli, CliOutput, withMatrixSettings, type CliOptions } from './cli.js';
import type { MetricsOutput } from './adapters/metrics/metrics-output.js';
import { formatPlan } from './adapters/log/plan-text.js';
import { systemClock } from './adapters/system/clock.js';
import type { LocalStack } from './adapters/local/stack.js';
import { packageRootOf } from './adapters/system/package-root.js';
import { compareRuns, parseTolerances } from './core/compare.js';
import type { RunRecord } from './core/model.js';
import { join } from 'node:path';
import * as z from 'zod';

/** The sample service of the embedded stack: ~80 predictions/s, so the quickstart shows a knee. */
const EMBEDDED_TARGET = { concurrency: 2, serviceMs: 25 };

async function driverVersion(): Promise<string> {
  try {
    const root = packageRootOf(import.meta.url);
    if (root === null) return '0.0.0';
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The matrix file: its plan, and the options with its `run:` section filled in (flags and env win). */
async function loadMatrix(opts: CliOptions): Promise<{ plan: RunPlan; opts: CliOptions }> {
  const file = opts.matrix;
  const text = await readMatrixText(file);
  const parsed = parseMatrix(text, file);
  return { plan: buildPlan(parsed, file), opts: withMatrixSettings(opts, parsed.file.run, file) };
}

async function readMatrixText(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${file}: no such matrix file — pass --matrix <file> (try examples/local.yaml)`
        : `${file}: cannot read the matrix file (${code ?? (e as Error).message})`,
    );
  }
  return text;
}

function defaultRunId(name: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${slugify(name) || 'run'}-${stamp}`;
}

function passwordFor(plan: RunPlan): { username: string; password: string } | null {
  if (!plan.locust.auth) return null;
  const password = process.env[plan.locust.auth.passwordEnv];
  if (!password)
    throw new ConfigError(
      `${plan.source} locust.auth.passwordEnv: the environment variable ${plan.locust.auth.passwordEnv} is not set — export it with the Locust password`,
    );
  return { username: plan.locust.auth.username, password };
}

/** The Kubernetes side, loaded only when the matrix asks for it (client-node is large). */
async function connectCluster(plan: RunPlan, opts: CliOptions): Promise<Cluster | null> {
  if (!plan.kubernetes) return null;
  const { connectKube } = await import('./adapters/kube/config.js');
  const { createCluster } = await import('./adapters/kube/cluster.js');
  return createCluster(connectKube(plan.kubernetes.namespace, process.env, opts.serviceAccountRoot));
}

interface Connected {
  lg: LoadGenerator;
  cluster: Cluster | null;
  stack: LocalStack | null;
  host: string | null;
  healthUrl: string | null;
  baseUrl: string;
}

/** The master (or the embedded stack), the target and the cluster a command talks to. */
async function connect(plan: RunPlan, opts: CliOptions, log: Logger, signal: AbortSignal): Promise<Connected> {
  const auth = passwordFor(plan);
  const masterUrl = opts.master ?? plan.locust.url;
  if (!masterUrl && plan.kubernetes)
    throw new ConfigError(
      `${plan.source} locust.url: the kubernetes: section scales a cluster's stack, so name its master (e.g. http://locust-master:8089) here or with --master`,
    );
  const cluster = await connectCluster(plan, opts);
  let host = plan.target.host;
  let healthUrl = plan.target.host && plan.target.healthPath ? new URL(plan.target.healthPath, plan.target.host).toString() : null;
  let stack: LocalStack | null = null;
  let baseUrl = masterUrl;
  if (!baseUrl) {
    log.info(`no Locust master configured: starting the embedded local stack (${opts.localWorkers} workers) on 127.0.0.1`);
    const { startLocalStack } = await import('./adapters/local/stack.js');
    stack = await startLocalStack({
      workers: opts.localWorkers,
      target: EMBEDDED_TARGET,
      ...(opts.locustBin ? { locustBin: opts.locustBin } : {}),
      log: (m) => log.info(m),
    });
    if (signal.aborted) {
      await stack.stop();
      throw signal.reason;
    }
    baseUrl = stack.masterUrl;
    // The load goes to target.host when the matrix names one, else to the bundled sample service.
    host = plan.target.host ?? stack.targetUrl;
    healthUrl = new URL(plan.target.healthPath ?? '/healthz', host).toString();
    log.info(`embedded stack up: master ${stack.masterUrl}, target ${stack.targetUrl}, Locust ${stack.locustVersion ?? '?'}`);
  }
  const { createLocustClient } = await import('./adapters/locust/client.js');
  const lg = createLocustClient({ baseUrl, auth, requestTimeoutMs: plan.locust.requestTimeoutMs });
  return { lg, cluster, stack, host, healthUrl, baseUrl };
}

function runOptions(plan: RunPlan, opts: CliOptions, c: Connected, runId: string, version: string): RunOptions {
  return {
    runId,
    plan,
    host: c.host,
    healthUrl: c.healthUrl,
    embedded: c.stack !== null,
    expectWorkers: opts.expectWorkers ?? (c.stack ? opts.localWorkers : plan.locust.expectWorkers),
    connectTimeoutMs: opts.connectTimeoutMs ?? plan.locust.connectTimeoutMs,
    driverVersion: version,
    nodeVersion: process.version,
    // In a pod, the Lease names the pod; elsewhere the host and process.
    holder: process.env.POD_NAME || `${hostname()}-${process.pid}`,
  };
}

async function disconnect(c: Connected | null, log: Logger): Promise<void> {
  if (!c) return;
  await c.lg.close();
  if (c.stack) {
    log.info('stopping the embedded local stack');
    await c.stack.stop();
  }
}

function onSignals(log: Logger): AbortController {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting now`);
      process.exit(exitCode({ error: new AbortedError(sig) }));
    }
    log.warn(`${sig}: stopping the load and writing the reports (send it again to exit at once)`);
    controller.abort(new AbortedError(sig));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return controller;
}

/** Remote write, when asked for: its credentials are read now, so a missing one fails before the run starts. */
async function metricsOutput(plan: RunPlan, runId: string, log: Logger): Promise<MetricsOutput | null> {
  const rw = plan.metrics?.remoteWrite;
  if (!plan.metrics || !rw) return null;
  const { authHeaders, createMetricsOutput } = await import('./adapters/metrics/metrics-output.js');
  const { displayUrl } = await import('./adapters/locust/client.js');
  const headers = authHeaders(rw, process.env, plan.source);
  log.info(`remote write: sending samples and stage results to ${displayUrl(rw.url)}`);
  return createMetricsOutput({ runId, matrix: plan.name, metrics: plan.metrics, headers, warn: (m) => log.warn(m) });
}

async function run(cli: CliOptions, version: string): Promise<number> {
  const loaded = await loadMatrix(cli);
  const opts = loaded.opts;
  const plan: RunPlan = { ...loaded.plan, metrics: withMetricsFlags(loaded.plan.metrics, opts.remoteWriteUrl, opts.metricsLabels) };
  const runId = opts.runId ?? defaultRunId(plan.name, new Date());
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(runId)) throw new ConfigError(`--run-id "${runId}": use letters, digits, dot, dash and underscore only`);
  passwordFor(plan); // a missing password is a usage error: fail before anything starts
  const tolerances = parseTolerances(opts.tolerances);
  const { loadRun } = await import('./adapters/report/load-run.js');
  const { createLogger, logEvents } = await import('./adapters/log/logger.js');
  // An explicit baseline is read (and validated) before anything starts.
  const explicitBaseline = opts.baseline !== null && opts.baseline !== 'latest' ? (await loadRun(opts.baseline)).run : null;
  const log = createLogger(opts.logLevel, opts.logFormat);
  const prior = await priorRun(plan, opts, runId);
  if (prior && prior.status === 'completed') {
    // --resume=auto in a Job pod that restarts after the run finished: nothing is left to do.
    log.info(`run ${runId} already completed (verdict ${prior.verdict}); nothing to resume`);
    return exitCode({ record: prior });
  }
  // A run folder that already holds a run is refused before anything starts.
  const metrics = await metricsOutput(plan, runId, log);
  const { FsReportSink } = await import('./adapters/report/fs-sink.js');
  const files = await FsReportSink.create(opts.out, runId, { resume: prior !== null });
  const sink = metrics ? metrics.wrap(files) : files;
  const emit = metrics ? metrics.tee(logEvents(log)) : logEvents(log);
  const controller = onSignals(log);
  let c: Connected | null = null;
  try {
    c = await connect(plan, opts, log, controller.signal);
    const baseline = opts.baseline === null ? null : (explicitBaseline ?? (await latestBaseline(plan, runId, opts, c.cluster, log)));
    if (baseline && baseline.name !== plan.name)
      log.warn(`--baseline ${baseline.runId} is a run of "${baseline.name}", this is "${plan.name}": comparing the stages whose parameters match`);
    const { displayUrl } = await import('./adapters/locust/client.js');
    for (const line of formatPlan(plan, displayUrl(c.baseUrl), opts.localWorkers).split('\n')) log.debug(line);
    const { runMatrix } = await import('./core/run/index.js');
    const { httpHealthProbe } = await import('./adapters/system/health.js');
    const { record, error } = await runMatrix(
      { lg: c.lg, clock: systemClock, sink, emit, signal: controller.signal, probe: httpHealthProbe, cluster: c.cluster },
      { ...runOptions(plan, opts, c, runId, version), baseline: baseline ? { run: baseline, tolerances } : null, resume: prior },
    );
    if (record.status === 'failed' && error) printError(error, opts.logLevel);
    return exitCode({ record, error, interrupted: controller.signal.reason });
  } finally {
    await disconnect(c, log);
  }
}

/**
 * --resume: the interrupted run's record (its run.json is the run's state), checked against the
 * matrix; null when there is nothing to resume (no --resume, or --resume=auto on a new run id).
 */
async function priorRun(plan: RunPlan, opts: CliOptions, runId: string): Promise<RunRecord | null> {
  if (opts.resume === 'no') return null;
  const dir = join(opts.out, runId);
  const runJson = join(dir, 'run.json');
  const { loadRun } = await import('./adapters/report/load-run.js');
  const { resumeDecision } = await import('./core/resume-policy.js');
  const found = existsSync(runJson) ? (await loadRun(dir)).run : null;
  return resumeDecision(opts.resume, found, plan, { runJson, dir, runId });
}

/**
 * --baseline latest: in a cluster, the newest completed run summary (ConfigMap) of this matrix;
 * otherwise (or when the cluster has none) the newest completed run of it in the results folder.
 */
async function latestBaseline(plan: RunPlan, runId: string, opts: CliOptions, cluster: Cluster | null, log: Logger): Promise<RunRecord | null> {
  const { findLatestRun, loadRun } = await import('./adapters/report/load-run.js');
  if (cluster) {
    const { baselineFromSummary } = await import('./core/resume-policy.js');
    const { summaryLabels } = await import('./core/run-summary.js');
    const found = baselineFromSummary(await cluster.latestConfigMapData({ ...summaryLabels(plan.name), 'locust-driver/status': 'completed' }, 'run.json'));
    if (found === 'invalid') log.warn('--baseline latest: the newest run summary ConfigMap is not a valid run.json; looking in the results folder');
    else if (found !== null) return found;
  }
  const dir = await findLatestRun(opts.out, plan.name, runId);
  if (dir === null) {
    log.warn(`--baseline latest: no earlier completed run of "${plan.name}" ${cluster ? 'in the cluster or ' : ''}in ${opts.out}; nothing to compare with`);
    return null;
  }
  return (await loadRun(dir)).run;
}

/** compare <run-a> <run-b>: run-b against run-a; exit 1 on regression. */
async function compareCommand(opts: CliOptions): Promise<number> {
  const [a, b] = opts.runs;
  if (a === undefined || b === undefined) throw new ConfigError('compare needs two runs: locust-driver compare <run-a> <run-b>');
  const tolerances = parseTolerances(opts.tolerances);
  const { loadRun } = await import('./adapters/report/load-run.js');
  const { comparisonMarkdown } = await import('./adapters/report/summary-md.js');
  const baseline = (await loadRun(a)).run;
  const current = (await loadRun(b)).run;
  const comparison = compareRuns(baseline, current, tolerances);
  process.stdout.write(comparisonMarkdown(comparison, current, baseline));
  return exitCode({ record: { status: 'completed', verdict: comparison.regression ? 'fail' : 'pass' } });
}

/** report <run-dir>: the human reports again from run.json, each file replaced atomically. */
async function reportCommand(opts: CliOptions): Promise<number> {
  const [target] = opts.runs;
  if (target === undefined) throw new ConfigError('report needs a run folder: locust-driver report <run-dir>');
  const { loadRun } = await import('./adapters/report/load-run.js');
  const { humanReports } = await import('./adapters/report/human-reports.js');
  const { writeFileAtomic } = await import('./adapters/report/atomic.js');
  const { reportWriteError } = await import('./adapters/report/report-dir.js');
  const { run, dir } = await loadRun(target);
  for (const [name, content] of await humanReports(run)) {
    await writeFileAtomic(join(dir, name), content).catch((e: unknown) => {
      throw reportWriteError(dir, e, 'make the run folder writable (or free some space) and run report again');
    });
    process.stdout.write(`wrote ${join(dir, name)}\n`);
  }
  return EXIT.OK;
}

async function preflightCommand(cli: CliOptions, version: string): Promise<number> {
  const { plan, opts } = await loadMatrix(cli);
  const { createLogger, logEvents } = await import('./adapters/log/logger.js');
  const { runPreflight } = await import('./core/run/index.js');
  const { httpHealthProbe } = await import('./adapters/system/health.js');
  const log = createLogger(opts.logLevel, opts.logFormat);
  const controller = onSignals(log);
  let c: Connected | null = null;
  try {
    c = await connect(plan, opts, log, controller.signal);
    const done = await runPreflight(
      { lg: c.lg, clock: systemClock, sink: NO_REPORTS, emit: logEvents(log), signal: controller.signal, probe: httpHealthProbe, cluster: c.cluster },
      runOptions(plan, opts, c, 'preflight', version),
    );
    for (const line of done) process.stdout.write(`ok: ${line}\n`);
    return EXIT.OK;
  } finally {
    await disconnect(c, log);
  }
}

/** preflight writes no reports. */
const NO_REPORTS: ReportSink = {
  dir: '(none)',
  stageFinished: () => Promise.resolve(),
  runUpdated: () => Promise.resolve(),
  progress: () => Promise.resolve(),
};

async function main(): Promise<number> {
  const version = await driverVersion();
  let opts: CliOptions | null = null;
  try {
    const parsed = await parseCli(process.argv.slice(2), process.env, version);
    if (parsed instanceof CliOutput) {
      process.stdout.write(`${parsed.text}\n`);
      return EXIT.OK;
    }
    opts = parsed;
    if (opts.command === 'schema') {
      process.stdout.write(`${JSON.stringify(z.toJSONSchema(MatrixFileSchema, { io: 'input' }), null, 2)}\n`);
      return EXIT.OK;
    }
    if (opts.command === 'preflight') return await preflightCommand(opts, version);
    if (opts.command === 'compare') return await compareCommand(opts);
    if (opts.command === 'report') return await reportCommand(opts);
    if (opts.command === 'validate') {
      const { plan, opts: withFile } = await loadMatrix(opts);
      process.stdout.write(`${formatPlan(plan, withFile.master, withFile.localWorkers)}\n`);
      return EXIT.OK;
    }
    return await run(opts, version);
  } catch (e) {
    const error = e instanceof DriverError ? e : new InternalError(opts ? `locust-driver ${opts.command}` : 'reading the command line', e);
    printError(error, opts?.logLevel ?? 'info');
    return exitCode({ error });
  }
}

/** The error's lines on stderr; the stack of what caused it only when debugging (users get one line). */
function printError(e: DriverError, logLevel: CliOptions['logLevel']): void {
  for (const line of e.message.split('\n')) process.stderr.write(`locust-driver: ${line}\n`);
  const debugging = logLevel === 'debug' || logLevel === 'trace';
  if (debugging && e instanceof InternalError && e.cause instanceof Error && e.cause.stack) process.stderr.write(`${e.cause.stack}\n`);
}

process.exitCode = await main();
