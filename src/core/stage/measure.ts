// The measure phase: the reset, then the window. Three loops run side by side: the first reports
// after the reset (they place the window's start), the samples (progress, faults, saturation) and,
// when the window is read while the users run, the last reports before its end (they place its end).
import { NO_OBSERVATION, observeCluster } from '../scaling.js';
import type { Sample } from '../model.js';
import { LOCUST_TIMING } from '../locust-timing.js';
import { estimateWindowEnd, estimateWindowStart, readWindowNow, type CountObservation } from '../window.js';
import { midStageFault, StageInterrupted } from './faults.js';
import { observe, type StageRun } from './context.js';
import { isoTime } from '../units.js';

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
  await lg.resetStats(signal);
  t.resetAt = Math.round((t0 + clock.now()) / 2);
  emit({ kind: 'stats-reset', stage, of: opts.of });
  const rs = t.resetAt;
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
      await clock.sleep(run.countPollMs, signal);
    }
    t.windowStart = estimateWindowStart(rs, obs, LOCUST_TIMING.workerReportMs).startMs;
    watcherDone = true;
  };

  const sampleLoop = async (): Promise<void> => {
    // Locust serves the previous numbers for up to 2 s after a reset: the first sample waits that out.
    let next = rs + Math.max(stage.sampleEveryMs, LOCUST_TIMING.statsCacheMs + 100);
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
      const [s, cl] = await Promise.all([
        lg.stats(signal),
        kube ? observeCluster(kube.cluster, kube.plan, kube.state, signal).catch(() => NO_OBSERVATION) : Promise.resolve(NO_OBSERVATION),
      ]);
      observe(run, s);
      const fault = midStageFault(s, run.samples.at(-1) ?? null, opts.onWorkerLoss === 'retry' ? run.expectWorkers : null);
      if (fault) throw new StageInterrupted(fault);
      // Locust's rolling values cover about the last 10 s (ending 2 s ago) and read 0 until data
      // arrives after the reset: a 0 then means "no data yet", never "fast".
      const warming = clock.now() - rs < LOCUST_TIMING.statsCacheMs + LOCUST_TIMING.currentWindowMs;
      const rolling = (v: number | null) => (warming && v === 0 ? null : v);
      const sample: Sample = {
        at: isoTime(clock.now()),
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
        ...(s.avgMs !== undefined ? { avgMs: s.avgMs } : {}),
      };
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

  const liveRead = run.modes.exit !== 'stop-then-read';
  await Promise.all([watchReports(), sampleLoop(), liveRead ? watchEnd() : Promise.resolve()]);
  return endObs;
}

/** Reads the window while the users run, once the workers' last reports come closest to its planned end. */
export async function readLive(run: StageRun, endObs: CountObservation[]): Promise<void> {
  const { t, stage } = run;
  const { lg, clock, signal } = run.deps;
  const rs = t.resetAt as number;
  const nominalEnd = (t.windowStart ?? rs) + stage.durationMs;
  t.endAt = nominalEnd;
  // The counted requests reach only each worker's last report: keep watching until they come
  // closest to the planned window (at most one report interval), so windows last what the matrix says.
  const edge = () => estimateWindowEnd(nominalEnd, endObs, run.seen.workers, LOCUST_TIMING.workerReportMs);
  let why: 'closest' | 'timeout' = 'closest';
  for (;;) {
    const e = edge();
    if (readWindowNow(nominalEnd, e, run.countPollMs)) break;
    if (clock.now() >= nominalEnd + LOCUST_TIMING.workerReportMs + 300) {
      why = 'timeout';
      break;
    }
    await clock.sleep(run.countPollMs, signal);
    endObs.push({ at: clock.now(), count: await lg.aggregatedCount(signal) });
  }
  const readAt = clock.now();
  const w = await lg.window(signal);
  // A report that landed between the last poll and the read is in the numbers: count it in.
  const lastObs = endObs.at(-1);
  const lateReport = !lastObs || w.aggregated.requests !== lastObs.count;
  if (lateReport) endObs.push({ at: clock.now(), count: w.aggregated.requests });
  t.endAt = edge().endMs;
  run.liveWindow = w;
  const jumps = endObs
    .filter((o, i, a) => i > 0 && o.count !== (a[i - 1] as CountObservation).count)
    .map((o): [number, number] => [o.at - nominalEnd, o.count]);
  run.deps.emit({
    kind: 'window-read',
    stage,
    of: run.opts.of,
    startMs: (t.windowStart ?? rs) - rs,
    endMs: t.endAt - nominalEnd,
    readAtMs: readAt - nominalEnd,
    readMs: clock.now() - readAt,
    why,
    lateReport,
    jumps,
  });
}
