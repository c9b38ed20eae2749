#!/usr/bin/env node
// Composition root: command line → matrix → adapters → run → exit code. The only place that knows
// the concrete adapters and maps errors to exit codes (product.md §6).
import { readFile } from 'node:fs/promises';
import { AbortedError, ConfigError, DriverError, InfraError } from './core/errors.js';
import { parseMatrix, MatrixFileSchema } from './core/matrix.js';
import { buildPlan, slugify } from './core/plan.js';
import type { RunPlan } from './core/model.js';
import { runMatrix } from './core/run.js';
import { parseCli, CliOutput, type CliOptions } from './cli.js';
import { createLocustClient, displayUrl } from './adapters/locust/client.js';
import { FsReportSink } from './adapters/report/fs-sink.js';
import { createLogger, logEvents } from './adapters/log/logger.js';
import { formatPlan } from './adapters/log/plan-text.js';
import { systemClock } from './adapters/system/clock.js';
import { httpHealthProbe } from './adapters/system/health.js';
import { startLocalStack, type LocalStack } from './adapters/local/stack.js';
import { summaryMarkdown } from './adapters/report/summary-md.js';
import * as z from 'zod';

/** The sample service of the embedded stack: ~80 predictions/s, so the quickstart shows a knee. */
const EMBEDDED_TARGET = { concurrency: 2, serviceMs: 25 };

async function driverVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function loadPlan(file: string): Promise<RunPlan> {
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
  return buildPlan(parseMatrix(text, file), file);
}

function defaultRunId(name: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${slugify(name) || 'run'}-${stamp}`;
}

async function run(opts: CliOptions, version: string): Promise<number> {
  const plan = await loadPlan(opts.matrix);
  const runId = opts.runId ?? defaultRunId(plan.name, new Date());
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(runId)) throw new ConfigError(`--run-id "${runId}": use letters, digits, dot, dash and underscore only`);
  const masterUrl = opts.master ?? plan.locust.url;
  let auth: { username: string; password: string } | null = null;
  if (plan.locust.auth) {
    const password = process.env[plan.locust.auth.passwordEnv];
    if (!password) throw new ConfigError(`${plan.source} locust.auth.passwordEnv: the environment variable ${plan.locust.auth.passwordEnv} is not set — export it with the Locust password`);
    auth = { username: plan.locust.auth.username, password };
  }
  const log = createLogger(opts.logLevel, opts.logFormat);
  const emit = logEvents(log);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting now`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    log.warn(`${sig}: stopping the load and writing the reports (send it again to exit at once)`);
    controller.abort(new AbortedError(sig));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  let stack: LocalStack | null = null;
  try {
    let host = plan.target.host;
    let healthUrl = plan.target.host && plan.target.healthPath ? new URL(plan.target.healthPath, plan.target.host).toString() : null;
    let baseUrl = masterUrl;
    if (!baseUrl) {
      log.info(`no Locust master configured: starting the embedded local stack (${opts.localWorkers} workers) on 127.0.0.1`);
      stack = await startLocalStack({ workers: opts.localWorkers, target: EMBEDDED_TARGET, ...(opts.locustBin ? { locustBin: opts.locustBin } : {}), log: (m) => log.info(m) });
      if (controller.signal.aborted) throw controller.signal.reason;
      baseUrl = stack.masterUrl;
      // The load goes to target.host when the matrix names one, else to the bundled sample service.
      host = plan.target.host ?? stack.targetUrl;
      healthUrl = new URL(plan.target.healthPath ?? '/healthz', host).toString();
      log.info(`embedded stack up: master ${stack.masterUrl}, target ${stack.targetUrl}, Locust ${stack.locustVersion ?? '?'}`);
    }
    const lg = createLocustClient({ baseUrl, auth, requestTimeoutMs: plan.locust.requestTimeoutMs });
    try {
      const sink = await FsReportSink.create(opts.out, runId);
      for (const line of formatPlan(plan, displayUrl(baseUrl), opts.localWorkers).split('\n')) log.debug(line);
      const record = await runMatrix(
        { lg, clock: systemClock, sink, emit, signal: controller.signal, probe: httpHealthProbe },
        {
          runId,
          plan,
          host,
          healthUrl,
          embedded: stack !== null,
          expectWorkers: opts.expectWorkers ?? (stack ? opts.localWorkers : plan.locust.expectWorkers),
          connectTimeoutMs: opts.connectTimeoutMs ?? plan.locust.connectTimeoutMs,
          driverVersion: version,
          nodeVersion: process.version,
        },
      );
      if (opts.logFormat === 'pretty' && record.stages.length > 0) process.stdout.write(`\n${summaryMarkdown(record)}\n`);
      if (record.status === 'aborted') return controller.signal.reason instanceof AbortedError ? controller.signal.reason.exitCode : 130;
      if (record.status === 'failed') {
        process.stderr.write(`locust-driver: ${record.error ?? 'the run failed'}\n`);
        return 3;
      }
      return 0;
    } finally {
      await lg.close();
    }
  } finally {
    if (stack) {
      log.info('stopping the embedded local stack');
      await stack.stop();
    }
  }
}

async function main(): Promise<number> {
  const version = await driverVersion();
  let opts: CliOptions;
  try {
    const parsed = await parseCli(process.argv.slice(2), process.env, version, process.stdout.isTTY === true);
    if (parsed instanceof CliOutput) {
      process.stdout.write(`${parsed.text}\n`);
      return 0;
    }
    opts = parsed;
    if (opts.command === 'schema') {
      process.stdout.write(`${JSON.stringify(z.toJSONSchema(MatrixFileSchema, { io: 'input' }), null, 2)}\n`);
      return 0;
    }
    if (opts.command === 'validate') {
      const plan = await loadPlan(opts.matrix);
      process.stdout.write(`${formatPlan(plan, opts.master, opts.localWorkers)}\n`);
      return 0;
    }
    return await run(opts, version);
  } catch (e) {
    return report(e);
  }
}

function report(e: unknown): number {
  if (e instanceof DriverError) {
    for (const line of e.message.split('\n')) process.stderr.write(`locust-driver: ${line}\n`);
    return e.exitCode;
  }
  const err = new InfraError(`unexpected error: ${(e as Error)?.stack ?? String(e)}`);
  process.stderr.write(`locust-driver: ${err.message}\n`);
  return 70;
}

process.exitCode = await main();
