// The measure phase: the reset, then the window. Three loops run side by side: the first reports
// after the reset (they place the window's start), the samples (progress, faults, saturation) and,
// when the window is read while the users run, the last reports before its end (they place its end).
import { NO_OBSERVATION, observeCluster } from '../scaling.js';
import type { Sample } from '../model.js';
import { LOCUST_TIMING } from '../locust-timing.js';
import {
  estimateWindowEnd,
  estimateWindowStart,
  liveReadOrStop,
  readWindowNow,
  startUncertaintyMs,
  liveEndUncertaintyMs,
  type CountObservation,
} from '../window.js';
import { toSample } from './sample.js';
import { midStageFault, StageInterrupted } from './faults.js';
import { observe, type StageRun } from './context.js';

/**
 * Resets and measures until the window's planned end. Between stages the window ends with the stop
 * and is read once the workers' last reports are in (that wait overlaps the cooldown): its end is
 * exact. Where no cooldown follows — a hand-over or the run's last stage, if long enough to find
 * both edges from the workers' reports — the window is read while the users still run (readLive),
 * saving the 3.5 s wait.
 */
export async function measure(run: StageRun): Promise<CountObservation[]> {
  const { t, stage, opts, kube } = run;
  const { lg, clock, emit, signal } = run.deps;
  // Reset, then measure. The reset takes effect while the call is in flight: take the midpoint.
  const t0 = clock.now();
  let exactStart = false;
  if (run.plugin) {
    // Every worker dropped its unsent numbers before the master reset: nothing from before counts.
    const r = await lg.resetAll(signal);
    exactStart = r.complete;
    if (!r.complete) emit({ kind: 'plugin-incomplete', stage, of: opts.of, op: 'reset', missing: r.missing });
  } else {
    await lg.resetStats(signal);
  }
  t.resetAt = Math.round((t0 + clock.now()) / 2);
  emit({ kind: 'stats-reset', stage, of: opts.of });
  const rs = t.resetAt;
  let watcherDone = exactStart;
  if (exactStart) {
    t.pluginEdges = true;
    t.windowStart = rs;
    t.startUncertaintyMs = Math.ceil((clock.now() - t0) / 2);
  }

  const watchReports = async (): Promise<void> => {
    if (exactStart) return;
    const obs: CountObservation[] = [];
    while (clock.now() <= rs + LOCUST_TIMING.workerReportMs + 250) {
      try {
        const count = await lg.aggregatedCount(signal);
        obs.push({ at: clock.now(), count });
      } catch (e) {
        if (signal.aborted) throw e;
        break; // the estimate falls back to the reset time; the sampler reports real outages
      }
      // Every worker reports once in the interval: once each one's first report is in, the start
      // is final (a short hold then ends on time instead of after the whole interval).
      if (estimateWindowStart(rs, obs, LOCUST_TIMING.workerReportMs).jumps.length >= run.seen.workers) break;
      await clock.sleep(run.countPollMs, signal);
    }
    const est = estimateWindowStart(rs, obs, LOCUST_TIMING.workerReportMs);
    t.windowStart = est.startMs;
    t.startUncertaintyMs = startUncertaintyMs(est.jumps.length > 0, run.countPollMs);
    watcherDone = true;
  };

  const sampleLoop = async (): Promise<void> => {
    // Locust serves the previous numbers for up to 2 s after a reset: the first sample waits that out
    // (the plugin's view is not cached: its first sample comes at the cadence asked).
    let next = rs + (run.plugin ? stage.sampleEveryMs : Math.max(stage.sampleEveryMs, LOCUST_TIMING.statsCacheMs + 100));
    for (;;) {
      // Until the start estimate exists the end is provisional (and later than the final one).
      const end = (t.windowStart ?? rs) + stage.durationMs;
      const now = clock.now();
      if (now >= end) {
        if (watcherDone) return;
        await clock.sleep(run.countPollMs, signal);
        continue;
      }
      if (next >= end) {
        await clock.sleep(Math.min(end - now, watcherDone ? end - now : run.countPollMs), signal);
        continue;
      }
      await clock.sleep(Math.max(0, next - now), signal);
      // With the plugin every worker reports first: the sample's numbers are the master's right now.
      const [s, cl] = await Promise.all([
        run.plugin ? lg.flush(signal).then((f) => f.stats) : lg.stats(signal),
        kube ? observeCluster(kube.cluster, kube.plan, kube.state, signal).catch(() => NO_OBSERVATION) : Promise.resolve(NO_OBSERVATION),
      ]);
      observe(run, s);
      const fault = midStageFault(s, run.samples.at(-1) ?? null, opts.onWorkerLoss === 'retry' ? run.expectWorkers : null);
      if (fault) throw new StageInterrupted(fault);
      const sample: Sample = {
        ...toSample(s, run.samples.at(-1) ?? null, run.lastSampled, clock.now(), rs, run.plugin),
        ...cl,
        ...(s.avgMs !== undefined ? { avgMs: s.avgMs } : {}),
      };
      run.lastSampled = s;
      run.samples.push(sample);
      emit({ kind: 'sample', stage, of: opts.of, sample, runElapsedMs: clock.now() - opts.runStartedAt, runPlannedMs: opts.runPlannedMs });
      next += stage.sampleEveryMs;
    }
  };

  // transition: continue — the window is read while the users keep running, so its end is where
  // the workers' last reports reach (see estimateWindowEnd), watched over the last report interval.
  const endObs: CountObservation[] = [];
  const watchEnd = async (): Promise<void> => {
    for (;;) {
      const end = (t.windowStart ?? rs) + stage.durationMs;
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
      await clock.sleep(run.countPollMs, signal);
    }
  };

  const liveRead = run.modes.exit !== 'stop-then-read' && !run.plugin;
  await Promise.all([watchReports(), sampleLoop(), liveRead ? watchEnd() : Promise.resolve()]);
  return endObs;
}

