// Command line: yargs builds the options (flags, then LOCUST_DRIVER_* variables); app.ts acts on them.
import yargs from 'yargs';
import { parseTolerances } from './core/compare.js';
import { ConfigError } from './core/errors.js';
import { RESERVED_METRIC_LABELS } from './core/matrix.js';
import { parseDuration } from './core/units.js';
import type { RunSettings } from './core/matrix.js';

export interface CliOptions {
  command: 'run' | 'validate' | 'schema' | 'preflight' | 'compare' | 'report';
  /** compare: [baseline, current]; report: [run folder]; else empty. */
  runs: string[];
  /** run: the baseline to compare with (a run folder, its run.json, or `latest`); null: none. */
  baseline: string | null;
  /** run / compare: `--tolerance` specs as given (`p95=10%`), validated; empty: the defaults. */
  tolerances: string[];
  matrix: string;
  master: string | null;
  out: string;
  runId: string | null;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'json' | 'pretty';
  localWorkers: number;
  locustBin: string | null;
  connectTimeoutMs: number | null;
  expectWorkers: number | null;
  serviceAccountRoot: string;
  /** run --resume: yes (continue --run-id, which must exist), auto (continue it if unfinished, else start it), no. */
  resume: 'yes' | 'auto' | 'no';
  /** run: remote-write endpoint (overrides metrics.remoteWrite.url); null: the matrix's, if any. */
  remoteWriteUrl: string | null;
  /** run: static labels from --metrics-label name=value (added to metrics.labels, winning). */
  metricsLabels: Record<string, string>;
  /** The settings given as a flag or a LOCUST_DRIVER_* variable: they win over the matrix's `run:` section. */
  given: ReadonlySet<MatrixSetting>;
}

/** The CliOptions a matrix's `run:` section may set (its keys, as the CliOptions fields they fill). */
export type MatrixSetting = 'out' | 'runId' | 'logLevel' | 'logFormat' | 'localWorkers' | 'locustBin' | 'baseline' | 'tolerances' | 'resume';
const SETTING_FLAGS: Record<MatrixSetting, string> = {
  out: 'out',
  runId: 'run-id',
  logLevel: 'log-level',
  logFormat: 'log-format',
  localWorkers: 'local-workers',
  locustBin: 'locust-bin',
  baseline: 'baseline',
  tolerances: 'tolerance',
  resume: 'resume',
};

const ENV_PREFIX = 'LOCUST_DRIVER_';
const NUMERIC_ENV = ['LOCAL_WORKERS', 'EXPECT_WORKERS'];
const KNOWN_ENV = [
  'MATRIX',
  'MASTER',
  'OUT',
  'RUN_ID',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'LOCAL_WORKERS',
  'LOCUST_BIN',
  'CONNECT_TIMEOUT',
  'EXPECT_WORKERS',
  'BASELINE',
  'TOLERANCE',
  'SERVICE_ACCOUNT_ROOT',
  'RESUME',
  'REMOTE_WRITE_URL',
  'METRICS_LABEL',
];
const COMMANDS = ['run', 'validate', 'preflight', 'schema', 'report', 'compare'] as const;

/** Thrown for --help and --version: the text is printed and the exit code is 0. */
export class CliOutput {
  constructor(readonly text: string) {}
}

/** --help and --version print and exit 0 whatever the environment holds, so they never read it. */
function asksForOutput(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h' || a === '--version');
}

