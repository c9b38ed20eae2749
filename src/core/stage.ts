// One stage, step by step: ramp → reset → measure → stop → final read (product.md §4).
// Works only through the ports, so it runs the same against a real master and against fakes.
import type { Clock, Cluster, EventSink, LoadGenerator } from '../ports.js';
import type { KubernetesPlan, LiveStats, Sample, StagePlan, StageResult, StageRetry, StageStatus, WindowStats } from './model.js';
import { NO_OBSERVATION, observeCluster, PrepareTimeout, prepareStage, type ScalingState } from './scaling.js';
import { AbortedError, DriverError, InfraError, InternalError, LocustError, StopFailedError } from './errors.js';
import { LIVE_READ_MIN_MS, LOCUST_TIMING, plannedRampMs, RAMP_MARGIN_MS } from './locust-timing.js';
import { estimateWindowEnd, estimateWindowStart, readWindowNow, type CountObservation } from './window.js';
import { toEndpointTotals, toTotals } from './summary.js';
import { evaluateSlo } from './slo.js';
import { formatDuration } from './units.js';

export interface StageDeps {
  lg: LoadGenerator;
  clock: Clock;
  emit: EventSink;
  signal: AbortSignal;
  /** Present when the matrix has a kubernetes: section. */
  kube?: { cluster: Cluster; plan: KubernetesPlan; state: ScalingState } | null;
}

export interface StageOptions {
  /** Sent as `host` with /swarm; null keeps the master's own --host. */
  host: string | null;
  of: number;
  runStartedAt: number;
  runPlannedMs: number;
  /** Workers the stage should have (stage.workers, else the run's expectation): fewer → invalid. */
  expectWorkers?: number;
  /** Poll interval while waiting for the ramp (reads hit Locust's 2 s cache, so polling is cheap). */
  rampPollMs?: number;
  /** Poll interval of the uncached count right after the reset (sets the window start's precision). */
  countPollMs?: number;
  /** transition: continue — the previous stage left its swarm running: re-target it. */
  continuing?: boolean;
  /** transition: continue and a stage follows: read the window without stopping, leave the users running. */
  handOff?: boolean;
  /** The run's last stage: nothing waits for the stop, so a long window is read before it. */
  last?: boolean;
  /** Workers dropping below the expected count mid-stage: mark invalid (default) or interrupt for a retry. */
  onWorkerLoss?: 'invalid' | 'retry';
  /** The master as the previous stage left it (stopped, or running its users for a hand-over): no read needed before the /swarm. */
  known?: LiveStats | null;
  /** Which attempt this is (1-based) and why the earlier ones were interrupted. */
  attempt?: number;
  retries?: StageRetry[];
}

/** A fault a retry may cure: the master went away or restarted, or the workers left. */
export class StageInterrupted extends Error {}

/** Locust's own answer to a fault that is not going to change by waiting (auth, refused swarm). */
const PERMANENT = new Set(['LOCUST_AUTH', 'LOCUST_SWARM_REFUSED', 'LOCUST_STOP_FAILED', 'LOCUST_UNSUPPORTED']);

/** Whether an error in the middle of a stage means "the master is (temporarily) gone". */
export function isMasterFault(e: unknown): boolean {
  return e instanceof LocustError && !PERMANENT.has(e.code);
}

