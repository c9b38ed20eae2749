// Window totals from Locust's per-endpoint rows, and the two highlights of a run: the best
// throughput and the knee (where latency starts to climb). Pure: no I/O, no clock.
import type { EndpointStats, EndpointTotals, Highlight, StageResult, Totals } from './model.js';

/**
 * The window's totals for one Locust row. `rps` is computed over our own measured window rather
 * than taken from Locust's `Requests/s`, which is averaged from Locust's first request (that can be
 * before the reset landed on every worker) to its last one.
 */
export function toTotals(row: EndpointStats, windowMs: number): Totals {
  const seconds = windowMs / 1000;
  const p = row.percentiles;
  return {
    requests: row.requests,
    failures: row.failures,
    // A zero-length window cannot happen in a measured stage; fall back to Locust's own figure
    // rather than dividing by zero.
    rps: seconds > 0 ? row.requests / seconds : row.rps,
    failRatio: row.requests > 0 ? row.failures / row.requests : 0,
    avgMs: row.avgMs,
    minMs: row.minMs,
    maxMs: row.maxMs,
    p50Ms: p['50'] ?? row.medianMs,
    p66Ms: p['66'],
    p75Ms: p['75'],
    p80Ms: p['80'],
    p90Ms: p['90'],
    p95Ms: p['95'],
    p98Ms: p['98'],
    p99Ms: p['99'],
    p999Ms: p['99.9'],
    p9999Ms: p['99.99'],
    p100Ms: p['100'] ?? row.maxMs,
  };
}

export function toEndpointTotals(row: EndpointStats, windowMs: number): EndpointTotals {
  return { method: row.method, name: row.name, ...toTotals(row, windowMs) };
}

/** A completed stage that served requests: the only kind whose numbers mean anything. */
interface Measured {
  stage: StageResult;
  totals: Totals;
}

function measured(stages: readonly StageResult[]): Measured[] {
  const out: Measured[] = [];
  for (const stage of stages) {
    if (stage.status === 'completed' && stage.totals !== null && stage.totals.requests > 0) {
      out.push({ stage, totals: stage.totals });
    }
  }
  return out;
}

/** The completed stage with the highest throughput; ties go to fewer users, then the earlier stage. */
export function findBest(stages: readonly StageResult[]): Highlight | null {
  let best: Measured | null = null;
  for (const m of measured(stages)) {
    if (best === null || m.totals.rps > best.totals.rps || (m.totals.rps === best.totals.rps && m.stage.users < best.stage.users)) {
      best = m;
    }
  }
  if (best === null) return null;
  const { stage, totals } = best;
  return {
    stageIndex: stage.index,
    stageName: stage.name,
    users: stage.users,
    rps: totals.rps,
    p95Ms: totals.p95Ms,
    reason: `highest throughput: ${fmtRps(totals.rps)} req/s at ${stage.users} users${setupSuffix(stage)}`,
  };
}

/** p95 must exceed the best p95 seen at fewer users by this factor… */
export const KNEE_LATENCY_FACTOR = 1.5;
/** …and by at least this many milliseconds (Locust rounds times, and 2 ms → 4 ms is noise, not a knee). */
export const KNEE_MIN_RISE_MS = 5;
/** Throughput must grow by at least this share of the users' growth (0.5: doubling users → ≥ 1.5× rps). */
export const KNEE_MIN_SCALING = 0.5;
/** Latencies below this are treated as this, so a 0 ms baseline does not make every stage a knee. */
const KNEE_MIN_BASELINE_MS = 1;

/**
 * The knee: the first stage, in order of users, where the service stops keeping up.
 *
 * Rule. Stages are compared only within a series: completed stages with requests and a p95 that
 * ran with the same replicas and workers (more users on 8 replicas is a different curve from more
 * users on 1). Inside a series, ordered by users (stable for equal users), a stage is the knee when
 *  - latency climbs: its p95 exceeds KNEE_LATENCY_FACTOR × the lowest p95 of the series at fewer
 *    users (baseline at least 1 ms) and by at least KNEE_MIN_RISE_MS; or
 *  - throughput stalls: against the previous user count, (rps ratio − 1) < KNEE_MIN_SCALING ×
 *    (users ratio − 1). With a closed-loop load (Locust users wait for each answer) a throughput
 *    that stops following the users means each request takes longer, even when p95 hides it.
 * Stages that share a user count are compared with the lower user counts, never with each other
 * (run-to-run noise at equal load is not a knee). When several series have a knee, the one at the fewest users is reported
 * (then the earlier stage): that is where the system first struggled.
 * null when no series has two user counts to compare, or nothing climbs.
 */
