// The run's summary as a ConfigMap, so reports outlive the pod and later runs (and kubectl) can find
// them: run.json without the raw samples, bounded in size, labelled by matrix.
import type { RunRecord } from './model.js';
import { slugify } from './plan.js';

export const SUMMARY_LABELS = { name: 'app.kubernetes.io/name', component: 'app.kubernetes.io/component', matrix: 'locust-driver/matrix' } as const;

/** ConfigMaps hold at most 1 MiB; leave room for metadata. */
export const SUMMARY_MAX_BYTES = 900 * 1024;

export interface SummaryConfigMap {
  name: string;
  labels: Record<string, string>;
  data: Record<string, string>;
}

function dnsLabel(s: string, max: number): string {
  const v = slugify(s).slice(0, max).replace(/-+$/, '');
  return v || 'run';
}

/** The labels that find the run summaries of one matrix (add `locust-driver/status` to narrow). */
export function summaryLabels(matrixName: string): Record<string, string> {
  return { [SUMMARY_LABELS.name]: 'locust-driver', [SUMMARY_LABELS.component]: 'run-summary', [SUMMARY_LABELS.matrix]: dnsLabel(matrixName, 63) };
}

export function summaryConfigMap(run: RunRecord, maxBytes = SUMMARY_MAX_BYTES): SummaryConfigMap {
  const labels = { ...summaryLabels(run.name), 'locust-driver/status': run.status };
  // Lighter and lighter until it fits: samples go first, then per-endpoint rows and failures.
  const steps: ((r: RunRecord) => RunRecord)[] = [
    (r) => ({ ...r, stages: r.stages.map((s) => ({ ...s, samples: [] })) }),
    (r) => ({ ...r, stages: r.stages.map((s) => ({ ...s, endpoints: [], failures: s.failures.slice(0, 10) })) }),
    (r) => ({ ...r, stages: r.stages.map((s) => ({ ...s, failures: [] })) }),
  ];
  let body = run;
  let text = '';
  for (const step of steps) {
    body = step(body);
    text = JSON.stringify(body);
    if (Buffer.byteLength(text) <= maxBytes) break;
  }
  if (Buffer.byteLength(text) > maxBytes) text = JSON.stringify({ ...body, stages: body.stages.slice(-50), truncated: true });
  return { name: `locust-driver-run-${dnsLabel(run.runId, 200)}`, labels, data: { 'run.json': text } };
}
