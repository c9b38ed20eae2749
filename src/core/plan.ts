// A validated matrix file → the ordered stage plan, with defaults applied, and what it will cost in time.
import type { MetricsPlan, RunPlan, SloSpec, StagePlan } from './model.js';
import { MatrixError, type MatrixFile, type MatrixIssue, type ParsedMatrix } from './matrix.js';
import { formatDuration } from './units.js';
import { LIVE_READ_MIN_MS, LOCUST_TIMING, plannedRampMs, RAMP_MARGIN_MS } from './locust-timing.js';

export const DEFAULTS = {
  spawnRate: 20,
  durationMs: 120_000,
  cooldownMs: 15_000,
  sampleEveryMs: 2_000,
  rampTimeoutMs: 300_000,
  scaleTimeoutMs: 300_000,
  leaseName: 'locust-driver',
  keepSummaries: 20,
  expectWorkers: 1,
  connectTimeoutMs: 60_000,
  requestTimeoutMs: 15_000,
  retryAttempts: 2,
  masterTimeoutMs: 120_000,
  remoteWriteTimeoutMs: 5_000,
  remoteWriteRetries: 3,
  remoteWriteMaxQueued: 20_000,
  remoteWriteFlushTimeoutMs: 10_000,
} as const;

type SloInput = { p50?: number; p90?: number; p95?: number; p99?: number; avg?: number; max?: number; failRatio?: number; minRps?: number };

/** The stage's thresholds: the top-level slo: with the stage's own keys winning; null when none. */
function mergeSlo(top: SloInput | undefined, own: SloInput | undefined): SloSpec | null {
  if (!top && !own) return null;
  const pick = <K extends keyof SloInput>(k: K) => own?.[k] ?? top?.[k] ?? null;
  return {
    p50Ms: pick('p50'),
    p90Ms: pick('p90'),
    p95Ms: pick('p95'),
    p99Ms: pick('p99'),
    avgMs: pick('avg'),
    maxMs: pick('max'),
    failRatio: pick('failRatio'),
    minRps: pick('minRps'),
  };
}

