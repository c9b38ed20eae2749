// metrics.prom in the run folder: the final results as OpenMetrics text, for node_exporter's
// textfile collector and for people without remote write. Gauges only and no timestamps (the
// textfile collector refuses them); the same names and labels as the remote write.
import type { RunRecord } from '../../core/model.js';
import { finalSeries } from './run-series.js';
import type { Series } from './series.js';

export const OPENMETRICS_FILE = 'metrics.prom';

const HELP: Record<string, string> = {
  run_info: 'The run (status and verdict labels); always 1',
  run_pass: '1 when the run verdict is pass',
  stage_info: 'A finished stage (status and verdict labels); always 1',
  stage_rps: 'Requests per second over the measured window',
  stage_response_time_seconds: 'Response time percentiles over the measured window',
};

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function openMetricsText(series: readonly Series[]): string {
  const byName = new Map<string, Series[]>();
  for (const s of series) {
    const name = s.labels.__name__ ?? '';
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  const lines: string[] = [];
  for (const [name, group] of byName) {
    const short = name.replace(/^locust_driver_/, '');
    lines.push(`# TYPE ${name} gauge`);
    if (HELP[short]) lines.push(`# HELP ${name} ${HELP[short]}`);
    for (const s of group) {
      const labels = Object.keys(s.labels)
        .filter((k) => k !== '__name__')
        .sort()
        .map((k) => `${k}="${escape(s.labels[k] ?? '')}"`)
        .join(',');
      lines.push(`${name}{${labels}} ${formatNumber(s.value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export function runOpenMetrics(run: RunRecord): string {
  return openMetricsText(finalSeries(run, run.finishedAt ? Date.parse(run.finishedAt) : Date.now()));
}
