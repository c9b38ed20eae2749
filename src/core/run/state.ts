// What the run's steps share while it runs: the current record (replaced, never edited, by the
// steps in record.ts), whether users were handed on running, and the cluster side.
import type { Cluster } from '../../ports.js';
import type { KubernetesPlan, RunRecord } from '../model.js';
import type { DriverError } from '../errors.js';
import type { ScalingState } from '../scaling.js';

export interface KubeContext {
  cluster: Cluster;
  plan: KubernetesPlan;
  state: ScalingState;
}

export interface RunState {
  record: RunRecord;
  /** transition: continue handed the last stage's users on running: whoever ends the run stops them. */
  swarmRunning: boolean;
  kube: KubeContext | null;
  lease: { stop: () => Promise<void> } | null;
  startedAt: number;
  plannedMs: number;
}

/** Ends the run: stops what runs, puts the cluster back, writes the final record; resolves to it. */
export type End = (status: RunRecord['status'], error: DriverError | null) => Promise<RunRecord>;