export interface StageOutcome {
  result: StageResult;
  window: WindowStats | null;
  /** When the stop was asked for (the cooldown counts from here); null when no swarm was stopped. */
  stoppedAt: number | null;
  /** Set when the run cannot go on (interrupted, refused): the run loop stops after this stage. */
  fatal: DriverError | null;
  /** Set when a master or worker fault interrupted the stage: the run loop may wait and retry it. */
  interrupted: string | null;
  /** The users are still running (transition: continue hands them to the next stage). */
  running: boolean;
  /** After a clean end: the master as this stage left it (stopped, or running for a hand-over), for the next stage's start. */
  known: LiveStats | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function runStage(deps: StageDeps, stage: StagePlan, opts: StageOptions): Promise<StageOutcome> {
  const { lg, clock, emit, signal } = deps;
  const kube = deps.kube ?? null;
  let prepareMs: number | null = null;
  const rampPollMs = opts.rampPollMs ?? 250;
  const countPollMs = opts.countPollMs ?? 100;
  const startedAt = clock.now();
  const samples: Sample[] = [];
  let swarmAt: number | null = null;
  let swarmSentAt: number | null = null;
  let runningSeen = false;
  let rampMs: number | null = null;
  let resetAt: number | null = null;
  let windowStart: number | null = null;
  let endAt: number | null = null;
  let stoppedAt: number | null = null;
  let workersMin = Number.POSITIVE_INFINITY;
  let workersMax = 0;
  let cpuMax: number | null = null;
  let stopAskedAt: number | null = null;
  /** transition: continue: the window read while the users kept running (no stop, no final wait). */
  let liveWindow: WindowStats | null = null;
  const expectWorkers = stage.workers ?? opts.expectWorkers ?? null;

  let lastSeen: LiveStats | null = null;
  let lastWorkers = 1;
  const observe = (s: LiveStats) => {
    lastSeen = s;
    lastWorkers = Math.max(1, s.workerCount);
    workersMin = Math.min(workersMin, s.workerCount);
    workersMax = Math.max(workersMax, s.workerCount);
    for (const w of s.workers) if (w.cpuPercent !== null) cpuMax = Math.max(cpuMax ?? 0, w.cpuPercent);
  };

  /** Stops the swarm without wedging the master: never within moments of a /swarm that has not ramped. */
  let stopFailed: StopFailedError | null = null;
  const safeStop = async (stopSignal?: AbortSignal) => {
    if (stoppedAt !== null) return;
    if (stopFailed) throw stopFailed; // every way was tried once: trying again only keeps the load on
    // A /swarm still in flight (or whose answer was lost) may have started the users: stop those too.
    if (swarmAt === null && swarmSentAt !== null) swarmAt = swarmSentAt;
    if (swarmAt === null) return;
    if (!runningSeen) {
      const wait = swarmAt + LOCUST_TIMING.workerReportMs - clock.now();
      if (wait > 0) await clock.sleep(wait);
    }
    endAt ??= clock.now();
    emit({ kind: 'stopping', stage, of: opts.of });
    stopAskedAt = clock.now();
    try {
      await lg.stop(stopSignal);
    } catch (e) {
      if (e instanceof StopFailedError) stopFailed = e;
      throw e;
    }
    stoppedAt = clock.now();
  };

  const finish = async (finalStatus: StageStatus, finalReason: string | null, fatal: DriverError | null, interrupted: string | null = null): Promise<StageOutcome> => {
    let status = finalStatus;
    let reason = finalReason;
    let window: WindowStats | null = liveWindow;
    if (window === null && stoppedAt !== null && resetAt !== null && interrupted === null) {
      // Workers send their last delta up to one report interval after the stop: read only then.
      const wait = stoppedAt + LOCUST_TIMING.finalReportWaitMs - clock.now();
      if (wait > 0) await clock.sleep(wait);
      window = await lg.window();
    }
    const start = windowStart ?? resetAt;
    const winMs = start !== null && endAt !== null ? Math.max(1, endAt - start) : null;
    const totals = window && winMs !== null ? toTotals(window.aggregated, winMs) : null;
    const slo = stage.slo && status === 'completed' ? evaluateSlo(stage.slo, totals) : [];
    // Saturated load generators measure Locust, not the service: such a stage never passes.
    if (status === 'completed') {
      const invalid = saturation(samples, expectWorkers) ?? rampShortfall(samples, stage.users);
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
      prepareMs,
      plannedDurationMs: stage.durationMs,
      startedAt: iso(startedAt),
      finishedAt: iso(clock.now()),
      rampMs,
      window: start !== null && endAt !== null && resetAt !== null ? { start: iso(start), end: iso(endAt), resetAt: iso(resetAt), durationMs: endAt - start } : null,
      totals,
      slo,
      endpoints: window && winMs !== null ? window.endpoints.map((e) => toEndpointTotals(e, winMs)) : [],
      failures: window?.failures ?? [],
      exceptionCount: window?.exceptionCount ?? 0,
      workersSeen: workersMax > 0 ? { min: workersMin, max: workersMax } : null,
      workerCpuMaxPercent: cpuMax,
      samples,
      attempt: opts.attempt ?? 1,
      retries: opts.retries ?? [],
    };
    emit({ kind: 'stage-finished', result, of: opts.of });
    const running = liveWindow !== null && stopAskedAt === null;
    const clean = status !== 'aborted' && interrupted === null && fatal === null && lastSeen !== null;
    const known: LiveStats | null = !clean || lastSeen === null
      ? null
      : running
        ? { ...lastSeen, state: 'running', userCount: stage.users }
        : stoppedAt !== null
          ? { ...lastSeen, state: 'stopped', userCount: 0, workers: lastSeen.workers.map((w) => ({ ...w, state: 'ready', userCount: 0 })) }
          : null;
    return { result, window, stoppedAt: stopAskedAt, fatal, interrupted, running, known };
  };

  try {
    emit({ kind: 'stage-started', stage, of: opts.of });
    if (kube) {
      try {
        prepareMs = await prepareStage({ cluster: kube.cluster, lg, clock, emit, signal }, kube.plan, stage, kube.state, opts.of);
      } catch (e) {
        if (e instanceof PrepareTimeout) return await finish('failed', e.message, null);
        throw e;
      }
    }
    // A fresh read here would fill Locust's 2 s cache just before the /swarm and hide the ramp's end
    // for 2 s: after a stage this driver ended cleanly, it knows the state (stopped, or handed over).
    // Not after a prepare step, though: scaling changed what the master has (its workers).
    const reused = kube ? null : (opts.known ?? null);
    const before = reused ?? (await lg.stats(signal));
    if (!reused) observe(before); // a remembered snapshot says nothing new about this stage's workers
    if (before.workerCount === 0) {
      if (opts.continuing || (opts.attempt ?? 1) > 1) throw new StageInterrupted(`no Locust workers are connected to ${lg.url}`);
      throw new InfraError(`no Locust workers are connected to ${lg.url}: start workers (or check --master-host on them) and run again`);
    }
    if (!opts.continuing && busy(before)) {
      throw new InfraError(`the Locust master at ${lg.url} is already running a test (state ${before.state}); stop it in its web UI (or POST /stop; GET up to 2.46), then run again`);
    }
    if (opts.continuing && before.state !== 'running' && before.state !== 'spawning') {
      throw new StageInterrupted(`the swarm handed over by the previous stage is gone (master state ${before.state}, ${before.userCount} users): the master restarted or stopped`);
    }

    // Ramp. The state before was ready/stopped, so any "running" read now is from after our /swarm,
    // even through Locust's 2 s cache.
    swarmSentAt = clock.now();
    await lg.swarm(stage.users, stage.spawnRate, opts.host, signal);
    swarmAt = clock.now();
    emit({ kind: 'swarm-started', stage, of: opts.of });
    let last = before;
    if (opts.continuing) {
      // Re-targeting a running swarm: Locust's cache still shows the old count for up to 2 s, so the
      // driver waits the planned ramp instead of polling, and the first sample checks the count.
      runningSeen = true;
      await clock.sleep(plannedRampMs(stage, before.userCount) + RAMP_MARGIN_MS.continue, signal);
    } else {
      // Every fresh read is cached for 2 s: a read in the middle of the ramp would hide its end for
      // that long, so the first one waits for the planned ramp plus Locust's spawn-complete report.
      let wait = Math.max(rampPollMs, plannedRampMs(stage) + RAMP_MARGIN_MS.report);
      for (;;) {
        await clock.sleep(wait, signal);
        wait = rampPollMs;
        last = await lg.stats(signal);
        observe(last);
        if (last.state === 'running' && last.userCount === stage.users) break;
        if (last.state === 'running' || last.state === 'spawning') runningSeen = true;
        if (last.workerCount === 0 && clock.now() - swarmAt > LOCUST_TIMING.workerReportMs) {
          throw new StageInterrupted(`every Locust worker left ${lg.url} during the ramp of stage ${stage.index} (state ${last.state}); if the worker processes are still alive the master is wedged: restart it`);
        }
        if (clock.now() - swarmAt > LOCUST_TIMING.statsCacheMs + rampPollMs && (last.state === 'ready' || last.state === 'stopped') && runningSeen) {
          throw new StageInterrupted(`the Locust master went back to ${last.state} during the ramp of stage ${stage.index}: it restarted or lost its workers`);
        }
        if (clock.now() - swarmAt > stage.rampTimeoutMs) {
          runningSeen = runningSeen || last.state !== 'ready';
          await safeStop();
          return await finish('failed', `the ramp did not finish within rampTimeout ${formatDuration(stage.rampTimeoutMs)}: master state ${last.state}, ${last.userCount}/${stage.users} users, ${last.workerCount} workers`, null);
        }
      }
    }
    runningSeen = true;
    rampMs = clock.now() - swarmAt;
    emit({ kind: 'ramp-complete', stage, of: opts.of, rampMs, users: opts.continuing ? stage.users : last.userCount, workers: last.workerCount });

    // Reset, then measure. The reset takes effect while the call is in flight: take the midpoint.
    const t0 = clock.now();
    await lg.resetStats(signal);
    resetAt = Math.round((t0 + clock.now()) / 2);
    emit({ kind: 'stats-reset', stage, of: opts.of });
    const rs = resetAt;
    let watcherDone = false;

    const watchReports = async (): Promise<void> => {
      const obs: CountObservation[] = [];
      while (clock.now() <= rs + LOCUST_TIMING.workerReportMs + 250) {
        try {
          const count = await lg.aggregatedCount(signal);
          obs.push({ at: clock.now(), count });
        } catch (e) {
          if (signal.aborted) throw e;
          break; // the estimate falls back to the reset time; the sampler reports real outages
        }
        await clock.sleep(countPollMs, signal);
      }
      windowStart = estimateWindowStart(rs, obs, LOCUST_TIMING.workerReportMs).startMs;
      watcherDone = true;
    };

    const sampleLoop = async (): Promise<void> => {
      // Locust serves the previous numbers for up to 2 s after a reset: the first sample waits that out.
      let next = rs + Math.max(stage.sampleEveryMs, LOCUST_TIMING.statsCacheMs + 100);
      for (;;) {
        // Until the start estimate exists the end is provisional (and later than the final one).
        const end = (windowStart ?? rs) + stage.durationMs;
        const now = clock.now();
        if (now >= end) {
          if (watcherDone) return;
          await clock.sleep(countPollMs, signal);
          continue;
        }
        if (next >= end) {
          await clock.sleep(Math.min(end - now, watcherDone ? end - now : countPollMs), signal);
          continue;
        }
        await clock.sleep(Math.max(0, next - now), signal);
        const [s, cl] = await Promise.all([
          lg.stats(signal),
          kube ? observeCluster(kube.cluster, kube.plan, kube.state, signal).catch(() => NO_OBSERVATION) : Promise.resolve(NO_OBSERVATION),
        ]);
        observe(s);
        const fault = midStageFault(s, samples.at(-1) ?? null, opts.onWorkerLoss === 'retry' ? expectWorkers : null);
        if (fault) throw new StageInterrupted(fault);
        // Locust's rolling values cover about the last 10 s (ending 2 s ago) and read 0 until data
        // arrives after the reset: a 0 then means "no data yet", never "fast".
        const warming = clock.now() - rs < LOCUST_TIMING.statsCacheMs + LOCUST_TIMING.currentWindowMs;
        const rolling = (v: number | null) => (warming && v === 0 ? null : v);
        const sample: Sample = {
          at: iso(clock.now()),
          elapsedMs: clock.now() - rs,
          users: s.userCount,
          workers: s.workerCount,
          requests: s.requests,
          failures: s.failures,
          rps: rolling(s.currentRps),
          failPerSec: warming && s.currentRps === 0 ? null : s.currentFailPerSec,
          p50Ms: rolling(s.currentP50Ms),
          p95Ms: rolling(s.currentP95Ms),
          workerCpuMaxPercent: s.workers.reduce<number | null>((m, w) => (w.cpuPercent === null ? m : Math.max(m ?? 0, w.cpuPercent)), null),
          ...cl,
        };
        samples.push(sample);
        emit({ kind: 'sample', stage, of: opts.of, sample, runElapsedMs: clock.now() - opts.runStartedAt, runPlannedMs: opts.runPlannedMs });
        next += stage.sampleEveryMs;
      }
    };

    // transition: continue — the window is read while the users keep running, so its end is where
    // the workers' last reports reach (see estimateWindowEnd), watched over the last report interval.
    const endObs: CountObservation[] = [];
    const watchEnd = async (): Promise<void> => {
      for (;;) {
        const end = (windowStart ?? rs) + stage.durationMs;
        const from = end - LOCUST_TIMING.workerReportMs - 300;
        const now = clock.now();
        if (now >= end && watcherDone) return;
        if (now < from) {
          await clock.sleep(Math.min(from - now, 1_000), signal);
          continue;
        }
        try {
          endObs.push({ at: clock.now(), count: await lg.aggregatedCount(signal) });
        } catch (e) {
          if (signal.aborted) throw e; // the sampler reports real outages
        }
        await clock.sleep(countPollMs, signal);
      }
    };

    // Between stages the window ends with the stop and is read once the workers' last reports are
    // in (that wait overlaps the cooldown): its end is exact. Where no cooldown follows — a hand-over
    // (transition: continue) or the run's last stage, if long enough to find both edges from the
    // workers' reports — the window is read while the users still run, saving the 3.5 s wait.
    const liveRead = opts.handOff === true || (opts.last === true && stage.durationMs >= LIVE_READ_MIN_MS);
    await Promise.all([watchReports(), sampleLoop(), liveRead ? watchEnd() : Promise.resolve()]);
    if (liveRead) {
      const nominalEnd = (windowStart ?? rs) + stage.durationMs;
      endAt = nominalEnd;
      // The counted requests reach only each worker's last report: keep watching until they come
      // closest to the planned window (at most one report interval), so windows last what the matrix says.
      const edge = () => estimateWindowEnd(nominalEnd, endObs, lastWorkers, LOCUST_TIMING.workerReportMs);
      for (;;) {
        const e = edge();
        if (readWindowNow(nominalEnd, e, countPollMs) || clock.now() >= nominalEnd + LOCUST_TIMING.workerReportMs + 300) break;
        await clock.sleep(countPollMs, signal);
        endObs.push({ at: clock.now(), count: await lg.aggregatedCount(signal) });
      }
      const w = await lg.window(signal);
      // A report that landed between the last poll and the read is in the numbers: count it in.
      const lastObs = endObs.at(-1);
      if (!lastObs || w.aggregated.requests !== lastObs.count) endObs.push({ at: clock.now(), count: w.aggregated.requests });
      endAt = edge().endMs;
      liveWindow = w;
      // Restart: stop now. The next /swarm may follow at once: a worker clears its unsent numbers
      // when a new test reaches it, and the next window starts after a reset anyway.
      if (!opts.handOff) await safeStop();
      return await finish('completed', null, null);
    }
    await safeStop();
    return await finish('completed', null, null);
  } catch (e) {
    const interrupted = e instanceof StageInterrupted ? e.message : !signal.aborted && isMasterFault(e) ? `the Locust master stopped answering: ${(e as Error).message}` : null;
    if (interrupted !== null) {
      liveWindow = null;
      try {
        // A master that hangs must not hold the run: the wait for its return is the run loop's.
        await safeStop(AbortSignal.timeout(INTERRUPTED_STOP_TIMEOUT_MS));
      } catch (s) {
        // Users that would not stop end the run; a master that is gone is the run loop's to wait
        // for, and it stops any leftover swarm once the master is back.
        if (s instanceof StopFailedError) return await finish('failed', s.message, s);
      }
      return await finish('failed', `interrupted: ${interrupted}`, null, interrupted);
    }
    let fatal = e instanceof DriverError ? e : signal.aborted && signal.reason instanceof DriverError ? signal.reason : new InternalError(`stage ${stage.index}`, e);
    liveWindow = null;
    try {
      await safeStop();
    } catch (s) {
      // Users that would not stop outrank what ended the stage (even a signal: exit 3, not 143).
      if (s instanceof StopFailedError) fatal = s;
      // else the master is gone: nothing more to stop from here
    }
    const aborted = fatal instanceof AbortedError;
    try {
      return await finish(aborted ? 'aborted' : 'failed', fatal.message, fatal);
    } catch {
      stoppedAt = null; // the final read failed too: report the stage without numbers
      return await finish(aborted ? 'aborted' : 'failed', fatal.message, fatal);
    }
  }
}

/**
 * Whether the master is running a test. `stopping` with no users and every connected worker ready is
 * not: Locust stays there after a stop until it drops a worker that went missing (~60 s).
 */
export function busy(s: LiveStats): boolean {
  if (s.state === 'running' || s.state === 'spawning') return true;
  if (s.state !== 'stopping') return false;
  return s.userCount > 0 || s.workers.some((w) => w.state !== 'ready' && w.state !== 'missing');
}

/** How long an interrupted stage tries to stop the users before leaving it to the run loop. */
const INTERRUPTED_STOP_TIMEOUT_MS = 5_000;

/** What a live read in the middle of the window says went wrong with the master, or null. */
export function midStageFault(s: LiveStats, prev: Sample | null, expectWorkers: number | null): string | null {
  if (s.state === 'ready' || s.state === 'stopped' || s.state === 'stopping') {
    return `the Locust master is ${s.state} in the middle of the window (${s.userCount} users, ${s.workerCount} workers): it restarted, someone stopped the test, or every worker left`;
  }
  if (s.workerCount === 0) return `every Locust worker left the master in the middle of the window (state ${s.state})`;
  if (prev && s.requests < prev.requests) return `the master's request count went back from ${prev.requests} to ${s.requests} in the middle of the window: it restarted or its stats were reset`;
  if (expectWorkers !== null && s.workerCount < expectWorkers) return `workers dropped to ${s.workerCount} of ${expectWorkers} in the middle of the window (retry.onWorkerLoss: retry)`;
  return null;
}

/** The window must start at the stage's user count: a ramp that was not done shows in the first sample. */
export function rampShortfall(samples: Sample[], users: number): string | null {
  const first = samples[0];
  if (!first || first.users === users) return null;
  return `the ramp to ${users} users was not complete when the window started (${first.users} users in the first sample) — the workers could not start them in time: add workers, lower the users, or (with transition: continue) use transition: restart`;
}

/** Worker CPU at or over this (percent of one core) means Locust itself is the bottleneck. */
export const SATURATED_CPU_PERCENT = 90;

/** Why the window's numbers describe the load generators rather than the service, or null. */
export function saturation(samples: Sample[], expectedWorkers: number | null): string | null {
  if (samples.length === 0) return null;
  // Loops, not Math.max(...): a day of 1 s samples is too many arguments for a spread.
  let cpu = 0;
  let fewest = Number.POSITIVE_INFINITY;
  for (const s of samples) {
    cpu = Math.max(cpu, s.workerCpuMaxPercent ?? 0);
    fewest = Math.min(fewest, s.workers);
  }
  if (cpu >= SATURATED_CPU_PERCENT) {
    return `the load generators were saturated: a worker used ${Math.round(cpu)}% CPU (≥ ${SATURATED_CPU_PERCENT}%), so these numbers describe Locust, not the service — add workers or lower the users`;
  }
  if (expectedWorkers !== null && fewest < expectedWorkers) {
    return `workers were missing during the window: ${fewest} of ${expectedWorkers} connected, so the load was not what the stage asked for`;
  }
  return null;
}
