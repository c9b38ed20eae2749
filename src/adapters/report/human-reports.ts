// The reports a person or a CI system reads, all derived from run.json alone: written by the
// report sink as a run goes, and rebuilt by `locust-driver report <run-dir>`.
import type { RunRecord } from '../../core/model.js';
import { junitXml } from './junit.js';
import { summaryCsv } from './summary-csv.js';
import { summaryMarkdown } from './summary-md.js';

/** [file name, content] for summary.csv, summary.md, junit.xml and report.html. */
export async function humanReports(run: RunRecord): Promise<[string, string][]> {
  const { reportHtml } = await import('./html.js'); // vega is large: loaded on first use only
  return [
    ['summary.csv', summaryCsv(run)],
    ['summary.md', summaryMarkdown(run)],
    ['junit.xml', junitXml(run)],
    ['report.html', await reportHtml(run)],
  ];
}
