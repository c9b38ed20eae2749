// Everything the run loop reports, as data. Formatting (log lines, progress) lives in adapters/log.
import type { Comparison, Highlight, Sample, StagePlan, StageResult, RunRecord } from './model.js';

export type RunEvent =
  | { kind: 'run-started'; runId: string; name: string; stages: number; plannedMs: number; masterUrl: string; embedded: boolean; reportDir: string }
  | { kind: 'master-ready'; workers: number; locustVersion: string | null; schema: 'legacy' | 'modern'; plugin: string | null }
  | { kind: 'waiting-for-workers'; expected: number; seen: number }
  | { kind: 'stage-started'; stage: StagePlan; of: number }
  | { kind: 'scaling'; stage: StagePlan; of: number; message: string }
  | { kind: 'prepared'; stage: StagePlan; of: number; prepareMs: number }
  | { kind: 'kube-ready'; namespace: string; server: string; inCluster: boolean; lease: string }
  | { kind: 'restored'; done: string[]; failed: string[] }
  | { kind: 'swarm-started'; stage: StagePlan; of: number }
  | { kind: 'ramp-complete'; stage: StagePlan; of: number; rampMs: number; users: number; workers: number }
  | { kind: 'stats-reset'; stage: StagePlan; of: number }
  /** The plugin's reset or flush did not hear from every worker in time: this stage's edge falls back to the workers' reports. */
  | { kind: 'plugin-incomplete'; stage: StagePlan; of: number; op: 'reset' | 'flush'; missing: string[] }
  /** A window read while the users ran: where its edges came out (ms from the reset / from the planned end) and why the read came then. */
  | {
      kind: 'window-read';
      stage: StagePlan;
      of: number;
      startMs: number;
      endMs: number;
      readAtMs: number;
      readMs: number;
      /**
       * closest/timeout: from the workers' reports (REST only); flush: the plugin made every worker
       * report at the planned end; stop: the run's last stage, no live read within ±0.5 s of the plan
       * (endMs: where it would have ended) — the users were stopped at the planned end instead.
       */
      why: 'closest' | 'timeout' | 'flush' | 'stop';
      lateReport: boolean;
      jumps: [number, number][];
    }
  | { kind: 'sample'; stage: StagePlan; of: number; sample: Sample; runElapsedMs: number; runPlannedMs: number }
  | { kind: 'stopping'; stage: StagePlan; of: number }
  | { kind: 'stage-finished'; result: StageResult; of: number }
  | { kind: 'cooldown'; stage: StagePlan; of: number; ms: number }
  | { kind: 'warning'; message: string }
  | { kind: 'compared'; comparison: Comparison }
  | { kind: 'run-finished'; run: RunRecord; best: Highlight | null; knee: Highlight | null; reportDir: string; summaryConfigMap: SavedSummary | null };

/** The run summary ConfigMap this run saved (null: none saved — no cluster, keepSummaries 0, or the save failed). */
export interface SavedSummary {
  name: string;
  namespace: string;
}
