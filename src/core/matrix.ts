// The matrix file, version 1: its zod schema (published as JSON Schema) and how a YAML text
// becomes a validated object, with every problem reported as file:line:col, YAML path and fix.
import * as z from 'zod';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from './errors.js';
import { parseDuration, parsePercent } from './units.js';

const MAX_DURATION_MS = 24 * 3_600_000;
/** The matrix: product may expand to at most this many stages. */
export const MAX_STAGES = 1_000;

const DURATION_HINT = 'a duration with a unit, e.g. 500ms, 90s, 2m, 1h30m';

const Duration = z
  .string({ error: (iss) => (iss.input === undefined ? 'required' : `expected ${DURATION_HINT}`) })
  .regex(/^(?:\d+(?:\.\d+)?h)?(?:\d+(?:\.\d+)?m)?(?:\d+(?:\.\d+)?s)?(?:\d+ms)?$/, { error: `expected ${DURATION_HINT}` })
  .refine((s) => parseDuration(s) !== null, { error: `expected ${DURATION_HINT}` })
  .transform((s) => parseDuration(s) as number)
  // Node's timers cannot wait longer than 24.8 days; no stage setting needs more than a day.
  .refine((ms) => ms <= MAX_DURATION_MS, { error: 'at most 24h' })
  .meta({ description: DURATION_HINT });

const PositiveDuration = Duration.refine((ms) => ms > 0, { error: 'must be longer than 0s' });

const Users = z.int({ error: 'expected a whole number of users, e.g. 200' }).min(1, { error: 'at least 1 user' }).max(1_000_000);
const SpawnRate = z.number({ error: 'expected users per second, e.g. 20' }).positive({ error: 'must be more than 0 users/s' }).max(100_000);
const Name = z.string().trim().min(1, { error: 'a name may not be empty' }).max(120);

const K8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'expected a Kubernetes object name: lower-case letters, digits and -' })
  .max(63);
const Replicas = z.int({ error: 'expected a whole number of replicas, e.g. 4' }).min(0).max(10_000);
const Workers = z.int({ error: 'expected a whole number of Locust workers, e.g. 4' }).min(1).max(10_000);

export const HpaSchema = z
  .strictObject({
    min: z.int().min(1, { error: 'an HPA needs at least 1 replica' }).max(10_000),
    max: z.int().min(1).max(10_000),
    cpuPercent: z.int().min(1).max(1_000).meta({ description: 'target average CPU utilisation, percent of requests' }),
  })
  .refine((h) => h.max >= h.min, { error: 'max must be at least min', path: ['max'] })
  .meta({ description: "create or patch the target's HPA (autoscaling/v2) for this stage" });

const Ratio = z
  .union([z.string(), z.number()], { error: 'expected a percentage like 1% or a ratio like 0.01' })
  .refine((v) => parsePercent(v) !== null, { error: 'expected a percentage like 1% or a ratio like 0.01 (at most 100%)' })
  .transform((v) => parsePercent(v) as number);

const SloThresholds = {
  p50: PositiveDuration.optional().meta({ description: 'highest allowed median latency over the window' }),
  p90: PositiveDuration.optional(),
  p95: PositiveDuration.optional(),
  p99: PositiveDuration.optional(),
  avg: PositiveDuration.optional(),
  max: PositiveDuration.optional(),
  failRatio: Ratio.optional().meta({ description: 'highest allowed failures / requests, e.g. 1%' }),
  minRps: z.number().nonnegative().optional().meta({ description: 'lowest allowed requests/s over the window' }),
};

export const StageSloSchema = z.strictObject(SloThresholds).meta({ description: 'thresholds for this stage; override the top-level slo: key by key' });

export const SloSchema = z
  .strictObject({
    ...SloThresholds,
    onBreach: z
      .enum(['continue', 'stop'])
      .optional()
      .meta({ description: 'continue (default): run every stage; stop: skip the remaining stages after a breach' }),
  })
  .meta({ description: "service-level objectives: every threshold must hold in every stage, judged on the master's aggregated numbers for the window" });

export const CapacitySchema = z
  .strictObject({
    users: z.strictObject({ start: Users, max: Users }).refine((u) => u.max >= u.start, { error: 'max must be at least start', path: ['max'] }),
    factor: z
      .number()
      .min(1.1, { error: 'grow by at least 1.1× per probe' })
      .max(10)
      .optional()
      .meta({ description: 'growth per probe until the first breach (default 2)' }),
    precision: z.int().min(1).optional().meta({ description: 'bisect until the answer is known within this many users (default 10)' }),
  })
  .meta({ description: 'find the largest user count that meets the SLO: grow geometrically until the first breach, then bisect' });

