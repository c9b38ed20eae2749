// What a stage is given and what it hands back to the run loop.
import type { Clock, Cluster, EventSink, LoadGenerator } from '../../ports.js';
import type { KubernetesPlan, LiveStats, StagePhase, StageResult, StageRetry, WindowStats } from '../model.js';
import type { DriverError } from '../errors.js';
import type { ScalingState } from '../scaling.js';

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
  /** The master has the companion plugin (uncached runner view, acknowledged reset, flush). */
  plugin?: boolean;
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
  /** Told as each phase begins (the run loop records it in run.json). */
  onPhase?: (phase: StagePhase) => void;
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