export async function parseCli(argv: string[], processEnv: NodeJS.ProcessEnv, version: string): Promise<CliOptions | CliOutput> {
  const env = asksForOutput(argv) ? {} : processEnv;
  // yargs' strict mode would reject an unknown LOCUST_DRIVER_* variable with a confusing
  // "Unknown argument"; say which variable it is instead.
  for (const key of Object.keys(env)) {
    if (key.startsWith(ENV_PREFIX) && !KNOWN_ENV.includes(key.slice(ENV_PREFIX.length))) {
      throw new ConfigError(`environment variable ${key} is not a locust-driver setting (known: ${KNOWN_ENV.map((k) => ENV_PREFIX + k).join(', ')})`);
    }
  }
  // Variables mirror the flags (LOCUST_DRIVER_RUN_ID → --run-id); flags win. Mapped here rather than
  // with yargs' .env(), which reads process.env behind the caller's back.
  const fromEnv: Record<string, string | number> = {};
  for (const key of KNOWN_ENV) {
    const value = env[ENV_PREFIX + key];
    if (value === undefined || value === '') continue;
    const flag = key.toLowerCase().replace(/_/g, '-');
    fromEnv[flag] = NUMERIC_ENV.includes(key) ? Number(value) : value;
  }
  let output: string | null = null;
  const y = yargs(argv)
    .scriptName('locust-driver')
    .usage(
      '$0 <command> [options]\n\nRuns a load-test matrix against a distributed Locust master and writes reports.\nEvery flag can also be set as LOCUST_DRIVER_<FLAG> (e.g. LOCUST_DRIVER_MASTER); flags win.',
    )
    .config(fromEnv)
    .command('run', 'wait for the master and workers, run every stage, write the reports (the main job)')
    .command('validate', 'check a matrix file and print the expanded stage plan and its expected duration; touches nothing')
    .command('preflight', 'only the checks run makes first: Kubernetes permissions and objects, the master, its workers, the target')
    .command('schema', 'print the JSON Schema of the matrix file (for editors)')
    .command('report <run-dir>', "rebuild a run's summary.md, summary.csv, junit.xml (and report.html) from its run.json")
    .command(
      'compare <run-a> <run-b>',
      'stage-by-stage differences of run-b against run-a (folders or run.json files) and a regression verdict; exit 1 on regression',
    )
    .option('matrix', { type: 'string', default: 'matrix.yaml', describe: 'the matrix file (YAML)' })
    .option('master', { type: 'string', describe: 'Locust master web URL (overrides locust.url); absent everywhere → embedded local stack' })
    .option('out', { type: 'string', default: './results', describe: 'folder for the reports; each run writes <out>/<run-id>/' })
    .option('run-id', { type: 'string', describe: "name of this run's report folder (default: <matrix name>-<UTC time>)" })
    .option('log-level', { choices: ['trace', 'debug', 'info', 'warn', 'error'] as const, default: 'info' as const })
    .option('log-format', {
      choices: ['json', 'pretty'] as const,
      describe:
        'pretty (default): one line per event for people, colours only on a terminal, the summary at the end; json: one JSON object per line, for log pipelines',
    })
    .option('local-workers', { type: 'number', default: 2, describe: 'workers of the embedded local stack' })
    .option('locust-bin', {
      type: 'string',
      describe: 'the locust executable for the embedded stack (default: the pinned one in .venv/, installed on first use)',
    })
    .option('connect-timeout', { type: 'string', describe: 'how long to wait for the master and its workers (overrides locust.connectTimeout), e.g. 60s' })
    .option('expect-workers', { type: 'number', describe: 'wait until this many workers are connected (overrides locust.expectWorkers)' })
    .option('baseline', {
      type: 'string',
      describe:
        'run: compare with this earlier run at the end (a run folder, its run.json, or latest: the newest completed run of the same matrix, from its run summary ConfigMap in a cluster, else in --out); exit 1 on regression',
    })
    .option('tolerance', {
      type: 'string',
      describe:
        'run --baseline / compare: allowed change of a metric, repeatable, e.g. --tolerance p95=10% --tolerance rps=-5% (default p95=10% p99=15% rps=-5% failRatio=1%)',
    })
    .option('resume', {
      type: 'string',
      describe:
        'run: continue the interrupted run --run-id at its first unfinished stage (finished stages are kept, never run again); --resume=auto continues it when it exists unfinished, else starts it (for Job pods that restart)',
    })
    .option('remote-write-url', {
      type: 'string',
      describe:
        "run: send samples and stage results to this Prometheus remote-write endpoint (overrides metrics.remoteWrite.url), e.g. http://prometheus:9090/api/v1/write; credentials only via the matrix's *Env settings",
    })
    .option('metrics-label', {
      type: 'string',
      describe: 'run: a static label on every series, repeatable, e.g. --metrics-label env=staging (LOCUST_DRIVER_METRICS_LABEL: comma-separated)',
    })
    .option('service-account-root', {
      type: 'string',
      default: '',
      hidden: true,
      describe: 'prefix of /var/run/secrets/kubernetes.io/serviceaccount (tests lay one out elsewhere)',
    })
    .demandCommand(1, 'name a command: run, validate, preflight, schema, report or compare')
    .recommendCommands()
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg: string | undefined, err: Error | undefined) => {
      throw new ConfigError(`${msg ?? err?.message ?? 'invalid command line'} (see locust-driver --help)`);
    });
  const args = await y.parseAsync(argv, {}, (_err, _argv, out) => {
    if (out) output = out;
  });
  if (output !== null) return new CliOutput(output);
  const command = COMMANDS.find((c) => c === String(args._[0]));
  if (command === undefined) {
    throw new ConfigError(`unknown command "${String(args._[0])}": use ${COMMANDS.join(', ')} (see locust-driver --help)`);
  }
  if (args._.length > 1) throw new ConfigError(`unexpected argument "${String(args._[1])}" (see locust-driver --help)`);
  let connectTimeoutMs: number | null = null;
  if (args.connectTimeout !== undefined) {
    connectTimeoutMs = parseDuration(args.connectTimeout);
    if (connectTimeoutMs === null || connectTimeoutMs <= 0)
      throw new ConfigError(`--connect-timeout "${args.connectTimeout}" is not a duration: use e.g. 30s or 2m`);
  }
  const localWorkers = args.localWorkers;
  if (!Number.isInteger(localWorkers) || localWorkers < 1 || localWorkers > 64)
    throw new ConfigError(`--local-workers must be a whole number from 1 to 64, not ${localWorkers}`);
  const expectWorkers = args.expectWorkers ?? null;
  if (expectWorkers !== null && (!Number.isInteger(expectWorkers) || expectWorkers < 1))
    throw new ConfigError(`--expect-workers must be a whole number of at least 1, not ${expectWorkers}`);
  if (args.master !== undefined) {
    let ok: boolean;
    try {
      ok = /^https?:$/.test(new URL(args.master).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError(`--master "${args.master.replace(/\/\/[^/@]*@/, '//')}" is not an http(s) URL: use e.g. http://locust-master:8089`);
  }
  const runs = command === 'compare' ? [String(args['run-a']), String(args['run-b'])] : command === 'report' ? [String(args['run-dir'])] : [];
  const baseline = args.baseline ?? null;
  if (baseline !== null && baseline.trim() === '') throw new ConfigError('--baseline needs a run folder, a run.json or latest');
  // Repeated flags arrive as an array, a single one (or LOCUST_DRIVER_TOLERANCE) as a string.
  const rawTolerance: unknown = args.tolerance;
  const tolerances = (Array.isArray(rawTolerance) ? rawTolerance : rawTolerance === undefined ? [] : [rawTolerance]).map(String);
  parseTolerances(tolerances); // a bad tolerance is a usage error now, not after the run
  const resume = parseResume(args.resume);
  const remoteWriteUrl = args.remoteWriteUrl ?? null;
  if (remoteWriteUrl !== null) checkRemoteWriteUrl(remoteWriteUrl);
  const metricsLabels = parseMetricsLabels(args.metricsLabel);
  const flagsGiven = new Set([...flagsIn(argv), ...Object.keys(fromEnv)]);
  const given = new Set((Object.keys(SETTING_FLAGS) as MatrixSetting[]).filter((k) => flagsGiven.has(SETTING_FLAGS[k])));
  return {
    resume,
    command,
    runs,
    baseline,
    tolerances,
    matrix: args.matrix,
    master: args.master ?? null,
    out: args.out,
    runId: args.runId ?? null,
    logLevel: args.logLevel,
    // People read a Job's log too (kubectl logs -f): pretty unless a pipeline asks for JSON.
    logFormat: args.logFormat ?? 'pretty',
    localWorkers,
    locustBin: args.locustBin ?? null,
    connectTimeoutMs,
    expectWorkers,
    serviceAccountRoot: args.serviceAccountRoot,
    remoteWriteUrl,
    metricsLabels,
    given,
  };
}

function checkRemoteWriteUrl(url: string): void {
  let parsed: URL | null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol))
    throw new ConfigError(`--remote-write-url "${url.replace(/\/\/[^/@]*@/, '//')}" is not an http(s) URL: use e.g. http://prometheus:9090/api/v1/write`);
  // It is recorded in run.json: a password in it would end up there (and in logs).
  if (parsed.username || parsed.password)
    throw new ConfigError(
      '--remote-write-url: no user or password in the URL; name the environment variable in metrics.remoteWrite.basicAuth.passwordEnv or bearerTokenEnv',
    );
}

