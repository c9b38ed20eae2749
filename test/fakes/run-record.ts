// A realistic RunRecord for report and summary tests: the sample inference service at 100, 200 and
// 400 users (spawn rate 20/s, 120 s windows, 4 workers). It scales to 200 users and saturates at
// 400 (p95 ×6.5, throughput ×1.3 for ×2 users, a few 503s): the knee is stage 3, the best
// throughput too. Every builder takes overrides, so tests change only what they are about.
import { findBest, findKnee } from '../../src/core/summary.js';
import { PERCENTILES } from '../../src/core/model.js';
import type { EndpointStats, EndpointTotals, FailureRow, RunRecord, Sample, StagePlan, StageResult, Totals, WindowStats } from '../../src/core/model.js';

export const RUN_START = Date.parse('2026-11-28T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

export function makeTotals(overrides: Partial<Totals> = {}): Totals {
  return {
    requests: 23_460,
    failures: 0,
    rps: 195.5,
    failRatio: 0,
    avgMs: 44.7,
    minMs: 3.2,
    maxMs: 412.9,
    p50Ms: 38,
    p66Ms: 47,
    p75Ms: 54,
    p80Ms: 60,
    p90Ms: 78,
    p95Ms: 95,
    p98Ms: 120,
    p99Ms: 140,
    p999Ms: 260,
    p9999Ms: 390,
    p100Ms: 410,
    ...overrides,
  };
}

/** Split aggregated totals into InferenceUser's three endpoints (80 % predict, 10 % healthz, 10 % metrics). */
export function makeEndpoints(totals: Totals): EndpointTotals[] {
  const share = (part: number, fast: boolean): Totals => {
    const requests = Math.round(totals.requests * part);
    const failures = fast ? 0 : totals.failures;
    const scale = (v: number | null): number | null => (v === null ? null : fast ? Math.max(1, Math.round(v / 12)) : v);
    return {
      ...totals,
      requests,
      failures,
      rps: totals.rps * part,
      failRatio: requests > 0 ? failures / requests : 0,
      avgMs: scale(totals.avgMs),
      p50Ms: scale(totals.p50Ms),
      p66Ms: scale(totals.p66Ms),
      p75Ms: scale(totals.p75Ms),
      p80Ms: scale(totals.p80Ms),
      p90Ms: scale(totals.p90Ms),
      p95Ms: scale(totals.p95Ms),
      p98Ms: scale(totals.p98Ms),
      p99Ms: scale(totals.p99Ms),
      p999Ms: scale(totals.p999Ms),
      p9999Ms: scale(totals.p9999Ms),
      p100Ms: scale(totals.p100Ms),
      maxMs: scale(totals.maxMs),
    };
  };
  return [
    { method: 'GET', name: '/healthz', ...share(0.1, true) },
    { method: 'GET', name: '/metrics', ...share(0.1, true) },
    { method: 'POST', name: '/predict', ...share(0.8, false) },
  ];
}

/** One sample every 2 s across the window, with the rolling values settling towards the totals. */
export function makeSamples(windowStartMs: number, windowMs: number, users: number, totals: Totals, workers = 4): Sample[] {
  const out: Sample[] = [];
  for (let elapsed = 2000; elapsed <= windowMs; elapsed += 2000) {
    const wobble = 1 + 0.03 * Math.sin(elapsed / 7000);
    const done = elapsed / windowMs;
    out.push({
      at: iso(windowStartMs + elapsed),
      elapsedMs: elapsed,
      users,
      workers,
      requests: Math.round(totals.requests * done),
      failures: Math.round(totals.failures * done),
      rps: Math.round(totals.rps * wobble * 10) / 10,
      failPerSec: totals.failures > 0 ? Math.round(((totals.failures * 1000) / windowMs) * wobble * 100) / 100 : 0,
      p50Ms: totals.p50Ms === null ? null : Math.round(totals.p50Ms * wobble),
      replicasReady: null,
      replicasDesired: null,
      hpaCurrent: null,
      hpaDesired: null,
      hpaCpuPercent: null,
      stale: false,
      p95Ms: totals.p95Ms === null ? null : Math.round(totals.p95Ms * wobble),
      workerCpuMaxPercent: Math.round((20 + users / 10) * wobble * 10) / 10,
    });
  }
  return out;
}

export interface StageSpec {
  index: number;
  users: number;
  totals: Totals | null;
  status?: StageResult['status'];
  reason?: string | null;
  failures?: FailureRow[];
  replicas?: number | null;
  workers?: number | null;
  /** Offset from RUN_START where the stage starts. */
  startOffsetMs?: number;
}

export function makePlanStage(index: number, users: number): StagePlan {
  return {
    index,
    name: `u${users}`,
    slug: `u${users}`,
    users,
    spawnRate: 20,
    durationMs: 120_000,
    cooldownMs: 15_000,
    sampleEveryMs: 2_000,
    rampTimeoutMs: 300_000,
    replicas: null,
    hpa: null,
    workers: null,
    scaleTimeoutMs: 300_000,
    slo: null,
  };
}

/** A finished stage: ramp (users / spawn rate + 1 s), reset, 120 s window, stop. */
export function makeStage(spec: StageSpec, overrides: Partial<StageResult> = {}): StageResult {
  const plan = makePlanStage(spec.index, spec.users);
  const start = RUN_START + (spec.startOffsetMs ?? (spec.index - 1) * 160_000);
  const rampMs = Math.round((spec.users / plan.spawnRate) * 1000) + 1_040;
  const status = spec.status ?? 'completed';
  const measured = spec.totals !== null;
  const resetAt = start + rampMs + 250;
  const windowStart = resetAt + 3_000; // the first worker reports after the reset
  const windowMs = plan.durationMs - 3_000;
  const windowEnd = windowStart + windowMs;
  const workers = spec.workers === undefined ? null : spec.workers;
  return {
    index: spec.index,
    name: plan.name,
    slug: plan.slug,
    status,
    reason: spec.reason ?? null,
    users: spec.users,
    spawnRate: plan.spawnRate,
    replicas: spec.replicas ?? null,
    workers,
    hpa: null,
    prepareMs: null,
    slo: [],
    plannedDurationMs: plan.durationMs,
    startedAt: iso(start),
    finishedAt: iso(measured ? windowEnd + 6_500 : start + rampMs),
    rampMs: measured ? rampMs : null,
    window: measured
      ? {
          start: iso(windowStart),
          end: iso(windowEnd),
          resetAt: iso(resetAt),
          durationMs: windowMs,
          edges: 'reports',
          rampOverlapMs: 0,
          uncertaintyMs: { start: 400, end: 1_000 },
        }
      : null,
    totals: spec.totals,
    endpoints: spec.totals === null ? [] : makeEndpoints(spec.totals),
    failures: spec.failures ?? [],
    exceptionCount: 0,
    workersSeen: measured ? { min: workers ?? 4, max: workers ?? 4 } : null,
    workerCpuMaxPercent: measured ? Math.round((20 + spec.users / 10) * 10) / 10 : null,
    samples: spec.totals === null ? [] : makeSamples(windowStart, windowMs, spec.users, spec.totals, workers ?? 4),
    attempt: 1,
    retries: [],
    ...overrides,
  };
}

export const STAGE_TOTALS: readonly Totals[] = [
  makeTotals(),
  makeTotals({
    requests: 45_396,
    rps: 389.7,
    avgMs: 49.1,
    minMs: 3.1,
    maxMs: 530.2,
    p50Ms: 41,
    p66Ms: 51,
    p75Ms: 59,
    p80Ms: 66,
    p90Ms: 88,
    p95Ms: 110,
    p98Ms: 140,
    p99Ms: 170,
    p999Ms: 310,
    p9999Ms: 480,
    p100Ms: 530,
  }),
  makeTotals({
    requests: 59_662,
    failures: 37,
    rps: 512.1,
    failRatio: 37 / 59_662,
    avgMs: 251.8,
    minMs: 4.0,
    maxMs: 2_310.5,
    p50Ms: 210,
    p66Ms: 280,
    p75Ms: 330,
    p80Ms: 370,
    p90Ms: 480,
    p95Ms: 620,
    p98Ms: 790,
    p99Ms: 980,
    p999Ms: 1_700,
    p9999Ms: 2_200,
    p100Ms: 2_300,
  }),
];

export const STAGE3_FAILURES: FailureRow[] = [
  { method: 'POST', name: '/predict', error: "HTTPError('503 Server Error: Service Unavailable for url: /predict')", occurrences: 37 },
];

export function makeRunRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const stages = overrides.stages ?? [
    makeStage({ index: 1, users: 100, totals: STAGE_TOTALS[0] ?? null }),
    makeStage({ index: 2, users: 200, totals: STAGE_TOTALS[1] ?? null }),
    makeStage({ index: 3, users: 400, totals: STAGE_TOTALS[2] ?? null, failures: STAGE3_FAILURES }),
  ];
  const last = stages.at(-1);
  return {
    schemaVersion: 1,
    runId: '20261128-100000-inference-capacity',
    name: 'inference-capacity',
    startedAt: iso(RUN_START),
    finishedAt: last === undefined ? null : last.finishedAt,
    status: 'completed',
    verdict: 'none',
    error: null,
    plan: {
      version: 1,
      name: 'inference-capacity',
      source: 'matrix.yaml',
      locust: { url: 'http://locust-master:8089', expectWorkers: 4, connectTimeoutMs: 60_000, requestTimeoutMs: 15_000, auth: null },
      target: { host: 'http://inference:8000', healthPath: '/healthz' },
      kubernetes: null,
      metrics: null,
      onBreach: 'continue',
      transition: 'restart',
      retry: { attempts: 2, masterTimeoutMs: 30_000, onWorkerLoss: 'invalid' },
      capacity: null,
      stages: [makePlanStage(1, 100), makePlanStage(2, 200), makePlanStage(3, 400)],
    },
    environment: {
      driver: '0.1.0',
      node: 'v24.22.3',
      locust: {
        version: '2.46.3',
        url: 'http://locust-master:8089',
        embedded: false,
        schema: 'modern',
        api: { basis: 'version', stateMethod: 'GET' },
        plugin: null,
      },
      kubernetes: null,
      workers: 4,
    },
    stages,
    summary: { best: findBest(stages), knee: findKnee(stages) },
    capacity: null,
    comparison: null,
    resumes: [],
    stopFailure: null,
    current: null,
    remoteWrite: null,
    ...overrides,
  };
}