const StageTiming = {
  spawnRate: SpawnRate.optional().meta({ description: 'users started per second (over all workers)' }),
  duration: PositiveDuration.optional().meta({ description: 'measured window, after the ramp-up' }),
  cooldown: Duration.optional().meta({ description: 'pause after the stage (the final stats read overlaps it)' }),
  sampleEvery: Duration.refine((ms) => ms >= 500, { error: 'at least 500ms (Locust caches its stats for 2s)' })
    .optional()
    .meta({ description: 'how often the live stats are sampled and a progress line is logged' }),
  rampTimeout: PositiveDuration.optional().meta({ description: 'how long the ramp-up may take before the stage fails' }),
  scaleTimeout: PositiveDuration.optional().meta({ description: 'how long scaling (replicas, HPA, workers) may take before the stage fails' }),
};

export const DefaultsSchema = z.strictObject(StageTiming);

export const StageSchema = z
  .strictObject({
    name: Name.optional(),
    users: Users,
    replicas: Replicas.optional().meta({ description: 'target replicas for this stage (an HPA, if any, is pinned min=max)' }),
    hpa: HpaSchema.optional(),
    workers: Workers.optional().meta({ description: 'Locust worker replicas for this stage' }),
    slo: StageSloSchema.optional(),
    repeat: z
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'run this stage N times in a row, each a real stage; the results give every metric as mean and 95 % interval over the repeats' }),
    ...StageTiming,
  })
  .refine((s) => s.replicas === undefined || s.hpa === undefined, { error: 'give replicas or hpa, not both', path: ['hpa'] });

export const MatrixAxesSchema = z.strictObject({
  replicas: z.array(Replicas).min(1).optional(),
  workers: z.array(Workers).min(1).optional(),
  users: z.array(Users).min(1, { error: 'list at least one user count' }),
  spawnRate: z.array(SpawnRate).min(1).optional(),
  duration: z.array(PositiveDuration).min(1).optional(),
});

export const LocustSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'expected the master web UI URL, e.g. http://locust-master:8089' })
    .refine((u) => !/^[a-z]+:\/\/[^/@]*@/i.test(u), { error: 'no user or password in the URL (it would end up in run.json): use locust.auth with passwordEnv' })
    .optional()
    .meta({ description: 'the Locust master web UI/API; omit to start the embedded local stack' }),
  expectWorkers: z.int().min(1).optional().meta({ description: 'wait (bounded) until at least this many workers are connected' }),
  connectTimeout: PositiveDuration.optional().meta({ description: 'how long to wait for the master and its workers before giving up (exit 3)' }),
  requestTimeout: PositiveDuration.optional().meta({ description: 'deadline for one API call (GET /stop gets more)' }),
  auth: z
    .strictObject({
      username: z.string().min(1),
      passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the NAME of an environment variable holding the password' }),
    })
    .optional()
    .meta({ description: 'HTTP Basic auth; the password is read from the environment, never from the file' }),
});

