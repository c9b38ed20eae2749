// run.json: the whole RunRecord, the machine-readable source every other report can be rebuilt from.
import type { RunRecord } from '../../core/model.js';

export function runJson(run: RunRecord): string {
  return JSON.stringify(run, null, 2) + '\n';
}
