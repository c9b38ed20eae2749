// The footer: how the numbers were measured and where every number is kept.
import type { RunRecord } from '../../../../core/model.js';
import { esc } from '../escape.js';

export function howToRead(run: RunRecord): string {
  return (
    `<footer><h2>How to read this</h2><ul>` +
    "<li>Each stage is measured over its <strong>window</strong>, after the ramp-up, from the master's stats reset until the users were stopped.</li>" +
    "<li><strong>RPS</strong> = requests in the window / window seconds. <strong>p50/p95/p99/Max</strong> are cumulative over the whole window, as in Locust's CSV; the time series show Locust's rolling values.</li>" +
    '<li><strong>Fail %</strong> = failed requests / requests. The <strong>knee</strong> is the first stage (by users) where p95 climbs more than 1.5× above the lower-load level, or throughput grows less than half as fast as the users.</li>' +
    "<li>Every number is in <code>summary.csv</code> and <code>run.json</code>; Locust's own CSVs and the time series are in <code>stages/</code>.</li>" +
    `</ul><p class="muted">Written by locust-driver ${esc(run.environment.driver)} on Node.js ${esc(run.environment.node)}.</p></footer>`
  );
}
