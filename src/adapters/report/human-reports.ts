// The reports a person or a CI system reads, all derived from run.json alone: written by the
// report sink as a run goes, and rebuilt by `locust-driver report <run-dir>`.
import type { RunRecord } from '../../core/model.js';
import { junitXml } from './junit.js';
import { OPENMETRICS_FILE, runOpenMetrics } from '../metrics/openmetrics.js';
import { summaryCsv } from './summary-csv.js';
import { summaryMarkdown } from './summary-md.js';

/** [file name, content] for summary.csv, summary.md, junit.xml, metrics.prom and report.html. */
export async function humanReports(run: RunRecord): Promise<[string, string][]> {
  const files: [string, string][] = [
    ['summary.csv', summaryCsv(run)],
    ['summary.md', summaryMarkdown(run)],
    ['junit.xml', junitXml(run)],
    [OPENMETRICS_FILE, runOpenMetrics(run)],
  ];
  // The page has nothing to chart before the first stage ends; skipping it (and importing html/ only
  // when it is written) keeps it off the path from start-up to the first /swarm.
  if (run.status === 'running' && run.stages.length === 0) return files;
  const { reportHtml } = await import('./html/index.js');
  return [...files, ['report.html', await reportHtml(run)]];
}