export function buildPlan(parsed: ParsedMatrix, source: string): RunPlan {
  const f = parsed.file;
  const d = f.defaults ?? {};
  const base = {
    spawnRate: d.spawnRate ?? DEFAULTS.spawnRate,
    durationMs: d.duration ?? DEFAULTS.durationMs,
    cooldownMs: d.cooldown ?? DEFAULTS.cooldownMs,
    sampleEveryMs: d.sampleEvery ?? DEFAULTS.sampleEveryMs,
    rampTimeoutMs: d.rampTimeout ?? DEFAULTS.rampTimeoutMs,
    scaleTimeoutMs: d.scaleTimeout ?? DEFAULTS.scaleTimeoutMs,
  };
  type Spec = Omit<StagePlan, 'index' | 'name' | 'slug'> & { name: string | null; yamlPath: string; repeat?: number };
  let specs: Spec[] = [];
  if (f.stages) {
    f.stages.forEach((s, i) =>
      specs.push({
        name: s.name ?? null,
        users: s.users,
        spawnRate: s.spawnRate ?? base.spawnRate,
        durationMs: s.duration ?? base.durationMs,
        cooldownMs: s.cooldown ?? base.cooldownMs,
        sampleEveryMs: s.sampleEvery ?? base.sampleEveryMs,
        rampTimeoutMs: s.rampTimeout ?? base.rampTimeoutMs,
        scaleTimeoutMs: s.scaleTimeout ?? base.scaleTimeoutMs,
        replicas: s.replicas ?? null,
        hpa: s.hpa ?? null,
        workers: s.workers ?? null,
        slo: mergeSlo(f.slo, s.slo),
        yamlPath: `stages[${i}]`,
        repeat: s.repeat ?? 1,
      }),
    );
  } else if (f.matrix) {
    const axes = f.matrix;
    type Axis = 'replicas' | 'workers' | 'users' | 'spawnRate' | 'duration';
    const values: Partial<Record<Axis, number[]>> = {
      ...(axes.replicas ? { replicas: axes.replicas } : {}),
      ...(axes.workers ? { workers: axes.workers } : {}),
      users: axes.users,
      spawnRate: axes.spawnRate ?? [base.spawnRate],
      duration: axes.duration ?? [base.durationMs],
    };
    const order = parsed.axisOrder.filter((a) => a in values);
    for (const a of ['users', 'spawnRate', 'duration'] as const) if (!order.includes(a)) order.push(a);
    for (const combo of cartesian(order.map((a) => values[a] ?? []))) {
      const pick = Object.fromEntries(order.map((a, i) => [a, combo[i] as number])) as Record<Axis, number>;
      const named = order.filter((a) => axes[a] !== undefined && (axes[a]?.length ?? 0) > 0);
      specs.push({
        name: named.map((a) => `${a}=${a === 'duration' ? formatDuration(pick[a]) : pick[a]}`).join(' '),
        users: pick.users,
        replicas: pick.replicas ?? null,
        workers: pick.workers ?? null,
        hpa: null,
        scaleTimeoutMs: base.scaleTimeoutMs,
        slo: mergeSlo(f.slo, undefined),
        spawnRate: pick.spawnRate,
        durationMs: pick.duration,
        cooldownMs: base.cooldownMs,
        sampleEveryMs: base.sampleEveryMs,
        rampTimeoutMs: base.rampTimeoutMs,
        yamlPath: 'matrix',
      });
    }
  }
  specs = withRepeats(specs, f.repeat ?? 1);
  if (f.capacity) {
    // The first probe; the run plans the others from what each probe shows.
    specs.push({
      name: `probe users=${f.capacity.users.start}`,
      users: f.capacity.users.start,
      spawnRate: base.spawnRate,
      durationMs: base.durationMs,
      cooldownMs: base.cooldownMs,
      sampleEveryMs: base.sampleEveryMs,
      rampTimeoutMs: Math.max(base.rampTimeoutMs, plannedRampMs({ users: f.capacity.users.max, spawnRate: base.spawnRate }) + 10_000),
      scaleTimeoutMs: base.scaleTimeoutMs,
      replicas: null,
      hpa: null,
      workers: null,
      slo: mergeSlo(f.slo, undefined),
      yamlPath: 'capacity',
    });
  }
  const issues: MatrixIssue[] = [];
  if (f.capacity && f.repeat !== undefined) {
    issues.push({
      file: source,
      path: 'repeat',
      line: null,
      col: null,
      message: 'repeat: cannot repeat a capacity search (its probes depend on each other) — remove repeat or use stages:',
    });
  }
  const slugs = new Set<string>();
  const stages: StagePlan[] = specs.map((s, i) => {
    const index = i + 1;
    const name = s.name ?? `users=${s.users}`;
    const base = slugify(name) || `stage`;
    let slug = base;
    for (let k = index; slugs.has(slug); k++) slug = `${base}-${k}`;
    slugs.add(slug);
    const rampMs = plannedRampMs(s);
    if (s.rampTimeoutMs < rampMs + RAMP_MARGIN_MS.expected) {
      issues.push({
        file: source,
        path: `${s.yamlPath}.rampTimeout`,
        line: null,
        col: null,
        message: `stage ${index} needs about ${formatDuration(rampMs + RAMP_MARGIN_MS.expected)} to start ${s.users} users at ${s.spawnRate}/s, but rampTimeout is ${formatDuration(s.rampTimeoutMs)} — raise rampTimeout or spawnRate`,
      });
    }
    // transition: continue with windows under 10 s needs the plugin: checked against the master (run/plugin-requirement.ts).
    const k = f.kubernetes;
    const need = (what: string, key: string, fix: string) =>
      issues.push({ file: source, path: `${s.yamlPath}.${key}`, line: null, col: null, message: `stage ${index} sets ${what}, which needs ${fix}` });
    if ((s.replicas !== null || s.hpa !== null) && !k?.target)
      need(s.replicas !== null ? 'replicas' : 'hpa', s.replicas !== null ? 'replicas' : 'hpa', 'kubernetes.target.deployment — name the target Deployment');
    if (s.workers !== null && !k?.workers) need('workers', 'workers', 'kubernetes.workers.deployment — name the Locust worker Deployment');
    const { yamlPath: _y, name: _n, repeat: _r, ...rest } = s;
    return { ...rest, index, name, slug };
  });
  if (issues.length > 0) throw new MatrixError(issues);
  const auth = f.locust?.auth ?? null;
  return {
    version: 1,
    name: f.name,
    source,
    locust: {
      url: f.locust?.url ?? null,
      expectWorkers: f.locust?.expectWorkers ?? DEFAULTS.expectWorkers,
      connectTimeoutMs: f.locust?.connectTimeout ?? DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: f.locust?.requestTimeout ?? DEFAULTS.requestTimeoutMs,
      auth: auth ? { username: auth.username, passwordEnv: auth.passwordEnv } : null,
    },
    target: { host: f.target?.host ?? null, healthPath: f.target?.healthPath ?? null },
    kubernetes: f.kubernetes
      ? {
          namespace: f.kubernetes.namespace ?? null,
          target: f.kubernetes.target ? { deployment: f.kubernetes.target.deployment, hpa: f.kubernetes.target.hpa ?? f.kubernetes.target.deployment } : null,
          workers: f.kubernetes.workers ? { deployment: f.kubernetes.workers.deployment } : null,
          restore: f.kubernetes.restore ?? true,
          leaseName: f.kubernetes.lease ?? DEFAULTS.leaseName,
          keepSummaries: f.kubernetes.keepSummaries ?? DEFAULTS.keepSummaries,
        }
      : null,
    onBreach: f.slo?.onBreach ?? 'continue',
    transition: f.transition ?? 'restart',
    retry: {
      attempts: f.retry?.attempts ?? DEFAULTS.retryAttempts,
      masterTimeoutMs: f.retry?.masterTimeout ?? DEFAULTS.masterTimeoutMs,
      onWorkerLoss: f.retry?.onWorkerLoss ?? 'invalid',
    },
    capacity: f.capacity
      ? { startUsers: f.capacity.users.start, maxUsers: f.capacity.users.max, factor: f.capacity.factor ?? 2, precisionUsers: f.capacity.precision ?? 10 }
      : null,
    metrics: metricsPlan(f.metrics),
    stages,
  };
}

