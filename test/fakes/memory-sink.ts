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
  get last(): RunRecord | undefined {
    return this.writes.at(-1)?.run;
  }
}