export const TargetSchema = z.strictObject({
  host: z.url({ protocol: /^https?$/, error: 'expected the system under test, e.g. http://inference:8000' }).optional(),
  healthPath: z.string().regex(/^\//, { error: 'expected a path starting with /, e.g. /healthz' }).optional(),
});

export const KubernetesSchema = z
  .strictObject({
    namespace: K8sName.optional().meta({ description: "default: the pod's own namespace in a cluster, else the kubeconfig context's" }),
    target: z
      .strictObject({
        deployment: K8sName,
        hpa: K8sName.optional().meta({ description: "the target's HPA (default: the deployment's name); used when present" }),
      })
      .optional(),
    workers: z.strictObject({ deployment: K8sName }).optional(),
    restore: z.boolean().optional().meta({ description: 'put replicas and the HPA back when the run ends (default true)' }),
    lease: K8sName.optional().meta({ description: 'name of the Lease that keeps a second driver off this master (default locust-driver)' }),
    keepSummaries: z.int().min(0).max(1_000).optional().meta({ description: 'run-summary ConfigMaps of this matrix to keep (default 20; 0 saves none)' }),
  })
  .meta({ description: 'scale the target and the Locust workers per stage; no cluster calls without it' });

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the NAME of an environment variable holding the secret' });
const LabelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a Prometheus label name: letters, digits and _, not starting with a digit' });
/** Labels the driver sets itself; a static label may not shadow them. */
export const RESERVED_METRIC_LABELS = [
  'run_id',
  'matrix',
  'stage',
  'stage_index',
  'users',
  'replicas',
  'workers',
  'quantile',
  'metric',
  'status',
  'verdict',
] as const;

export const MetricsSchema = z
  .strictObject({
    remoteWrite: z
      .strictObject({
        url: z
          .url({ protocol: /^https?$/, error: 'expected the remote-write endpoint, e.g. http://prometheus:9090/api/v1/write' })
          .refine((u) => !/^[a-z]+:\/\/[^/@]*@/i.test(u), {
            error: 'no user or password in the URL (it would end up in run.json): use basicAuth with passwordEnv or bearerTokenEnv',
          }),
        basicAuth: z
          .strictObject({ username: z.string().min(1), passwordEnv: EnvName })
          .optional()
          .meta({ description: 'HTTP Basic auth; the password is read from the environment' }),
        bearerTokenEnv: EnvName.optional().meta({ description: 'the environment variable holding a bearer token (Authorization: Bearer …)' }),
        timeout: PositiveDuration.optional().meta({ description: 'deadline for one send (default 5s)' }),
        retries: z
          .int()
          .min(0)
          .max(10)
          .optional()
          .meta({ description: 'how often a failed send is tried again, with backoff, before its samples are dropped (default 3)' }),
        maxQueued: z
          .int()
          .min(10)
          .max(1_000_000)
          .optional()
          .meta({ description: 'the bound of the send buffer, in samples; beyond it the oldest are dropped and counted (default 20000)' }),
        flushTimeout: Duration.optional().meta({ description: 'how long the run waits at its end for the buffer to drain (default 10s)' }),
      })
      .refine((r) => !(r.basicAuth && r.bearerTokenEnv), { error: 'use basicAuth or bearerTokenEnv, not both' })
      .optional()
      .meta({ description: 'send samples and stage results as Prometheus remote-write 1.0 (protobuf + snappy) during the run' }),
    labels: z
      .record(LabelName, z.string().max(200))
      .refine((l) => Object.keys(l).every((k) => !(RESERVED_METRIC_LABELS as readonly string[]).includes(k) && !k.startsWith('__')), {
        error: `a static label may not be named ${RESERVED_METRIC_LABELS.join(', ')} or start with __`,
      })
      .optional()
      .meta({ description: 'static labels added to every series (remote write and metrics.prom), e.g. {team: ml, env: staging}' }),
  })
  .meta({ description: 'results in Prometheus: remote write during the run (optional) and static labels; see docs/configuration.md' });

export const RetrySchema = z
  .strictObject({
    attempts: z
      .int()
      .min(0)
      .max(10)
      .optional()
      .meta({ description: 'how many more times a stage interrupted by a master or worker fault is run (default 2; 0: never)' }),
    masterTimeout: PositiveDuration.optional().meta({
      description: 'how long to wait for the master and its expected workers to come back after a fault (default 2m)',
    }),
    onWorkerLoss: z
      .enum(['invalid', 'retry'])
      .optional()
      .meta({ description: 'workers dropping below the expected count mid-stage: invalid (default) marks the stage invalid, retry runs it again' }),
  })
  .meta({ description: 'what happens when the master goes away or workers drop out in the middle of a stage' });

/** Every `run` flag, settable in the file too; a flag or a LOCUST_DRIVER_* variable wins over it. */
export const RunSettingsSchema = z
  .strictObject({
    out: z.string().min(1).optional().meta({ description: 'folder for the reports (--out; default ./results)' }),
    runId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/, { error: 'letters, digits, dot, dash and underscore only' })
      .optional()
      .meta({ description: "name of the run's report folder (--run-id)" }),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).optional().meta({ description: '--log-level (default info)' }),
    logFormat: z.enum(['json', 'pretty']).optional().meta({ description: '--log-format (default pretty: one line per event, colours only on a terminal)' }),
    localWorkers: z.int().min(1).max(64).optional().meta({ description: 'workers of the embedded local stack (--local-workers; default 2)' }),
    locustBin: z.string().min(1).optional().meta({ description: 'the locust executable for the embedded stack (--locust-bin)' }),
    baseline: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'compare with this earlier run at the end: a run folder, its run.json, or latest (--baseline)' }),
    tolerance: z.array(z.string().min(1)).optional().meta({ description: 'allowed change per metric, e.g. [p95=10%, rps=-5%] (--tolerance)' }),
    resume: z
      .enum(['yes', 'auto', 'no'])
      .optional()
      .meta({ description: '--resume: yes, auto (continue the run if it exists unfinished, else start it) or no' }),
  })
  .meta({
    description:
      "the run command's settings (every run flag; --master, --expect-workers and --connect-timeout are under locust:); flags and LOCUST_DRIVER_* variables win",
  });

