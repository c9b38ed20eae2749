// The prepare phase (scale the target and the workers, with a kubernetes: section) and the check of
// the master the stage starts from: workers connected, nobody else's test running, and for a
// hand-over the users still there.
import type { LiveStats } from '../model.js';
import { InfraError } from '../errors.js';
import { PrepareTimeout, prepareStage } from '../scaling.js';
import { busy, StageInterrupted } from './faults.js';
import { observe, type StageRun } from './context.js';

/** Scales the cluster for the stage; the reason when it did not get there in time, else null. */
export async function prepare(run: StageRun): Promise<string | null> {
  if (!run.kube) return null;
  const { cluster, plan, state } = run.kube;
  const { lg, clock, emit, signal } = run.deps;
  try {
    run.t.prepareMs = await prepareStage({ cluster, lg, clock, emit, signal }, plan, run.stage, state, run.opts.of);
    return null;
  } catch (e) {
    if (e instanceof PrepareTimeout) return e.message;
    throw e;
  }
}

/** The master before the /swarm: read, or as the previous stage left it; checked for the entry mode. */
export async function masterBefore(run: StageRun): Promise<LiveStats> {
  const { lg, signal } = run.deps;
  const { entry, reuseKnown } = run.modes;
  const known = reuseKnown ? (run.opts.known ?? null) : null;
  // The plugin's view is not cached: reading it does not hide the ramp's start from the next read.
  const before = known ?? (run.plugin ? await lg.runnerNow(signal) : await lg.stats(signal));
  if (!known) observe(run, before); // a remembered snapshot says nothing new about this stage's workers
  if (before.workerCount === 0) {
    if (entry === 'handed-over' || (run.opts.attempt ?? 1) > 1) throw new StageInterrupted(`no Locust workers are connected to ${lg.url}`);
    throw new InfraError(`no Locust workers are connected to ${lg.url}: start workers (or check --master-host on them) and run again`);
  }
  if (entry !== 'handed-over' && busy(before)) {
    throw new InfraError(
      `the Locust master at ${lg.url} is already running a test (state ${before.state}); stop it in its web UI (or POST /stop; GET up to 2.46), then run again`,
    );
  }
  if (entry === 'handed-over' && before.state !== 'running' && before.state !== 'spawning') {
    throw new StageInterrupted(
      `the swarm handed over by the previous stage is gone (master state ${before.state}, ${before.userCount} users): the master restarted or stopped`,
    );
  }
  return before;
}