function metricsPlan(m: MatrixFile['metrics']): MetricsPlan | null {
  if (!m) return null;
  const rw = m.remoteWrite;
  return {
    remoteWrite: rw
      ? {
          url: rw.url,
          basicAuth: rw.basicAuth ? { username: rw.basicAuth.username, passwordEnv: rw.basicAuth.passwordEnv } : null,
          bearerTokenEnv: rw.bearerTokenEnv ?? null,
          timeoutMs: rw.timeout ?? DEFAULTS.remoteWriteTimeoutMs,
          retries: rw.retries ?? DEFAULTS.remoteWriteRetries,
          maxQueued: rw.maxQueued ?? DEFAULTS.remoteWriteMaxQueued,
          flushTimeoutMs: rw.flushTimeout ?? DEFAULTS.remoteWriteFlushTimeoutMs,
        }
      : null,
    labels: { ...(m.labels ?? {}) },
  };
}

/** The metrics: section with --remote-write-url / --metrics-label applied (flags win). */
export function withMetricsFlags(m: MetricsPlan | null, url: string | null, labels: Record<string, string>): MetricsPlan | null {
  if (url === null && Object.keys(labels).length === 0) return m;
  const base = m ?? { remoteWrite: null, labels: {} };
  const remoteWrite =
    url === null
      ? base.remoteWrite
      : {
          ...(base.remoteWrite ?? {
            basicAuth: null,
            bearerTokenEnv: null,
            timeoutMs: DEFAULTS.remoteWriteTimeoutMs,
            retries: DEFAULTS.remoteWriteRetries,
            maxQueued: DEFAULTS.remoteWriteMaxQueued,
            flushTimeoutMs: DEFAULTS.remoteWriteFlushTimeoutMs,
          }),
          url,
        };
  return { remoteWrite, labels: { ...base.labels, ...labels } };
}