export const MatrixFileSchema = z
  .strictObject({
    version: z.literal(1, { error: 'expected version: 1' }),
    name: Name.regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, { error: 'letters, digits, spaces, dot, dash and underscore only' }),
    locust: LocustSchema.optional(),
    target: TargetSchema.optional(),
    kubernetes: KubernetesSchema.optional(),
    transition: z.enum(['restart', 'continue']).optional().meta({
      description:
        'between stages: restart (default) stops the users and starts the next stage afresh; continue re-targets the running swarm (only users and spawn rate may change) and resets the stats after the new ramp',
    }),
    retry: RetrySchema.optional(),
    metrics: MetricsSchema.optional(),
    defaults: DefaultsSchema.optional(),
    slo: SloSchema.optional(),
    capacity: CapacitySchema.optional(),
    matrix: MatrixAxesSchema.optional(),
    stages: z.array(StageSchema).min(1, { error: 'list at least one stage' }).optional(),
    repeat: z.int().min(1).max(100).optional().meta({ description: 'run the whole list (stages: or matrix:) N times, round after round; not with capacity:' }),
    run: RunSettingsSchema.optional(),
  })
  .meta({
    title: 'locust-driver matrix file',
    description: 'Stages to run, one after another, against a distributed Locust master. See docs/configuration.md.',
  });

export type MatrixFile = z.output<typeof MatrixFileSchema>;
export type RunSettings = z.output<typeof RunSettingsSchema>;

const KEYS_AT: Record<string, readonly string[]> = {
  '': Object.keys(MatrixFileSchema.shape),
  locust: Object.keys(LocustSchema.shape),
  'locust.auth': ['username', 'passwordEnv'],
  target: Object.keys(TargetSchema.shape),
  kubernetes: Object.keys(KubernetesSchema.shape),
  'kubernetes.target': ['deployment', 'hpa'],
  'kubernetes.workers': ['deployment'],
  'stages.*.hpa': ['min', 'max', 'cpuPercent'],
  slo: Object.keys(SloSchema.shape),
  'stages.*.slo': Object.keys(StageSloSchema.shape),
  capacity: Object.keys(CapacitySchema.shape),
  retry: Object.keys(RetrySchema.shape),
  metrics: Object.keys(MetricsSchema.shape),
  'metrics.remoteWrite': ['url', 'basicAuth', 'bearerTokenEnv', 'timeout', 'retries', 'maxQueued', 'flushTimeout'],
  'metrics.remoteWrite.basicAuth': ['username', 'passwordEnv'],
  run: Object.keys(RunSettingsSchema.shape),
  'capacity.users': ['start', 'max'],
  defaults: Object.keys(DefaultsSchema.shape),
  matrix: Object.keys(MatrixAxesSchema.shape),
  'stages.*': Object.keys(StageSchema.shape),
};

export interface MatrixLocation {
  file: string;
  path: string; // e.g. stages[1].duration
  line: number | null;
  col: number | null;
}

export interface MatrixIssue extends MatrixLocation {
  message: string;
}

export function formatIssue(i: MatrixIssue): string {
  const where = i.line === null ? i.file : `${i.file}:${i.line}:${i.col}`;
  return `${where} ${i.path || '(top level)'}: ${i.message}`;
}