/** --metrics-label a=b (repeatable) or LOCUST_DRIVER_METRICS_LABEL=a=b,c=d. */
function parseMetricsLabels(raw: unknown): Record<string, string> {
  const specs = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => String(v).split(',')).filter((v) => v.trim() !== '');
  const labels: Record<string, string> = {};
  for (const spec of specs) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(spec);
    if (!m || m[1] === undefined || m[1].startsWith('__') || (RESERVED_METRIC_LABELS as readonly string[]).includes(m[1])) {
      throw new ConfigError(`--metrics-label "${spec}": use name=value with a Prometheus label name other than ${RESERVED_METRIC_LABELS.join(', ')}`);
    }
    labels[m[1]] = (m[2] ?? '').trim();
  }
  return labels;
}

/** The long flags on the command line (`--run-id x`, `--run-id=x`, `--runId`), in kebab case. */
function flagsIn(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end))
    .filter((a) => a.startsWith('--'))
    .map((a) => a.slice(2).split('=')[0] as string)
    .map((f) => f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^no-/, ''));
}

/**
 * The options with the matrix's `run:` section filled in where no flag or variable set them
 * (flags and LOCUST_DRIVER_* win over the file, the file over the defaults), then the checks that
 * span settings. Pure.
 */
export function withMatrixSettings(opts: CliOptions, settings: RunSettings | undefined, file: string): CliOptions {
  const s = settings ?? {};
  const take = <K extends MatrixSetting>(k: K, v: CliOptions[K] | undefined): CliOptions[K] => (opts.given.has(k) || v === undefined ? opts[k] : v);
  const tolerances = take('tolerances', s.tolerance);
  if (!opts.given.has('tolerances') && s.tolerance) {
    try {
      parseTolerances(s.tolerance);
    } catch (e) {
      throw new ConfigError(`${file} run.tolerance: ${(e as Error).message}`);
    }
  }
  const merged: CliOptions = {
    ...opts,
    out: take('out', s.out),
    runId: take('runId', s.runId),
    logLevel: take('logLevel', s.logLevel),
    logFormat: take('logFormat', s.logFormat),
    localWorkers: take('localWorkers', s.localWorkers),
    locustBin: take('locustBin', s.locustBin),
    baseline: take('baseline', s.baseline),
    tolerances,
    resume: take('resume', s.resume),
  };
  if (merged.command === 'run' && merged.resume !== 'no' && (merged.runId ?? '') === '') {
    throw new ConfigError(`--resume needs --run-id <id> (or run.runId in ${file}): the run folder in --out to continue`);
  }
  return merged;
}

/** `--resume` alone (or yes/true) → yes; `--resume=auto` → auto; absent, no or false → no. */
function parseResume(value: string | undefined): CliOptions['resume'] {
  if (value === undefined) return 'no';
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'yes' || v === 'true') return 'yes';
  if (v === 'auto') return 'auto';
  if (v === 'no' || v === 'false') return 'no';
  throw new ConfigError(`--resume "${value}": use --resume (continue the run --run-id) or --resume=auto (continue it if it exists unfinished, else start it)`);
}
