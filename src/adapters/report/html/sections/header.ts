// The page's header: the run, when and where it ran, its status and verdict, its error.
import type { RunRecord } from '../../../../core/model.js';
import { duration, utc } from '../../cells.js';
import { badge } from '../blocks.js';
import { esc } from '../escape.js';

export function header(run: RunRecord): string {
  const loc = run.environment.locust;
  const when =
    run.finishedAt === null
      ? `${esc(utc(run.startedAt))}, still running`
      : `${esc(utc(run.startedAt))} → ${esc(utc(run.finishedAt))} (${duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))})`;
  const status = run.status === 'running' ? `running (${run.stages.length} of ${run.plan.stages.length} stages finished)` : run.status;
  const rows: [string, string][] = [
    ['Run', `<code>${esc(run.runId)}</code>`],
    ['When', when],
    [
      'Locust',
      `${esc(loc.version ?? 'version unknown')} at <code>${esc(loc.url)}</code>` +
        (loc.embedded ? ' (embedded local stack)' : '') +
        (run.environment.workers === null ? '' : ` · ${run.environment.workers} ${run.environment.workers === 1 ? 'worker' : 'workers'}`),
    ],
  ];
  if (run.plan.target.host !== null) rows.push(['Target', `<code>${esc(run.plan.target.host)}</code>`]);
  const k = run.environment.kubernetes;
  if (k !== null) rows.push(['Kubernetes', `namespace <code>${esc(k.namespace)}</code> at <code>${esc(k.server)}</code>${k.inCluster ? ' (in cluster)' : ''}`]);
  rows.push(['Matrix', `<code>${esc(run.plan.source)}</code> · ${run.plan.stages.length} planned ${run.plan.stages.length === 1 ? 'stage' : 'stages'}`]);
  const error = run.error === null ? '' : `<p class="alert bad"><strong>Error:</strong> ${esc(run.error)}</p>`;
  return (
    `<header><h1>Load test: ${esc(run.name)}</h1>` +
    `<p class="badges">${badge(`status: ${status}`, statusTone(run.status))} ${badge(`verdict: ${run.verdict}`, run.verdict === 'pass' ? 'good' : run.verdict === 'fail' ? 'bad' : 'neutral')}</p>` +
    `<dl class="meta">${rows.map(([k2, v]) => `<dt>${k2}</dt><dd>${v}</dd>`).join('')}</dl>${error}</header>`
  );
}

function statusTone(status: RunRecord['status']): 'good' | 'bad' | 'info' {
  return status === 'completed' ? 'good' : status === 'running' ? 'info' : 'bad';
}
