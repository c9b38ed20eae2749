// The master before and between stages: the bounded wait for it, its workers and a healthy target;
// the wait for its return after a fault; and the stop of a swarm nobody is measuring.
import type { LiveStats } from '../model.js';
import { InfraError, LocustError, StopFailedError } from '../errors.js';
import { LOCUST_TIMING } from '../locust-timing.js';
import { busy } from '../stage/index.js';
import { formatDuration } from '../units.js';
import type { RunDeps, RunOptions } from './types.js';

/** Waits (bounded) for the master, the expected workers and a healthy target. */
export async function preflight(deps: RunDeps, o: RunOptions): Promise<LiveStats> {
  const { lg, clock, emit, signal } = deps;
  const poll = o.connectPollMs ?? 1_000;
  const deadline = clock.now() + o.connectTimeoutMs;
  const limit = formatDuration(o.connectTimeoutMs);
  let stats: LiveStats | null = null;
  let lastError: unknown = null;
  let lastSeen = -1;
  for (;;) {
    try {
      stats = await lg.stats(signal);
      if (stats.workerCount >= o.expectWorkers) break;
      if (stats.workerCount !== lastSeen) emit({ kind: 'waiting-for-workers', expected: o.expectWorkers, seen: stats.workerCount });
      lastSeen = stats.workerCount;
    } catch (e) {
      if (signal.aborted) throw e;
      if (e instanceof LocustError && (e.code === 'LOCUST_AUTH' || e.code === 'LOCUST_BAD_RESPONSE')) throw e;
      lastError = e;
    }
    if (clock.now() + poll > deadline) {
      if (stats) {
        throw new InfraError(
          `only ${stats.workerCount} of the ${o.expectWorkers} expected Locust workers connected to ${lg.url} within ${limit}: start more workers or lower locust.expectWorkers`,
        );
      }
      const why = lastError instanceof Error ? lastError.message : 'no answer';
      throw new InfraError(
        `the Locust master did not answer within ${limit} (${why}): check --master / locust.url, or omit both to start the embedded local stack`,
        { cause: lastError },
      );
    }
    await clock.sleep(poll, signal);
  }
  if (o.healthUrl && deps.probe) {
    for (;;) {
      const problem = await deps.probe(o.healthUrl, signal);
      if (problem === null) break;
      if (clock.now() + poll > deadline) {
        throw new InfraError(`the target is not healthy: GET ${o.healthUrl} ${problem} — fix the service or target.healthPath`);
      }
      await clock.sleep(poll, signal);
    }
  }
  return stats;
}

/** A swarm nobody is measuring (a dead driver's, an interrupted stage's) is stopped before anything new starts. */
export async function stopLeftoverSwarm(deps: RunDeps, seen: LiveStats, whose: string): Promise<void> {
  if (!busy(seen)) return;
  deps.emit({ kind: 'warning', message: `the master is still running ${seen.userCount} users from ${whose} (state ${seen.state}): stopping them first` });
  await deps.lg.stop(deps.signal);
  // Late worker deltas of that swarm land within one report interval: let them pass before a new start.
  await deps.clock.sleep(LOCUST_TIMING.finalReportWaitMs, deps.signal);
}

/** After a fault: waits (retry.masterTimeout) for the master and the expected workers, then stops what is left. */
export async function waitForMaster(deps: RunDeps, o: RunOptions): Promise<void> {
  const { lg, clock, signal } = deps;
  const timeoutMs = o.plan.retry.masterTimeoutMs;
  const poll = o.connectPollMs ?? 1_000;
  const deadline = clock.now() + timeoutMs;
  let lastProblem: string;
  for (;;) {
    try {
      const s = await lg.stats(signal);
      if (s.workerCount >= o.expectWorkers) {
        await stopLeftoverSwarm(deps, s, 'the interrupted attempt');
        deps.emit({ kind: 'warning', message: `the master is back with ${s.workerCount} worker(s)` });
        return;
      }
      lastProblem = `${s.workerCount} of ${o.expectWorkers} workers connected`;
    } catch (e) {
      if (signal.aborted) throw e;
      if (e instanceof LocustError && (e.code === 'LOCUST_AUTH' || e instanceof StopFailedError)) throw e;
      lastProblem = (e as Error).message;
    }
    if (clock.now() + poll > deadline) {
      throw new InfraError(
        `the Locust master at ${lg.url} did not come back with ${o.expectWorkers} worker(s) within retry.masterTimeout ${formatDuration(timeoutMs)} (${lastProblem}): the measured stages are kept in the reports; rerun with --resume --run-id ${o.runId} once it is up`,
      );
    }
    await clock.sleep(poll, signal);
  }
}
