// How a log for people ends: what `kubectl logs -f job/…` shows last when stdout is not a terminal.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logEvents } from '../../../../src/adapters/log/logger.js';
import { runEndText, type RunFinished } from '../../../../src/adapters/log/run-end.js';
import type { RunRecord } from '../../../../src/core/model.js';
import { makeRunRecord } from '../../../fakes/run-record.js';

const finished = (run: RunRecord, summaryConfigMap: RunFinished['summaryConfigMap'] = { name: 'locust-driver-run-r1', namespace: 'load' }): RunFinished => ({
  kind: 'run-finished',
  run,
  best: run.summary.best,
  knee: run.summary.knee,
  reportDir: '/results/r1',
  summaryConfigMap,
});

/** A stream that is not a terminal, like a pod's stdout. */
function pipe(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { out, text: () => text };
}

describe('the end of a log for people', () => {
  it('is the summary table, then the verdict, the report folder and the summary ConfigMap, last', () => {
    const text = runEndText(finished(makeRunRecord({ verdict: 'pass' })));
    const lines = text.trimEnd().split('\n');
    expect(text).toMatch(/^\n# Load test: /);
    expect(text).toMatch(/\n\| Stage \| Users \|.*\| Status \|\n\|:---\|---:\|/);
    expect(lines.slice(-3)).toEqual([
      'verdict: PASS',
      'reports: /results/r1',
      "run summary: ConfigMap locust-driver-run-r1 in namespace load (kubectl get configmap locust-driver-run-r1 -n load -o jsonpath='{.data.run\\.json}')",
    ]);
  });

  it('names the comparison with the previous run when there is one, and a run that did not complete', () => {
    const base = makeRunRecord();
    const run = makeRunRecord({
      status: 'failed',
      error: 'master gone',
      verdict: 'fail',
      comparison: {
        baselineRunId: 'nightly-1',
        baselineStartedAt: base.startedAt,
        tolerances: { p95: 0.1 },
        regression: true,
        reason: 'regression in 1 of 3 compared stages against nightly-1: stage 3 · u400: p95 +35.0 %',
        stages: [],
      },
    });
    const lines = runEndText(finished(run, null)).trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([
      'verdict: FAIL (the run failed: master gone)',
      'comparison: regression in 1 of 3 compared stages against nightly-1: stage 3 · u400: p95 +35.0 %',
      'reports: /results/r1',
    ]);
    expect(lines.join('\n')).toContain('## Comparison with `nightly-1`');
  });

  it('off a terminal, by default: one plain line per event (no JSON, no escape codes), then the end', () => {
    const { out, text } = pipe();
    const log = createLogger('info', 'pretty', out);
    const emit = logEvents(log);
    emit({ kind: 'warning', message: '--baseline latest: nothing to compare with' });
    emit(finished(makeRunRecord({ verdict: 'none' })));
    const got = text();
    expect(got).not.toContain('\x1b'); // no colour codes: kubectl logs would show them as is
    expect(got.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    expect(got).toMatch(
      /^\[\d\d:\d\d:\d\d\] WARN {2}--baseline latest: nothing to compare with\n\[\d\d:\d\d:\d\d\] INFO {2}run .* completed: 3 stages; .*; reports in \/results\/r1; run summary in ConfigMap locust-driver-run-r1 \(namespace load\)\n\n# Load test: /,
    );
    expect(got.trimEnd().split('\n').at(-1)).toMatch(/^run summary: ConfigMap locust-driver-run-r1 in namespace load /);
  });

  it('is left out of a JSON log: every line stays one JSON object', () => {
    const { out, text } = pipe();
    logEvents(createLogger('info', 'json', out))(finished(makeRunRecord()));
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'run-finished', summaryConfigMap: { name: 'locust-driver-run-r1', namespace: 'load' } });
  });
});
