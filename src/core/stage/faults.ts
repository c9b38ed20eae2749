// What goes wrong with a stage, and what the driver makes of it: a fault a retry may cure, the
// master busy with someone else's test, a window whose numbers cannot be trusted.
import type { LiveStats, Sample } from '../model.js';
import { LocustError } from '../errors.js';

/** A fault a retry may cure: the master went away or restarted, or the workers left. */
export class StageInterrupted extends Error {}

/** Locust's own answer to a fault that is not going to change by waiting (auth, refused swarm). */
const PERMANENT = new Set(['LOCUST_AUTH', 'LOCUST_SWARM_REFUSED', 'LOCUST_STOP_FAILED', 'LOCUST_UNSUPPORTED']);

/** Whether an error in the middle of a stage means "the master is (temporarily) gone". */
export function isMasterFault(e: unknown): boolean {
  return e instanceof LocustError && !PERMANENT.has(e.code);
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

/** What a live read in the middle of the window says went wrong with the master, or null. */
export function midStageFault(s: LiveStats, prev: Sample | null, expectWorkers: number | null): string | null {
  if (s.state === 'ready' || s.state === 'stopped' || s.state === 'stopping') {
    return `the Locust master is ${s.state} in the middle of the window (${s.userCount} users, ${s.workerCount} workers): it restarted, someone stopped the test, or every worker left`;
  }
  if (s.workerCount === 0) return `every Locust worker left the master in the middle of the window (state ${s.state})`;
  if (prev && s.requests < prev.requests)
    return `the master's request count went back from ${prev.requests} to ${s.requests} in the middle of the window: it restarted or its stats were reset`;
  if (expectWorkers !== null && s.workerCount < expectWorkers)
    return `workers dropped to ${s.workerCount} of ${expectWorkers} in the middle of the window (retry.onWorkerLoss: retry)`;
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