/** The final snapshot Locust would have served for a stage, raw CSV bodies included (CRLF, as Locust). */
export function makeWindowStats(stage: StageResult): WindowStats {
  const totals = stage.totals ?? makeTotals({ requests: 0, rps: 0 });
  const windowS = (stage.window?.durationMs ?? 120_000) / 1000;
  const row = (method: string, name: string, t: Totals): EndpointStats => ({
    method,
    name,
    requests: t.requests,
    failures: t.failures,
    medianMs: t.p50Ms,
    avgMs: t.avgMs,
    minMs: t.minMs,
    maxMs: t.maxMs,
    avgContentBytes: name === '/predict' ? 312 : 17,
    rps: t.requests / (windowS + 1.3),
    failPerSec: t.failures / (windowS + 1.3),
    percentiles: {
      '50': t.p50Ms,
      '66': t.p66Ms,
      '75': t.p75Ms,
      '80': t.p80Ms,
      '90': t.p90Ms,
      '95': t.p95Ms,
      '98': t.p98Ms,
      '99': t.p99Ms,
      '99.9': t.p999Ms,
      '99.99': t.p9999Ms,
      '100': t.p100Ms,
    },
  });
  const endpoints = stage.endpoints.map((e) => row(e.method, e.name, e));
  const aggregated = row('', 'Aggregated', totals);
  const n = (v: number | null): string => (v === null ? 'N/A' : String(v));
  const statsLines = [
    'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%',
    ...[...endpoints, aggregated].map((r) =>
      [
        r.method,
        r.name,
        r.requests,
        r.failures,
        n(r.medianMs),
        n(r.avgMs),
        n(r.minMs),
        n(r.maxMs),
        r.avgContentBytes,
        r.rps,
        r.failPerSec,
        ...PERCENTILES.map((k) => n(r.percentiles[k])),
      ].join(','),
    ),
  ];
  const failureLines = [
    'Method,Name,Error,Occurrences,First Seen,Last Seen',
    ...stage.failures.map((f) => `${f.method},${f.name},"${f.error.replaceAll('"', '""')}",${f.occurrences},2026-11-28T10:06:01Z,2026-11-28T10:07:58Z`),
  ];
  return {
    endpoints,
    aggregated,
    failures: stage.failures,
    exceptionCount: stage.exceptionCount,
    raw: {
      stats: statsLines.join('\r\n') + '\r\n',
      failures: failureLines.join('\r\n') + '\r\n',
      exceptions: 'Count,Message,Traceback,Nodes\r\n',
    },
  };
}
