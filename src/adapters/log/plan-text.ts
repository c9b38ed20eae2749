// The expanded stage plan as a plain-text table, for `validate` and the start of `run`.
import type { RunPlan } from '../../core/model.js';
import { capacityProbeBound, expectedRunMs, expectedStageMs } from '../../core/plan.js';
import { formatDuration } from '../../core/units.js';

export function formatPlan(plan: RunPlan, masterOverride: string | null, localWorkers: number): string {
  const scales = plan.stages.some((s) => s.replicas !== null || s.hpa !== null || s.workers !== null);
  const head = ['#', 'stage', ...(scales ? ['replicas', 'workers'] : []), 'users', 'spawn/s', 'hold', 'cooldown', 'sample', 'expected'];
  const rows = plan.stages.map((s, i) => [
    String(s.index),
    s.name,
    ...(scales
      ? [
          s.hpa ? `hpa ${s.hpa.min}-${s.hpa.max}@${s.hpa.cpuPercent}%` : s.replicas === null ? '-' : String(s.replicas),
          s.workers === null ? '-' : String(s.workers),
        ]
      : []),
    String(s.users),
    String(s.spawnRate),
    formatDuration(s.durationMs),
    i === plan.stages.length - 1 || plan.transition === 'continue' ? '-' : formatDuration(s.cooldownMs),
    formatDuration(s.sampleEveryMs),
    plan.transition === 'continue' ? '-' : formatDuration(expectedStageMs(s, i === plan.stages.length - 1)),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((v, c) => (c === 1 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  ');
  const master = withoutCredentials(masterOverride ?? plan.locust.url);
  const where = master
    ? `master ${master} (waits for ${plan.locust.expectWorkers} worker${plan.locust.expectWorkers === 1 ? '' : 's'})`
    : `no master configured: run starts the embedded local stack (Locust master + ${localWorkers} workers + the sample inference service on 127.0.0.1)`;
  return [
    `${plan.source}: "${plan.name}" — ${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'}, expected about ${formatDuration(expectedRunMs(plan))} (including Locust's ramp, stop and report waits)`,
    where,
    plan.target.host ? `target ${plan.target.host}${plan.target.healthPath ? ` (health ${plan.target.healthPath})` : ''}` : '',
    plan.kubernetes ? kubeLine(plan) : '',
    plan.capacity
      ? `capacity search: from ${plan.capacity.startUsers} users, ×${plan.capacity.factor} until the first SLO breach, then bisect to ±${plan.capacity.precisionUsers} users (at most ${capacityProbeBound(plan.capacity)} probes, up to ${plan.capacity.maxUsers} users); the table shows the first probe`
      : '',
    `between stages: ${plan.transition === 'continue' ? 'continue (the users keep running; each stage re-targets the swarm and resets the stats after its ramp; no cooldown)' : 'restart (stop, final read, cooldown)'}; a stage interrupted by a master or worker fault is retried up to ${plan.retry.attempts}× after waiting up to ${formatDuration(plan.retry.masterTimeoutMs)} for the master`,
    '',
    line(head),
    ...rows.map(line),
  ]
    .filter((l, i) => l !== '' || i === 6)
    .join('\n');
}

/** The URL as it may be shown: user and password removed (they stay in the client only). */
function withoutCredentials(url: string | null): string | null {
  if (url === null) return null;
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function kubeLine(plan: RunPlan): string {
  const k = plan.kubernetes!;
  const parts = [
    k.target ? `target deployment ${k.target.deployment} (HPA ${k.target.hpa} if present)` : '',
    k.workers ? `workers deployment ${k.workers.deployment}` : '',
  ].filter(Boolean);
  return `kubernetes: namespace ${k.namespace ?? "(the pod's own)"}, ${parts.join(', ') || 'nothing scaled'}; each stage adds the time to scale and roll out (bounded by scaleTimeout); restore ${k.restore ? 'on' : 'off'}`;
}
