// The ramp phase: the /swarm, then the wait until the master runs the stage's users. Every fresh
// read is cached by Locust for 2 s, so the waits are planned rather than polled where they can be.
import type { LiveStats } from '../model.js';
import { LOCUST_TIMING, plannedRampMs, RAMP_MARGIN_MS } from '../locust-timing.js';
import { formatDuration } from '../units.js';
import { StageInterrupted } from './faults.js';
import { observe, type StageRun } from './context.js';

/** Ramps to the stage's users; the reason when the ramp did not finish within rampTimeout, else null. */
export async function ramp(run: StageRun, before: LiveStats): Promise<string | null> {
  const { t, stage, opts } = run;
  const { lg, clock, emit, signal } = run.deps;
  // The state before was ready/stopped, so any "running" read now is from after our /swarm, even
  // through Locust's 2 s cache.
  t.swarmSentAt = clock.now();
  await lg.swarm(stage.users, stage.spawnRate, opts.host, signal);
  t.swarmAt = clock.now();
  const swarmAt = t.swarmAt;
  emit({ kind: 'swarm-started', stage, of: opts.of });
  let last = before;
  if (run.modes.entry === 'handed-over' && !run.plugin) {
    // Re-targeting a running swarm: Locust's cache still shows the old count for up to 2 s, so the
    // driver waits the planned ramp instead of polling, and the first sample checks the count.
    t.runningSeen = true;
    await clock.sleep(plannedRampMs(stage, before.userCount) + RAMP_MARGIN_MS.continue, signal);
  } else {
    // A read in the middle of the ramp would hide its end for 2 s: the first one waits for the
    // planned ramp plus Locust's spawn-complete report. The plugin's view is not cached: it is
    // polled from the planned ramp's end, so the end is seen within one poll.
    const from = run.modes.entry === 'handed-over' ? before.userCount : 0;
    const poll = run.plugin ? run.countPollMs : run.rampPollMs;
    let wait = run.plugin ? Math.max(poll, plannedRampMs(stage, from)) : Math.max(run.rampPollMs, plannedRampMs(stage) + RAMP_MARGIN_MS.report);
    for (;;) {
      await clock.sleep(wait, signal);
      wait = poll;
      last = run.plugin ? await lg.runnerNow(signal) : await lg.stats(signal);
      observe(run, last);
      if (last.state === 'running' && last.userCount === stage.users) break;
      if (last.state === 'running' || last.state === 'spawning') t.runningSeen = true;
      if (last.workerCount === 0 && clock.now() - swarmAt > LOCUST_TIMING.workerReportMs) {
        throw new StageInterrupted(
          `every Locust worker left ${lg.url} during the ramp of stage ${stage.index} (state ${last.state}); if the worker processes are still alive the master is wedged: restart it`,
        );
      }
      if (clock.now() - swarmAt > LOCUST_TIMING.statsCacheMs + run.rampPollMs && (last.state === 'ready' || last.state === 'stopped') && t.runningSeen) {
        throw new StageInterrupted(`the Locust master went back to ${last.state} during the ramp of stage ${stage.index}: it restarted or lost its workers`);
      }
      if (clock.now() - swarmAt > stage.rampTimeoutMs) {
        t.runningSeen = t.runningSeen || last.state !== 'ready';
        return `the ramp did not finish within rampTimeout ${formatDuration(stage.rampTimeoutMs)}: master state ${last.state}, ${last.userCount}/${stage.users} users, ${last.workerCount} workers`;
      }
    }
  }
  t.runningSeen = true;
  t.rampMs = clock.now() - swarmAt;
  emit({
    kind: 'ramp-complete',
    stage,
    of: opts.of,
    rampMs: t.rampMs,
    users: run.modes.entry === 'handed-over' ? stage.users : last.userCount,
    workers: last.workerCount,
  });
  return null;
}
