// One stage, as its phases (product.md §4): prepare → check the master → ramp → measure → (read
// live →) stop → collect. Each phase is a function over the stage's timeline (context.ts); how the
// stage starts and ends is chosen once (modes.ts). Works only through the ports, so it runs the same
// against a real master and against fakes.
import type { StagePhase, StagePlan } from '../model.js';
import { AbortedError, DriverError, InternalError, StopFailedError } from '../errors.js';
import { newStageRun, type StageRun } from './context.js';
import { prepare, masterBefore } from './start.js';
import { ramp } from './ramp.js';
import { measure, readFlushed, readLive } from './measure.js';
import { stopSwarm } from './stop.js';
import { collect } from './collect.js';
import { isMasterFault, StageInterrupted } from './faults.js';
import type { StageDeps, StageOptions, StageOutcome } from './types.js';

export type { StageDeps, StageOptions, StageOutcome } from './types.js';
export { busy, isMasterFault, midStageFault, rampShortfall, saturation, SATURATED_CPU_PERCENT, StageInterrupted } from './faults.js';
export { stageModes, type StageEntry, type StageExit } from './modes.js';

/** How long an interrupted stage tries to stop the users before leaving it to the run loop. */
const INTERRUPTED_STOP_TIMEOUT_MS = 5_000;

export async function runStage(deps: StageDeps, stage: StagePlan, opts: StageOptions): Promise<StageOutcome> {
  const run = newStageRun(deps, stage, opts);
  const phase = (p: StagePhase) => opts.onPhase?.(p);
  try {
    deps.emit({ kind: 'stage-started', stage, of: opts.of });
    if (run.kube) phase('prepare');
    const notPrepared = await prepare(run);
    if (notPrepared !== null) return await collect(run, 'failed', notPrepared, null);
    phase('ramp');
    const before = await masterBefore(run);
    const notRamped = await ramp(run, before);
    if (notRamped !== null) {
      phase('stop');
      await stopSwarm(run);
      return await collect(run, 'failed', notRamped, null);
    }
    phase('measure');
    const endObs = await measure(run);
    // With the plugin every window ends with a flush and is read at once (final: no wait after the
    // stop); without it, read live where no cooldown hides the wait for the workers' last reports.
    if (run.plugin) await readFlushed(run);
    else if (run.modes.exit !== 'stop-then-read') await readLive(run, endObs);
    // After a live read of the last stage the next /swarm may follow at once: a worker clears its
    // unsent numbers when a new test reaches it, and the next window starts after a reset anyway.
    if (run.modes.exit !== 'hand-over') {
      phase('stop');
      await stopSwarm(run);
    }
    phase('collect');
    return await collect(run, 'completed', null, null);
  } catch (e) {
    phase('stop');
    return await recover(run, e);
  }
}

/** A stage that threw: interrupted (the run loop may retry it) or failed; its users stopped either way. */
async function recover(run: StageRun, e: unknown): Promise<StageOutcome> {
  const { signal } = run.deps;
  const interrupted =
    e instanceof StageInterrupted ? e.message : !signal.aborted && isMasterFault(e) ? `the Locust master stopped answering: ${(e as Error).message}` : null;
  run.liveWindow = null;
  if (interrupted !== null) {
    try {
      // A master that hangs must not hold the run: the wait for its return is the run loop's.
      await stopSwarm(run, AbortSignal.timeout(INTERRUPTED_STOP_TIMEOUT_MS));
    } catch (s) {
      // Users that would not stop end the run; a master that is gone is the run loop's to wait
      // for, and it stops any leftover swarm once the master is back.
      if (s instanceof StopFailedError) return await collect(run, 'failed', s.message, s);
    }
    return await collect(run, 'failed', `interrupted: ${interrupted}`, null, interrupted);
  }
  let fatal =
    e instanceof DriverError ? e : signal.aborted && signal.reason instanceof DriverError ? signal.reason : new InternalError(`stage ${run.stage.index}`, e);
  try {
    await stopSwarm(run);
  } catch (s) {
    // Users that would not stop outrank what ended the stage (even a signal: exit 3, not 143).
    if (s instanceof StopFailedError) fatal = s;
    // else the master is gone: nothing more to stop from here
  }
  const status = fatal instanceof AbortedError ? 'aborted' : 'failed';
  try {
    return await collect(run, status, fatal.message, fatal);
  } catch {
    run.t.stoppedAt = null; // the final read failed too: report the stage without numbers
    return await collect(run, status, fatal.message, fatal);
  }
}
