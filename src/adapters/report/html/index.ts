// report.html: one self-contained page a person opens from the report folder, offline. Every chart
// is plain SVG drawn here from numbers (no chart library, no browser, no canvas) and inlined; the
// page has no script at all and a Content-Security-Policy that forbids fetching anything, so it
// shows the same in a mail attachment, a CI artifact viewer or a browser offline.
// Run-provided text (names, reasons, URLs, errors) only ever reaches the page through esc(); the
// charts carry numbers and labels built here from numbers.
//
// The page is rewritten after every stage, while the next stage runs in the same process, so it
// must be cheap: a chart costs about a millisecond and a few kilobytes, and a time series keeps at
// most a few hundred points per line whatever the run's length (min/max decimation, LineDecimator),
// so a 24-hour run at 1-s sampling renders in a fraction of a second with bounded memory.
import type { RunRecord } from '../../../core/model.js';
import { esc } from './escape.js';
import { capacitySection } from './sections/capacity.js';
import { comparisonSection } from './sections/comparison.js';
import { failuresSection } from './sections/failures.js';
import { header } from './sections/header.js';
import { highlights } from './sections/highlights.js';
import { howToRead } from './sections/how-to-read.js';
import { incomplete } from './sections/incomplete.js';
import { mainCharts } from './sections/main-charts.js';
import { replicasSection } from './sections/replicas.js';
import { sloSection } from './sections/slo.js';
import { stageSeries } from './sections/stage-series.js';
import { statisticsSection } from './sections/statistics.js';
import { summaryTable } from './sections/summary-table.js';
import { CSS } from './styles.js';

/** Renders the whole page. Tolerates runs with no stages, stages without totals and null percentiles. */
export async function reportHtml(run: RunRecord): Promise<string> {
  const sections = [
    header(run),
    highlights(run),
    mainCharts(run),
    summaryTable(run),
    statisticsSection(run),
    incomplete(run),
    sloSection(run),
    comparisonSection(run),
    capacitySection(run),
    replicasSection(run),
    await stageSeries(run),
    failuresSection(run),
    howToRead(run),
  ];
  // A section with nothing to show is ''.
  return page(run, sections.filter((s) => s !== '').join('\n'));
}

function page(run: RunRecord, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="locust-driver ${esc(run.environment.driver)}">
<title>${esc(run.name)} · ${esc(run.runId)} · load test report</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
