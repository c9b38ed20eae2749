// A synthetic RunRecord of a long run, for timing report generation: stages of `stageHours` (default
// one hour) over `hours`, sampled every second (86 400 samples for 24 h), 4 endpoints per stage,
// with the Kubernetes columns filled (the replicas chart is drawn too: the worst case). The values
// wobble and carry noise, so a chart cannot be reduced to a few points by accident. Deterministic.
import { findBest, findKnee } from '../../dist/core/summary.js';

const PCT = ['p50Ms', 'p66Ms', 'p75Ms', 'p80Ms', 'p90Ms', 'p95Ms', 'p98Ms', 'p99Ms', 'p999Ms', 'p9999Ms', 'p100Ms'];
const PCT_FACTOR = [1, 1.2, 1.35, 1.5, 1.9, 2.3, 2.9, 3.4, 5.5, 7.5, 8];
const ENDPOINTS = [
  ['POST', '/predict', 0.7],
  ['POST', '/predict/batch', 0.1],
  ['GET', '/healthz', 0.1],
  ['GET', '/metrics', 0.1],
];
const START = Date.parse('2026-11-28T00:00:00.000Z');
const iso = (ms) => new Date(ms).toISOString();

/** A small LCG: the same run every time. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function totals(requests, rps, p50, failures) {
  const t = { requests, failures, rps, failRatio: requests > 0 ? failures / requests : 0, avgMs: p50 * 1.2, minMs: 2.1, maxMs: p50 * 9 };
  PCT.forEach((k, i) => (t[k] = Math.round(p50 * PCT_FACTOR[i])));
  return t;
}

function planStage(index, users, windowMs, sampleEveryMs) {
  return {
    index,
    name: `u${users}`,
    slug: `u${users}`,
    users,
    spawnRate: 20,
    durationMs: windowMs,
    cooldownMs: 15_000,
    sampleEveryMs,
    rampTimeoutMs: 300_000,
    replicas: null,
    hpa: null,
    workers: null,
    scaleTimeoutMs: 300_000,
    slo: null,
  };
}

/**
 * @param {{ hours: number, stageHours?: number, sampleEveryMs?: number, cluster?: boolean }} o
 * @returns {any} a RunRecord (as dist/core/model.ts defines it)
 */
