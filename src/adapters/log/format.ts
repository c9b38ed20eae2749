// RunEvent → one log line (message + structured fields). Pure, so the wording is unit-tested.
import type { RunEvent } from '../../core/events.js';
import { formatDuration } from '../../core/units.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${Math.round(v)}ms`);
const num = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
const secs = (v: number) => `${Math.round(v / 1000)}s`;

/** ` replicas=4/4 hpa=3→5 cpu=72%` when the cluster is managed; '' otherwise. */
function cluster(s: {
  replicasReady: number | null;
  replicasDesired: number | null;
  hpaCurrent: number | null;
  hpaDesired: number | null;
  hpaCpuPercent: number | null;
}): string {
  let out = '';
  if (s.replicasDesired !== null) out += ` replicas=${s.replicasReady ?? '?'}/${s.replicasDesired}`;
  if (s.hpaDesired !== null || s.hpaCurrent !== null) out += ` hpa=${s.hpaCurrent ?? '?'}→${s.hpaDesired ?? '?'}`;
  if (s.hpaCpuPercent !== null) out += ` cpu=${Math.round(s.hpaCpuPercent)}%`;
  return out;
}

export function formatEvent(e: RunEvent): LogLine | null {
  switch (e.kind) {
    case 'run-started':
      return {
        level: 'info',
        msg: `run ${e.runId} "${e.name}": ${e.stages} stages, about ${formatDuration(e.plannedMs)}, master ${e.masterUrl}${e.embedded ? ' (embedded local stack)' : ''}, reports in ${e.reportDir}`,
        fields: { event: e.kind, runId: e.runId, stages: e.stages, plannedMs: e.plannedMs, master: e.masterUrl, embedded: e.embedded, reportDir: e.reportDir },
      };
    case 'master-ready':
      return {
        level: 'info',
        msg: `master ready: Locust ${e.locustVersion ?? '(version unknown)'}, ${e.workers} workers, ${e.plugin !== null ? `locust-driver plugin ${e.plugin} (exact windows)` : "no locust-driver plugin (window edges estimated from the workers' reports; see docs/how-a-stage-works.md)"}`,
        fields: { event: e.kind, workers: e.workers, locustVersion: e.locustVersion, schema: e.schema, plugin: e.plugin },
      };
    case 'waiting-for-workers':
      return { level: 'info', msg: `waiting for workers: ${e.seen}/${e.expected} connected`, fields: { event: e.kind, expected: e.expected, seen: e.seen } };
    case 'stage-started':
      return {
        level: 'info',
        msg: `stage ${e.stage.index}/${e.of} "${e.stage.name}": ${e.stage.users} users at ${e.stage.spawnRate}/s, hold ${formatDuration(e.stage.durationMs)}`,
        fields: { event: e.kind, stage: e.stage.index, users: e.stage.users, spawnRate: e.stage.spawnRate, durationMs: e.stage.durationMs },
      };
    case 'kube-ready':
      return {
        level: 'info',
        msg: `Kubernetes: namespace ${e.namespace} at ${e.server}${e.inCluster ? ' (in-cluster service account)' : ' (kubeconfig)'}, permissions checked, holding Lease ${e.lease}`,
        fields: { event: e.kind, namespace: e.namespace, server: e.server, inCluster: e.inCluster, lease: e.lease },
      };
    case 'scaling':
      return { level: 'info', msg: `stage ${e.stage.index}/${e.of} ${e.message}`, fields: { event: e.kind, stage: e.stage.index } };
    case 'prepared':
      return {
        level: 'info',
        msg: `stage ${e.stage.index}/${e.of} cluster ready in ${(e.prepareMs / 1000).toFixed(1)}s`,
        fields: { event: e.kind, stage: e.stage.index, prepareMs: e.prepareMs },
      };
    case 'restored':
      return {
        level: e.failed.length > 0 ? 'warn' : 'info',
        msg: `restored the cluster: ${e.done.join('; ') || 'nothing'}${e.failed.length > 0 ? `; FAILED: ${e.failed.join('; ')}` : ''}`,
        fields: { event: e.kind, done: e.done, failed: e.failed },
      };
    case 'swarm-started':
      return { level: 'debug', msg: `stage ${e.stage.index}/${e.of} swarm started`, fields: { event: e.kind, stage: e.stage.index } };
    case 'ramp-complete':
      return {
        level: 'info',
        msg: `stage ${e.stage.index}/${e.of} ramped to ${e.users} users on ${e.workers} workers in ${(e.rampMs / 1000).toFixed(1)}s; measuring`,
        fields: { event: e.kind, stage: e.stage.index, rampMs: e.rampMs, users: e.users, workers: e.workers },
      };
    case 'window-read':
      return {
        level: 'debug',
        msg:
          e.why === 'stop'
            ? `stage ${e.stage.index}/${e.of} window not read live: the workers' last reports would end it ${e.endMs >= 0 ? '+' : ''}${e.endMs} ms from the planned end (more than ±500 ms); stopping at the planned end instead`
            : `stage ${e.stage.index}/${e.of} window read live: start ${e.startMs} ms from the reset, end ${e.endMs >= 0 ? '+' : ''}${e.endMs} ms from the planned one (${e.why}${e.lateReport ? ', a report landed during the read' : ''}; read took ${e.readMs} ms)`,
        fields: {
          event: e.kind,
          stage: e.stage.index,
          startMs: e.startMs,
          endMs: e.endMs,
          readAtMs: e.readAtMs,
          readMs: e.readMs,
          why: e.why,
          lateReport: e.lateReport,
          jumps: e.jumps,
        },
      };
    case 'plugin-incomplete':
      return {
        level: 'warn',
        msg: `stage ${e.stage.index}/${e.of} the plugin's ${e.op} was not acknowledged by ${e.missing.length > 0 ? e.missing.join(', ') : 'every worker'} in time: this window's ${e.op === 'reset' ? 'start' : 'end'} is estimated from the workers' reports`,
        fields: { event: e.kind, stage: e.stage.index, op: e.op, missing: e.missing },
      };
    case 'stats-reset':
      return { level: 'debug', msg: `stage ${e.stage.index}/${e.of} stats reset`, fields: { event: e.kind, stage: e.stage.index } };
    case 'sample': {
      const s = e.sample;
      const fail = s.requests > 0 ? (100 * s.failures) / s.requests : 0;
      const pct = e.runPlannedMs > 0 ? Math.min(99, Math.floor((100 * e.runElapsedMs) / e.runPlannedMs)) : 0;
      const left = Math.max(0, e.runPlannedMs - e.runElapsedMs);
      return {
        level: 'info',
        msg: `stage ${e.stage.index}/${e.of} [${secs(Math.min(s.elapsedMs, e.stage.durationMs))}/${secs(e.stage.durationMs)}] users=${s.users} rps=${num(s.rps)} p50=${ms(s.p50Ms)} p95=${ms(s.p95Ms)} fail=${fail.toFixed(2)}% workers=${s.workers}${cluster(s)} | run ${pct}% ~${formatDuration(left)} left`,
        fields: { event: e.kind, stage: e.stage.index, ...s },
      };
    }
    case 'stopping':
      return { level: 'debug', msg: `stage ${e.stage.index}/${e.of} stopping the swarm`, fields: { event: e.kind, stage: e.stage.index } };
    case 'stage-finished': {
      const r = e.result;
      const t = r.totals;
      const nums = t
        ? `${t.requests} requests, ${num(t.rps)} req/s, p50=${ms(t.p50Ms)} p95=${ms(t.p95Ms)} p99=${ms(t.p99Ms)}, fail=${(100 * t.failRatio).toFixed(2)}% over ${((r.window?.durationMs ?? 0) / 1000).toFixed(1)}s`
        : 'no numbers';
      const breaches = r.slo.filter((v) => !v.pass).map((v) => v.reason);
      const slo = r.slo.length === 0 ? '' : breaches.length > 0 ? `; SLO BREACHED: ${breaches.join('; ')}` : '; SLO met';
      return {
        level: r.status === 'completed' && breaches.length === 0 ? 'info' : 'warn',
        msg: `stage ${r.index}/${e.of} ${r.status}: ${nums}${slo}${r.reason ? ` — ${r.reason}` : ''}`,
        fields: { event: e.kind, stage: r.index, status: r.status, reason: r.reason, totals: t, window: r.window, slo: r.slo },
      };
    }
    case 'cooldown':
      return { level: 'debug', msg: `cooling down ${formatDuration(e.ms)}`, fields: { event: e.kind, stage: e.stage.index, ms: e.ms } };
    case 'compared': {
      const c = e.comparison;
      return {
        level: c.regression ? 'warn' : 'info',
        msg: `comparison with ${c.baselineRunId}: ${c.regression ? 'REGRESSION: ' : ''}${c.reason}`,
        fields: { event: 'comparison', baseline: c.baselineRunId, regression: c.regression },
      };
    }
    case 'warning':
      return { level: 'warn', msg: e.message, fields: { event: e.kind } };
    case 'run-finished': {
      const r = e.run;
      const best = e.best ? `; best ${e.best.reason}` : '';
      const knee = e.knee ? `; knee: ${e.knee.reason}` : '';
      const verdict = r.verdict === 'none' ? '' : `, verdict ${r.verdict.toUpperCase()}`;
      const cap = r.capacity ? `; capacity: ${r.capacity.reason}` : '';
      const summary = e.summaryConfigMap ? `; run summary in ConfigMap ${e.summaryConfigMap.name} (namespace ${e.summaryConfigMap.namespace})` : '';
      return {
        level: r.status === 'completed' && r.verdict !== 'fail' ? 'info' : 'error',
        msg: `run ${r.runId} ${r.status}${verdict}${r.error ? ` (${r.error})` : ''}: ${r.stages.length} stages${best}${knee}${cap}; reports in ${e.reportDir}${summary}`,
        fields: {
          event: e.kind,
          runId: r.runId,
          status: r.status,
          verdict: r.verdict,
          reportDir: e.reportDir,
          best: e.best,
          knee: e.knee,
          summaryConfigMap: e.summaryConfigMap,
        },
      };
    }
  }
}