export function findKnee(stages: readonly StageResult[]): Highlight | null {
  const series = new Map<string, Measured[]>();
  for (const m of measured(stages)) {
    if (m.totals.p95Ms === null) continue;
    const key = `${String(m.stage.replicas)}/${String(m.stage.workers)}`;
    const list = series.get(key) ?? [];
    list.push(m);
    series.set(key, list);
  }
  const multiSeries = series.size > 1;

  let found: Highlight | null = null;
  for (const list of series.values()) {
    const knee = kneeOfSeries(list, multiSeries);
    if (knee === null) continue;
    if (found === null || knee.users < found.users || (knee.users === found.users && knee.stageIndex < found.stageIndex)) {
      found = knee;
    }
  }
  return found;
}

function kneeOfSeries(list: Measured[], mentionSetup: boolean): Highlight | null {
  // Array.prototype.sort is stable, so equal user counts keep their run order.
  const ordered = [...list].sort((a, b) => a.stage.users - b.stage.users);
  let baseline: Measured | null = null; // lowest p95 among strictly fewer users
  let previous: Measured | null = null; // the last stage at the previous (strictly lower) user count
  let pendingBaseline: Measured | null = null; // best of the current user count, promoted when users grow
  let pendingPrevious: Measured | null = null;

  for (const m of ordered) {
    if (pendingPrevious !== null && m.stage.users > pendingPrevious.stage.users) {
      if (pendingBaseline !== null && (baseline === null || p95(pendingBaseline) < p95(baseline))) baseline = pendingBaseline;
      previous = pendingPrevious;
      pendingBaseline = null;
    }

    if (baseline !== null && previous !== null) {
      const verdict = judge(m, baseline, previous);
      if (verdict !== null) {
        return {
          stageIndex: m.stage.index,
          stageName: m.stage.name,
          users: m.stage.users,
          rps: m.totals.rps,
          p95Ms: m.totals.p95Ms,
          reason: (mentionSetup ? `${setupLabel(m.stage)}: ` : '') + verdict,
        };
      }
    }

    if (pendingBaseline === null || p95(m) < p95(pendingBaseline)) pendingBaseline = m;
    pendingPrevious = m;
  }
  return null;
}

function p95(m: Measured): number {
  return Math.max(m.totals.p95Ms ?? 0, KNEE_MIN_BASELINE_MS);
}

/** A human reason when `m` is the knee, else null. */
function judge(m: Measured, baseline: Measured, previous: Measured): string | null {
  const now = p95(m);
  const base = p95(baseline);
  const latencyRatio = now / base;
  const latencyClimbs = latencyRatio > KNEE_LATENCY_FACTOR && now - base >= KNEE_MIN_RISE_MS;

  const usersRatio = m.stage.users / previous.stage.users;
  const rpsRatio = previous.totals.rps > 0 ? m.totals.rps / previous.totals.rps : null;
  const usersGrew = usersRatio > 1;
  const throughputStalls = usersGrew && rpsRatio !== null && rpsRatio - 1 < KNEE_MIN_SCALING * (usersRatio - 1);

  if (!latencyClimbs && !throughputStalls) return null;

  const throughput =
    rpsRatio === null || !usersGrew
      ? ''
      : `throughput grew ${throughputStalls ? 'only ' : ''}${fmtRatio(rpsRatio)} (${fmtRps(previous.totals.rps)} → ${fmtRps(m.totals.rps)} req/s) for ${fmtRatio(usersRatio)} the users`;

  if (latencyClimbs) {
    const from = `p95 rose from ${fmtMs(baseline.totals.p95Ms)} at ${baseline.stage.users} users to ${fmtMs(m.totals.p95Ms)} at ${m.stage.users} users (${fmtRatio(latencyRatio)})`;
    if (throughput === '') return from;
    return `${from} ${throughputStalls ? 'while' : 'and'} ${throughput}`;
  }
  return `${throughput} between ${previous.stage.users} and ${m.stage.users} users; ` + `p95 ${fmtMs(previous.totals.p95Ms)} → ${fmtMs(m.totals.p95Ms)}`;
}

function setupLabel(stage: StageResult): string {
  const parts: string[] = [];
  if (stage.replicas !== null) parts.push(`${stage.replicas} ${stage.replicas === 1 ? 'replica' : 'replicas'}`);
  if (stage.workers !== null) parts.push(`${stage.workers} ${stage.workers === 1 ? 'worker' : 'workers'}`);
  return parts.length > 0 ? `with ${parts.join(', ')}` : 'unmanaged';
}

function setupSuffix(stage: StageResult): string {
  return stage.replicas === null && stage.workers === null ? '' : ` (${setupLabel(stage)})`;
}

/** 812.4 — one decimal is what people read; whole numbers above 10 000 req/s. */
export function fmtRps(rps: number): string {
  return rps >= 10_000 ? Math.round(rps).toString() : rps.toFixed(1);
}

export function fmtMs(ms: number | null): string {
  if (ms === null) return 'n/a';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${Number(ms.toFixed(1))} ms`;
}

function fmtRatio(ratio: number): string {
  return `${Number(ratio.toFixed(ratio >= 10 ? 0 : 1))}×`;
}