export function syntheticRun(o) {
  const sampleEveryMs = o.sampleEveryMs ?? 1000;
  const stageHours = o.stageHours ?? 1;
  const n = Math.max(1, Math.round(o.hours / stageHours));
  const windowMs = stageHours * 3_600_000;
  const rand = rng(42);
  const cluster = o.cluster ?? true;
  const stages = [];
  const plans = [];
  let t = START;
  for (let i = 1; i <= n; i++) {
    const users = 50 * i;
    const plan = planStage(i, users, windowMs, sampleEveryMs);
    plans.push(plan);
    const rampMs = (users / 20) * 1000 + 1000;
    const resetAt = t + rampMs + 500;
    const windowStart = resetAt - 1500;
    const end = windowStart + windowMs;
    const baseRps = users * 0.95;
    const p50 = 20 + users / 40;
    const samples = [];
    const count = Math.floor(windowMs / sampleEveryMs);
    const replicas = 1 + Math.floor(users / 300);
    for (let k = 1; k <= count; k++) {
      const elapsedMs = k * sampleEveryMs;
      const wobble = 1 + 0.05 * Math.sin(elapsedMs / 60_000) + 0.03 * (rand() - 0.5);
      const warming = elapsedMs < 12_000;
      const spike = rand() < 0.001 ? 4 : 1;
      samples.push({
        at: iso(resetAt + elapsedMs),
        elapsedMs,
        users,
        workers: 4,
        requests: Math.round(baseRps * (elapsedMs / 1000)),
        failures: Math.round(elapsedMs / 600_000),
        rps: warming ? null : Math.round(baseRps * wobble * 10) / 10,
        failPerSec: warming ? null : Math.round(rand() * 100) / 1000,
        p50Ms: warming ? null : Math.round(p50 * wobble * spike),
        p95Ms: warming ? null : Math.round(p50 * 2.3 * wobble * spike),
        workerCpuMaxPercent: Math.round((15 + users / 40) * wobble * 10) / 10,
        replicasReady: cluster ? replicas - (k % 1800 < 30 ? 1 : 0) : null,
        replicasDesired: cluster ? replicas : null,
        hpaCurrent: cluster ? replicas : null,
        hpaDesired: cluster ? replicas + (k % 1800 < 60 ? 1 : 0) : null,
        hpaCpuPercent: cluster ? Math.round(40 + 30 * wobble * 10) / 10 : null,
      });
    }
    const requests = Math.round(baseRps * (windowMs / 1000));
    const tot = totals(requests, requests / (windowMs / 1000), p50, Math.round(requests * 0.0002));
    stages.push({
      index: i,
      name: plan.name,
      slug: plan.slug,
      status: 'completed',
      reason: null,
      users,
      spawnRate: 20,
      replicas: null,
      workers: null,
      hpa: null,
      prepareMs: null,
      slo: [],
      plannedDurationMs: windowMs,
      startedAt: iso(t),
      finishedAt: iso(end + 4500),
      rampMs,
      window: { start: iso(windowStart), end: iso(end), resetAt: iso(resetAt), durationMs: windowMs },
      totals: tot,
      endpoints: ENDPOINTS.map(([method, name, share]) => {
        const r = Math.round(requests * share);
        return { method, name, ...totals(r, r / (windowMs / 1000), name.startsWith('/predict') ? p50 : 2, name === '/predict' ? tot.failures : 0) };
      }),
      failures:
        tot.failures > 0
          ? [{ method: 'POST', name: '/predict', error: "HTTPError('503 Server Error: Service Unavailable for url: /predict')", occurrences: tot.failures }]
          : [],
      exceptionCount: 0,
      workersSeen: { min: 4, max: 4 },
      workerCpuMaxPercent: 40,
      samples,
      attempt: 1,
      retries: [],
    });
    t = end + 15_000;
  }
  return {
    schemaVersion: 1,
    runId: `synthetic-${o.hours}h`,
    name: `synthetic-${o.hours}h`,
    startedAt: iso(START),
    finishedAt: iso(t),
    status: 'completed',
    verdict: 'none',
    error: null,
    plan: {
      version: 1,
      name: `synthetic-${o.hours}h`,
      source: 'bench/lib/synthetic-run.mjs',
      locust: { url: 'http://locust-master:8089', expectWorkers: 4, connectTimeoutMs: 60_000, requestTimeoutMs: 15_000, auth: null },
      target: { host: 'http://inference:8000', healthPath: '/healthz' },
      kubernetes: null,
      onBreach: 'continue',
      transition: 'restart',
      retry: { attempts: 2, masterTimeoutMs: 120_000, onWorkerLoss: 'invalid' },
      capacity: null,
      stages: plans,
    },
    environment: {
      driver: 'bench',
      node: process.version,
      locust: { version: '2.47.0', url: 'http://locust-master:8089', embedded: false, schema: 'modern' },
      kubernetes: cluster ? { namespace: 'load', server: 'https://10.0.0.1:6443', inCluster: true } : null,
      workers: 4,
    },
    stages,
    summary: { best: findBest(stages), knee: findKnee(stages) },
    capacity: null,
    comparison: null,
    resumes: [],
  };
}

/** The final CSV snapshot Locust would have served for a stage (what FsReportSink writes as stats.csv). */
export function syntheticWindow(stage) {
  const row = (method, name, t) => ({
    method,
    name,
    requests: t.requests,
    failures: t.failures,
    medianMs: t.p50Ms,
    avgMs: t.avgMs,
    minMs: t.minMs,
    maxMs: t.maxMs,
    avgContentBytes: 300,
    rps: t.rps,
    failPerSec: t.failures / (stage.window.durationMs / 1000),
    percentiles: Object.fromEntries(['50', '66', '75', '80', '90', '95', '98', '99', '99.9', '99.99', '100'].map((k, i) => [k, t[PCT[i]]])),
  });
  const endpoints = stage.endpoints.map((e) => row(e.method, e.name, e));
  const aggregated = row('', 'Aggregated', stage.totals);
  const header =
    'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%';
  const lines = [...endpoints, aggregated].map((r) =>
    [
      r.method,
      r.name,
      r.requests,
      r.failures,
      r.medianMs,
      r.avgMs,
      r.minMs,
      r.maxMs,
      r.avgContentBytes,
      r.rps,
      r.failPerSec,
      ...Object.values(r.percentiles),
    ].join(','),
  );
  return {
    endpoints,
    aggregated,
    failures: stage.failures,
    exceptionCount: 0,
    raw: {
      stats: [header, ...lines].join('\r\n') + '\r\n',
      failures: 'Method,Name,Error,Occurrences,First Seen,Last Seen\r\n',
      exceptions: 'Count,Message,Traceback,Nodes\r\n',
    },
  };
}
