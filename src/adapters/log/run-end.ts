// How a log made for a person (the pretty format) ends: after the last event line, the run's
// summary.md (the table, the verdict, the comparison), then the run's outcome and where its results
// are, so the last lines of `kubectl logs -f job/…` answer "did it pass, and where do I look".
// A JSON log ends with the run-finished record instead: a pipeline reads run.json, not a table.
import type { RunEvent } from '../../core/events.js';
import type { RunRecord } from '../../core/model.js';
import { summaryMarkdown } from '../report/summary-md.js';

export type RunFinished = Extract<RunEvent, { kind: 'run-finished' }>;

function verdict(r: RunRecord): string {
  if (r.verdict !== 'none') return r.verdict.toUpperCase();
  // Without an SLO a comparison that found no regression judges nothing either.
  return r.comparison ? `none (no SLO; no regression against ${r.comparison.baselineRunId})` : 'none (no SLO, no baseline)';
}

export function runEndText(e: RunFinished): string {
  const r = e.run;
  const out = [''];
  if (r.stages.length > 0) out.push(summaryMarkdown(r).trimEnd(), '');
  const ended = r.status === 'completed' ? '' : ` (the run ${r.status}${r.error ? `: ${r.error}` : ''})`;
  out.push(`verdict: ${verdict(r)}${ended}`);
  if (r.comparison) out.push(`comparison: ${r.comparison.reason}`);
  out.push(`reports: ${e.reportDir}`);
  const cm = e.summaryConfigMap;
  if (cm)
    out.push(
      `run summary: ConfigMap ${cm.name} in namespace ${cm.namespace} (kubectl get configmap ${cm.name} -n ${cm.namespace} -o jsonpath='{.data.run\\.json}')`,
    );
  return `${out.join('\n')}\n`;
}
