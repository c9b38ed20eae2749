// How a stage starts and how it ends, chosen once from the run loop's options. The phases branch on
// these two values instead of on five flags.
import { LIVE_READ_MIN_MS } from '../locust-timing.js';

/**
 * - `fresh`: nothing runs; the master's state is read before the /swarm.
 * - `from-known`: nothing runs and the previous stage left the master stopped; no read (a read would
 *   fill Locust's 2 s cache just before the /swarm and hide the ramp's end).
 * - `handed-over`: the previous stage left its users running (transition: continue): re-target them.
 */
export type StageEntry = 'fresh' | 'from-known' | 'handed-over';

/**
 * - `stop-then-read`: stop, wait for the workers' last reports, read: the window's end is exact.
 * - `read-then-stop`: the run's last stage, long enough to find both edges from the workers'
 *   reports: read while the users run, then stop (saves the wait for the last reports).
 * - `hand-over`: read while the users run and leave them running for the next stage.
 */
export type StageExit = 'stop-then-read' | 'read-then-stop' | 'hand-over';

export interface StageModes {
  entry: StageEntry;
  exit: StageExit;
  /** The state the stage starts from without a read, when the driver knows it. */
  reuseKnown: boolean;
}

export function stageModes(o: { continuing?: boolean; handOff?: boolean; last?: boolean; known?: unknown; kube: boolean; durationMs: number }): StageModes {
  // After a prepare step (kube) the master's workers changed: what the last stage left is stale.
  const reuseKnown = !o.kube && o.known !== null && o.known !== undefined;
  const entry: StageEntry = o.continuing ? 'handed-over' : reuseKnown ? 'from-known' : 'fresh';
  const exit: StageExit = o.handOff ? 'hand-over' : o.last && o.durationMs >= LIVE_READ_MIN_MS ? 'read-then-stop' : 'stop-then-read';
  return { entry, exit, reuseKnown };
}
