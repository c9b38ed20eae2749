// What a run is given and what it hands back.
import type { Clock, Cluster, EventSink, LoadGenerator, ReportSink } from '../../ports.js';
import type { RunPlan, RunRecord, Tolerances } from '../model.js';
import type { DriverError } from '../errors.js';

/** Asks the system under test whether it is healthy; resolves to a problem description or null. */
export type HealthProbe = (url: string, signal: AbortSignal) => Promise<string | null>;

export interface RunDeps {
  lg: LoadGenerator;
  clock: Clock;
  sink: ReportSink;
  emit: EventSink;
  signal: AbortSignal;
  probe?: HealthProbe;
  /** Required when the plan has a kubernetes: section. */
  cluster?: Cluster | null;
}

export interface RunOptions {
  runId: string;
  plan: RunPlan;
  /** The target host sent with every /swarm (null: the master's own --host). */
  host: string | null;
  healthUrl: string | null;
  embedded: boolean;
  expectWorkers: number;
  connectTimeoutMs: number;
  driverVersion: string;
  nodeVersion: string;
  /** How often to retry the master and the target while waiting for them. */
  connectPollMs?: number;
  /** Who holds the Lease (the pod's name in a cluster). */
  holder?: string;
  leaseDurationS?: number;
  /** --baseline: the earlier run to compare with at the end, and the allowed changes. */
  baseline?: { run: RunRecord; tolerances: Tolerances } | null;
  stageTiming?: { rampPollMs?: number; countPollMs?: number };
  /** run --resume: the run.json of the interrupted run; its finished stages are kept, never run again. */
  resume?: RunRecord | null;
}

/** How a run ended: its final record (also in run.json) and the error that ended it, if one did. */
export interface RunEnding {
  record: RunRecord;
  error: DriverError | null;
}