/**
 * Reads the window while the users run, once the workers' last reports come closest to its planned
 * end. The run's last stage may stop instead (no live window: it then ends at the /stop, which
 * follows at once, and is read after the workers' last reports) when no read lands within the
 * tolerance of the plan.
 */
export async function readLive(run: StageRun, endObs: CountObservation[]): Promise<void> {
  const { t, stage } = run;
  const { lg, clock, signal } = run.deps;
  const rs = t.resetAt as number;
  const nominalEnd = (t.windowStart ?? rs) + stage.durationMs;
  // The counted requests reach only each worker's last report: keep watching until they come
  // closest to the planned window (at most one report interval), so windows last what the matrix says.
  const edge = () => estimateWindowEnd(nominalEnd, endObs, run.seen.workers, LOCUST_TIMING.workerReportMs);
  const mayStop = run.modes.exit === 'read-then-stop';
  let why: 'closest' | 'timeout' = 'closest';
  for (;;) {
    const e = edge();
    const timedOut = clock.now() >= nominalEnd + LOCUST_TIMING.workerReportMs + 300;
    if (mayStop) {
      const next = liveReadOrStop(nominalEnd, e);
      if (next === 'stop' || (next === 'wait' && timedOut)) {
        emitWindowRead(run, nominalEnd, clock.now(), 'stop', false, jumpsOf(endObs, nominalEnd), e.endMs - nominalEnd);
        return;
      }
      if (next === 'read') break;
    } else if (readWindowNow(nominalEnd, e, run.countPollMs)) break;
    if (timedOut) {
      why = 'timeout';
      break;
    }
    await clock.sleep(run.countPollMs, signal);
    endObs.push({ at: clock.now(), count: await lg.aggregatedCount(signal) });
  }
  t.endAt = nominalEnd;
  const readAt = clock.now();
  const w = await lg.window(signal);
  // A report that landed between the last poll and the read is in the numbers: count it in.
  const lastObs = endObs.at(-1);
  const lateReport = !lastObs || w.aggregated.requests !== lastObs.count;
  if (lateReport) endObs.push({ at: clock.now(), count: w.aggregated.requests });
  t.endAt = edge().endMs;
  t.endUncertaintyMs = liveEndUncertaintyMs(why === 'closest', run.countPollMs);
  run.liveWindow = w;
  emitWindowRead(run, nominalEnd, readAt, why, lateReport, jumpsOf(endObs, nominalEnd));
}

/** The count's jumps near the end (ms from the planned end, count), for the debug event. */
function jumpsOf(endObs: CountObservation[], nominalEnd: number): [number, number][] {
  return endObs.filter((o, i, a) => i > 0 && o.count !== (a[i - 1] as CountObservation).count).map((o): [number, number] => [o.at - nominalEnd, o.count]);
}

/** How many times a flush is redone when a regular report landed between it and the read. */
const FLUSH_READS = 3;

/**
 * With the plugin: at the planned end every worker reports (the flush), and the window is read at
 * once — final, nothing to wait for. A worker's regular report landing between the flush and the
 * read (the counts differ) would stretch the end: the flush and the read are then done again.
 */
export async function readFlushed(run: StageRun): Promise<void> {
  const { t, stage } = run;
  const { lg, clock, signal, emit } = run.deps;
  const rs = t.resetAt as number;
  const plannedEnd = (t.windowStart ?? rs) + stage.durationMs;
  const wait = plannedEnd - clock.now();
  if (wait > 0) await clock.sleep(wait, signal);
  let readAt: number;
  for (let i = 1; ; i++) {
    const f0 = clock.now();
    const f = await lg.flush(signal);
    const f1 = clock.now();
    readAt = f1;
    const w = await lg.window(signal);
    t.endAt = Math.round((f0 + f1) / 2);
    t.endUncertaintyMs = f.complete ? Math.ceil((f1 - f0) / 2) : LOCUST_TIMING.workerReportMs;
    run.liveWindow = w;
    if (!f.complete) {
      emit({ kind: 'plugin-incomplete', stage, of: run.opts.of, op: 'flush', missing: f.missing });
      break;
    }
    if (w.aggregated.requests === f.stats.requests || i >= FLUSH_READS) break;
  }
  t.pluginEdges = t.pluginEdges && t.endUncertaintyMs < LOCUST_TIMING.workerReportMs;
  emitWindowRead(run, plannedEnd, readAt, 'flush', false, []);
}

/** The debug event that says where a window's edges landed against the plan, and how the end was read. */
function emitWindowRead(
  run: StageRun,
  plannedEnd: number,
  readAt: number,
  why: 'closest' | 'timeout' | 'flush' | 'stop',
  lateReport: boolean,
  jumps: [number, number][],
  endMs: number = (run.t.endAt as number) - plannedEnd,
): void {
  const { t, stage } = run;
  const rs = t.resetAt as number;
  run.deps.emit({
    kind: 'window-read',
    stage,
    of: run.opts.of,
    startMs: (t.windowStart ?? rs) - rs,
    endMs,
    readAtMs: readAt - plannedEnd,
    readMs: run.deps.clock.now() - readAt,
    why,
    lateReport,
    jumps,
  });
}
