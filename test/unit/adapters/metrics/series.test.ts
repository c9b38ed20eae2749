import { describe, expect, it } from 'vitest';
import { createMetricsOutput } from '../../../../src/adapters/metrics/metrics-output.js';
import { openMetricsText, runOpenMetrics } from '../../../../src/adapters/metrics/openmetrics.js';
import { decodeWriteRequest } from '../../../../src/adapters/metrics/remote-write-encoding.js';
import { sampleSeries, stageSeries } from '../../../../src/adapters/metrics/series.js';
import type { RunRecord } from '../../../../src/core/model.js';
import type { ReportSink } from '../../../../src/ports.js';
import { makePlanStage, makeRunRecord } from '../../../fakes/run-record.js';
import { uncompressSync } from 'snappy';

const labels = { runId: 'r1', matrix: 'inference', static: { team: 'ml' } };

describe('series', () => {
  const run = makeRunRecord();
  const stage = run.stages[0]!;

  it('labels every series with the run and stage (replicas / workers only when the stage sets them)', () => {
    const s = stageSeries(labels, { ...stage, replicas: 3, workers: null }, 5_000);
    const rps = s.find((x) => x.labels.__name__ === 'locust_driver_stage_rps')!;
    expect(rps.labels).toEqual({
      __name__: 'locust_driver_stage_rps',
      run_id: 'r1',
      matrix: 'inference',
      stage: stage.name,
      stage_index: '1',
      users: String(stage.users),
      replicas: '3',
      team: 'ml',
    });
    expect(rps.value).toBe(stage.totals!.rps);
    expect(rps.timestampMs).toBe(5_000);
    const p95 = s.find((x) => x.labels.__name__ === 'locust_driver_stage_response_time_seconds' && x.labels.quantile === '0.95')!;
    expect(p95.value).toBeCloseTo(stage.totals!.p95Ms! / 1000, 9);
  });

  it('leaves unknown sample values out instead of sending 0', () => {
    const sample = { ...stage.samples[0]!, rps: null, p95Ms: null, replicasReady: null };
    const names = sampleSeries(labels, makePlanStage(1, 100), sample).map((x) => `${x.labels.__name__}${x.labels.quantile ?? ''}`);
    expect(names).toContain('locust_driver_sample_users');
    expect(names).not.toContain('locust_driver_sample_rps');
    expect(names).not.toContain('locust_driver_sample_response_time_seconds0.95');
    expect(names).toContain('locust_driver_sample_response_time_seconds0.5');
  });
});

describe('metrics.prom (OpenMetrics)', () => {
  it('has a TYPE per family, escaped label values, no timestamps and ends with # EOF', () => {
    const text = openMetricsText([{ labels: { __name__: 'locust_driver_x', stage: 'a "b"\\c\nd' }, value: 1.5, timestampMs: 99 }]);
    expect(text).toBe('# TYPE locust_driver_x gauge\nlocust_driver_x{stage="a \\"b\\"\\\\c\\nd"} 1.5\n# EOF\n');
  });

  it('holds the run outcome and each stage of run.json', () => {
    const run = makeRunRecord();
    const text = runOpenMetrics(run);
    expect(text).toMatch(/^locust_driver_run_info\{matrix="inference-capacity",run_id="[^"]+",status="completed",verdict="none"\} 1$/m);
    for (const st of run.stages)
      expect(text).toContain(
        `locust_driver_stage_rps{matrix="inference-capacity",run_id="${run.runId}",stage="${st.name}",stage_index="${st.index}",users="${st.users}"} ${st.totals!.rps}`,
      );
    expect(text.endsWith('# EOF\n')).toBe(true);
  });
});

describe('createMetricsOutput', () => {
  it('queues samples and finished stages from the events, drains at the final write and records the counts in run.json', async () => {
    const bodies: Buffer[] = [];
    const written: RunRecord[] = [];
    const inner: ReportSink = {
      dir: '/x',
      stageFinished: () => Promise.resolve(),
      progress: () => Promise.resolve(),
      runUpdated: (r) => (written.push(r), Promise.resolve()),
    };
    const run = makeRunRecord();
    const out = createMetricsOutput({
      runId: run.runId,
      matrix: run.name,
      metrics: {
        remoteWrite: {
          url: 'http://prom/api/v1/write',
          basicAuth: null,
          bearerTokenEnv: null,
          timeoutMs: 1_000,
          retries: 0,
          maxQueued: 1_000,
          flushTimeoutMs: 1_000,
        },
        labels: {},
      },
      headers: {},
      warn: () => {},
      post: (_u, body) => (bodies.push(body), Promise.resolve(204)),
    })!;
    const seen: string[] = [];
    const emit = out.tee((e) => seen.push(e.kind));
    const stage = run.stages[0]!;
    emit({ kind: 'sample', stage: makePlanStage(1, stage.users), of: 1, sample: stage.samples[0]!, runElapsedMs: 0, runPlannedMs: 1 });
    emit({ kind: 'stage-finished', result: stage, of: 1 });
    const sink = out.wrap(inner);
    await sink.runUpdated(run);
    expect(seen).toEqual(['sample', 'stage-finished']); // the log still gets every event
    const names = bodies.flatMap((b) => decodeWriteRequest(uncompressSync(b, { asBuffer: true }) as Buffer)).map((x) => x.labels.__name__);
    expect(names).toContain('locust_driver_sample_users');
    expect(names).toContain('locust_driver_stage_rps');
    expect(names).toContain('locust_driver_run_info');
    expect(written.at(-1)!.remoteWrite).toEqual({ sent: names.length, dropped: 0 });
    // a resumed run adds to what the earlier process counted
    await sink.runUpdated({ ...run, remoteWrite: { sent: 5, dropped: 2 } });
    expect(written.at(-1)!.remoteWrite).toEqual({ sent: names.length + 5, dropped: 2 });
  });
});
