// The collect phase: the final read (after the workers' last reports, unless the window was read
// live), the totals, the SLO verdict, the checks that can make a stage invalid, and the outcome the
// run loop gets — including how the master was left, for the next stage's start.
import type { LiveStats, StageResult, StageStatus, WindowStats } from '../model.js';
import type { DriverError } from '../errors.js';
import { LOCUST_TIMING } from '../locust-timing.js';
import { toEndpointTotals, toTotals } from '../summary.js';
import { evaluateSlo } from '../slo.js';
import { rampShortfall, saturation } from './faults.js';
import type { StageRun } from './context.js';
import type { StageOutcome } from './types.js';
import { isoTime } from '../units.js';
import { rampOverlapMs } from '../window.js';
import { stageAutoscale } from '../autoscale/stage.js';
import type { Timeline } from './context.js';

export async function collect(
  run: StageRun,
  finalStatus: StageStatus,
  finalReason: string | null,
  fatal: DriverError | null,
  interrupted: string | null = null,
): Promise<StageOutcome> {
  const { t, stage, opts, samples, seen } = run;
  const { clock, emit, lg } = run.deps;
  let status = finalStatus;
  let reason = finalReason;
  let window: WindowStats | null = run.liveWindow;
  if (window === null && t.stoppedAt !== null && t.resetAt !== null && interrupted === null) {
    // Workers send their last delta up to one report interval after the stop: read only then.
    const wait = t.stoppedAt + LOCUST_TIMING.finalReportWaitMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
    window = await lg.window();
  }
  const start = t.windowStart ?? t.resetAt;
  const winMs = start !== null && t.endAt !== null ? Math.max(1, t.endAt - start) : null;
  const totals = window && winMs !== null ? toTotals(window.aggregated, winMs) : null;
  const slo = stage.slo && status === 'completed' ? evaluateSlo(stage.slo, totals) : [];
  // Saturated load generators measure Locust, not the service: such a stage never passes.
  if (status === 'completed') {
    const invalid = saturation(samples, run.expectWorkers) ?? rampShortfall(samples, stage.users);
    if (invalid) {
      status = 'invalid';
      reason = invalid;
    }
  }
  const result: StageResult = {
    index: stage.index,
    name: stage.name,
    slug: stage.slug,
    status,
    reason,
    users: stage.users,
    spawnRate: stage.spawnRate,
    replicas: stage.replicas,
    workers: stage.workers,
    hpa: stage.hpa,
    prepareMs: t.prepareMs,
    plannedDurationMs: stage.durationMs,
    startedAt: isoTime(t.startedAt),
    finishedAt: isoTime(clock.now()),
    rampMs: t.rampMs,
    window:
      start !== null && t.endAt !== null && t.resetAt !== null
        ? {
            start: isoTime(start),
            end: isoTime(t.endAt),
            resetAt: isoTime(t.resetAt),
            durationMs: t.endAt - start,
            edges: t.pluginEdges ? 'plugin' : 'reports',
            rampOverlapMs: rampOverlapMs(start, t.endAt, t.rampMs !== null && t.swarmAt !== null ? t.swarmAt + t.rampMs : null),
            uncertaintyMs: { start: t.startUncertaintyMs ?? LOCUST_TIMING.workerReportMs, end: endUncertainty(t) },
          }
        : null,
    totals,
    slo,
    endpoints: window && winMs !== null ? window.endpoints.map((e) => toEndpointTotals(e, winMs)) : [],
    failures: window?.failures ?? [],
    exceptionCount: window?.exceptionCount ?? 0,
    workersSeen: seen.workersMax > 0 ? { min: seen.workersMin, max: seen.workersMax } : null,
    workerCpuMaxPercent: seen.cpuMax,
    samples,
    attempt: opts.attempt ?? 1,
    retries: opts.retries ?? [],
  };
  const fullLoadAt = t.swarmAt !== null && t.rampMs !== null ? t.swarmAt + t.rampMs : null;
  const autoscale = stageAutoscale(stage, samples, fullLoadAt, start !== null && t.endAt !== null ? { start, end: t.endAt } : null, totals);
  if (autoscale) result.autoscale = autoscale;
  emit({ kind: 'stage-finished', result, of: opts.of });
  const running = run.liveWindow !== null && t.stopAskedAt === null;
  const clean = status !== 'aborted' && interrupted === null && fatal === null && seen.last !== null;
  return {
    result,
    window,
    stoppedAt: t.stopAskedAt,
    fatal,
    interrupted,
    running,
    known: clean ? leftAs(seen.last, running, t.stoppedAt !== null, stage.users) : null,
  };
}

/** The master as a cleanly ended stage left it: running its users (a hand-over), stopped, or unknown. */
function leftAs(last: LiveStats | null, running: boolean, stopped: boolean, users: number): LiveStats | null {
  if (last === null) return null;
  if (running) return { ...last, state: 'running', userCount: users };
  if (stopped) return { ...last, state: 'stopped', userCount: 0, workers: last.workers.map((w) => ({ ...w, state: 'ready', userCount: 0 })) };
  return null;
}

/**
 * How far the end may be off. Read live or flushed: as measured then. Stopped: the window ends at
 * the /stop request, and the users stop while that call runs (it blocks until every worker has
 * stopped), so the counted requests end within the call.
 */
function endUncertainty(t: Timeline): number {
  if (t.endUncertaintyMs !== null) return t.endUncertaintyMs;
  if (t.stopAskedAt !== null && t.stoppedAt !== null && t.endAt !== null) return Math.max(0, t.stoppedAt - t.endAt);
  return LOCUST_TIMING.workerReportMs;
}
