import type { ReportSink } from '../../src/ports.js';
import type { RunRecord, StageResult, WindowStats } from '../../src/core/model.js';

/** Keeps what a real sink would write, as deep copies taken at the moment of each call. */
export class MemorySink implements ReportSink {
  readonly dir = '/virtual/results/run';
  writes: { kind: 'stage' | 'run'; run: RunRecord; stage?: StageResult; window?: WindowStats | null }[] = [];
  async stageFinished(run: RunRecord, stage: StageResult, window: WindowStats | null) {
    this.writes.push({ kind: 'stage', run: structuredClone(run), stage: structuredClone(stage), window });
  }
  async runUpdated(run: RunRecord) {
    this.writes.push({ kind: 'run', run: structuredClone(run) });
  }
  /** run.json rewrites for a stage's phase (kept apart: the tests above count the report writes). */
  phases: RunRecord['current'][] = [];
  async progress(run: RunRecord) {
    this.phases.push(structuredClone(run.current));
  }
  get last(): RunRecord | undefined {
    return this.writes.at(-1)?.run;
  }
}