/** What one stage is expected to take, Locust's floors included; the last stage has no cooldown. */
export function expectedStageMs(s: StagePlan, last: boolean): number {
  const ramp = plannedRampMs(s) + RAMP_MARGIN_MS.expected;
  // The cooldown counts from the stop request and covers the wait for the workers' last reports;
  // the last stage, if long, is read while the users run and needs only the stop.
  const tail =
    last && s.durationMs >= LIVE_READ_MIN_MS ? LOCUST_TIMING.stopMs : Math.max(last ? 0 : s.cooldownMs, LOCUST_TIMING.stopMs + LOCUST_TIMING.finalReportWaitMs);
  return ramp + s.durationMs + tail;
}

export function expectedRunMs(plan: RunPlan): number {
  const first = plan.stages[0];
  if (plan.capacity && first) return capacityProbeBound(plan.capacity) * expectedStageMs(first, false);
  if (plan.transition === 'continue') {
    // One swarm throughout: each stage ramps from the previous count; only the last one stops.
    return plan.stages.reduce((sum, s, i) => {
      const from = i === 0 ? 0 : (plan.stages[i - 1] as StagePlan).users;
      const ramp = plannedRampMs(s, from) + (i === 0 ? RAMP_MARGIN_MS.expected : 0);
      const tail = i === plan.stages.length - 1 ? LOCUST_TIMING.stopMs + LOCUST_TIMING.finalReportWaitMs : 0;
      return sum + ramp + s.durationMs + tail;
    }, 0);
  }
  return plan.stages.reduce((sum, s, i) => sum + expectedStageMs(s, i === plan.stages.length - 1), 0);
}

/** At most this many probes: growth steps to the ceiling, then bisection steps to the precision. */
export function capacityProbeBound(cap: { startUsers: number; maxUsers: number; factor: number; precisionUsers: number }): number {
  const growth = Math.ceil(Math.log(cap.maxUsers / cap.startUsers) / Math.log(cap.factor)) + 1;
  const span = Math.max(1, cap.maxUsers - cap.maxUsers / cap.factor);
  return growth + Math.max(0, Math.ceil(Math.log2(span / cap.precisionUsers)));
}

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

function cartesian(lists: number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

/**
 * Repeats as real stages: a stage's own `repeat: N` runs it N times in a row, the top-level
 * `repeat: R` runs the whole list R times, round after round (so a slow drift of the environment
 * spreads over every stage rather than biasing one). Each copy is named after the original with
 * "repeat k/N" or "round k/R"; the results group them again by their parameters (core/stats/repeats.ts).
 */
function withRepeats<S extends { name: string | null; users: number; repeat?: number }>(specs: S[], rounds: number): S[] {
  const named = (s: S) => s.name ?? `users=${s.users}`;
  const own = specs.flatMap((s) => {
    const n = s.repeat ?? 1;
    return n === 1 ? [s] : Array.from({ length: n }, (_, k) => ({ ...s, name: `${named(s)} · repeat ${k + 1}/${n}` }));
  });
  if (rounds === 1) return own;
  return Array.from({ length: rounds }, (_, r) => own.map((s) => ({ ...s, name: `${named(s)} · round ${r + 1}/${rounds}` }))).flat();
}