export class MatrixError extends ConfigError {
  readonly issues: MatrixIssue[];
  constructor(issues: MatrixIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

export interface ParsedMatrix {
  file: MatrixFile;
  /** The `matrix:` axes in the order they were written: the cartesian product nests in this order. */
  axisOrder: ('replicas' | 'workers' | 'users' | 'spawnRate' | 'duration')[];
}

/** Parses and validates a matrix file's text. Throws MatrixError listing every problem. */
export function parseMatrix(text: string, fileName: string): ParsedMatrix {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw new MatrixError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file: fileName, path: '', line: pos?.line ?? null, col: pos?.col ?? null, message: `YAML syntax: ${firstLine(e.message)}` };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    // An alias bomb or an alias to no anchor: the YAML library refuses; say so as a matrix error.
    throw new MatrixError([
      {
        file: fileName,
        path: '',
        line: 1,
        col: 1,
        message: `YAML aliases: ${firstLine((e as Error).message)} — write the values out instead of using anchors`,
      },
    ]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new MatrixError([{ file: fileName, path: '', line: 1, col: 1, message: 'expected a mapping with version: 1, name, and matrix: or stages:' }]);
  }
  const result = MatrixFileSchema.safeParse(raw);
  const issues: MatrixIssue[] = [];
  if (!result.success) {
    for (const iss of result.error.issues) issues.push(...toIssues(iss, raw, doc, lineCounter, fileName));
  } else {
    const f = result.data;
    if ([f.matrix, f.stages, f.capacity].filter((x) => x !== undefined).length !== 1) {
      issues.push({
        ...locate(doc, lineCounter, fileName, []),
        message: 'give exactly one of matrix: (a cartesian product), stages: (an explicit list) or capacity: (a search)',
      });
    }
    if (f.matrix) {
      const m = f.matrix;
      const count = [m.replicas, m.workers, m.users, m.spawnRate, m.duration].reduce((n, axis) => n * (axis?.length ?? 1), 1);
      if (count > MAX_STAGES)
        issues.push({
          ...locate(doc, lineCounter, fileName, ['matrix']),
          message: `the product of the axes is ${count} stages, more than ${MAX_STAGES}: split the matrix into several files`,
        });
    }
    if (f.stages && f.stages.length > MAX_STAGES)
      issues.push({
        ...locate(doc, lineCounter, fileName, ['stages']),
        message: `${f.stages.length} stages, more than ${MAX_STAGES}: split the matrix into several files`,
      });
    if (f.capacity && !f.slo) {
      issues.push({ ...locate(doc, lineCounter, fileName, ['capacity']), message: 'a capacity search needs an slo: to judge each probe by' });
    }
  }
  if (issues.length > 0 || !result.success) throw new MatrixError(issues);
  const matrixNode = (raw as { matrix?: unknown }).matrix;
  const axisOrder = matrixNode && typeof matrixNode === 'object' ? (Object.keys(matrixNode) as ParsedMatrix['axisOrder']) : [];
  return { file: result.data, axisOrder };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function toIssues(iss: z.core.$ZodIssue, raw: unknown, doc: Document, lc: LineCounter, file: string): MatrixIssue[] {
  const path = iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (iss.code === 'unrecognized_keys') {
    return iss.keys.map((key) => {
      const loc = locate(doc, lc, file, [...path, key], true);
      const allowed = KEYS_AT[pathPattern(path)] ?? [];
      const guess = closest(key, allowed);
      const hint = guess ? `did you mean "${guess}"? ` : '';
      return { ...loc, message: `unknown key "${key}" — ${hint}valid keys here: ${allowed.join(', ')}` };
    });
  }
  const loc = locate(doc, lc, file, path);
  let message = iss.message;
  if (valueAt(raw, path) === undefined) message = `required: ${describeRequired(path)}`;
  return [{ ...loc, message }];
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function describeRequired(path: (string | number)[]): string {
  const last = path[path.length - 1];
  const hints: Record<string, string> = {
    version: 'add version: 1',
    name: 'add name: <a short name for this matrix>',
    users: 'add users: <number of users>',
  };
  return (typeof last === 'string' && hints[last]) || `add ${String(last)}`;
}

function pathPattern(path: (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** Where a YAML path is in the file: the value's node, or (for keys) the key itself. */
function locate(doc: Document, lc: LineCounter, file: string, path: (string | number)[], pointAtKey = false): MatrixLocation {
  let offset: number | undefined;
  for (let depth = path.length; depth >= 0 && offset === undefined; depth--) {
    const sub = path.slice(0, depth);
    if (pointAtKey && depth === path.length) {
      const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === sub[sub.length - 1]);
        offset = (pair?.key as Node | undefined)?.range?.[0];
      }
      continue;
    }
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub, true)) as Node | undefined | null;
    if (node && (isMap(node) || isSeq(node) || 'range' in node)) offset = node.range?.[0];
  }
  const pos = offset === undefined ? null : lc.linePos(offset);
  return { file, path: formatPath(path), line: pos?.line ?? null, col: pos?.col ?? null };
}

/** The allowed key nearest to a typo (edit distance ≤ 2), if any. */
function closest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}
