// The run's metrics as an add-on of the composition root: a tee of the run's events (samples and
// finished stages are queued for remote write as they happen) and a decorator of the report sink
// (every run.json written carries the send counts; the final write first drains the buffer, within
// metrics.remoteWrite.flushTimeout, so run.json ends with the final drop count). The core run logic
// knows nothing of it.
import { ConfigError } from '../../core/errors.js';
import type { MetricsPlan, RunRecord, StageResult, WindowStats } from '../../core/model.js';
import type { EventSink, ReportSink } from '../../ports.js';
import { RemoteWriter, type Post } from './remote-writer.js';
import { runOutcomeSeries } from './run-series.js';
import { sampleSeries, stageSeries, type RunLabels } from './series.js';

export interface MetricsOutput {
  /** The run's events, passed on to `next` and queued for sending. */
  tee(next: EventSink): EventSink;
  /** The report sink, with the send counts in every run.json it writes. */
  wrap(sink: ReportSink): ReportSink;
}

/** The Authorization header from the environment variable the plan names; fails before the run starts. */
export function authHeaders(rw: NonNullable<MetricsPlan['remoteWrite']>, env: NodeJS.ProcessEnv, where: string): Record<string, string> {
  if (rw.bearerTokenEnv) {
    const token = env[rw.bearerTokenEnv];
    if (!token)
      throw new ConfigError(`${where} metrics.remoteWrite.bearerTokenEnv: the environment variable ${rw.bearerTokenEnv} is not set — export it with the token`);
    return { Authorization: `Bearer ${token}` };
  }
  if (rw.basicAuth) {
    const password = env[rw.basicAuth.passwordEnv];
    if (!password)
      throw new ConfigError(
        `${where} metrics.remoteWrite.basicAuth.passwordEnv: the environment variable ${rw.basicAuth.passwordEnv} is not set — export it with the password`,
      );
    return { Authorization: `Basic ${Buffer.from(`${rw.basicAuth.username}:${password}`).toString('base64')}` };
  }
  return {};
}

export interface MetricsOutputOptions {
  runId: string;
  matrix: string;
  metrics: MetricsPlan;
  headers: Record<string, string>;
  warn: (message: string) => void;
  post?: Post;
}

/** null without remote write: metrics.prom alone needs no tee (the report sink writes it from run.json). */
export function createMetricsOutput(o: MetricsOutputOptions): MetricsOutput | null {
  const rw = o.metrics.remoteWrite;
  if (!rw) return null;
  const writer = new RemoteWriter({
    url: rw.url,
    headers: o.headers,
    timeoutMs: rw.timeoutMs,
    retries: rw.retries,
    maxQueued: rw.maxQueued,
    warn: o.warn,
    ...(o.post ? { post: o.post } : {}),
  });
  const labels: RunLabels = { runId: o.runId, matrix: o.matrix, static: o.metrics.labels };
  let closed = false;
  // The run loop never sets remoteWrite, so the record it hands over still carries what an earlier
  // (resumed) run of this id counted: add this process's counts to it.
  const withCounts = (run: RunRecord): RunRecord => {
    const now = writer.stats();
    const before = run.remoteWrite ?? { sent: 0, dropped: 0 };
    return { ...run, remoteWrite: { sent: before.sent + now.sent, dropped: before.dropped + now.dropped } };
  };
  return {
    tee: (next) => (event) => {
      next(event);
      // Building series is cheap and synchronous; a throw here must not reach the run loop.
      try {
        if (event.kind === 'sample') writer.enqueue(sampleSeries(labels, event.stage, event.sample));
        else if (event.kind === 'stage-finished' && event.result.status !== 'skipped')
          writer.enqueue(stageSeries(labels, event.result, Date.parse(event.result.finishedAt)));
      } catch (e) {
        o.warn(`remote write: could not build the series of a ${event.kind} event (${(e as Error).message})`);
      }
    },
    wrap: (sink) => ({
      dir: sink.dir,
      stageFinished: (run: RunRecord, stage: StageResult, window: WindowStats | null) => sink.stageFinished(withCounts(run), stage, window),
      progress: (run: RunRecord) => sink.progress(withCounts(run)),
      runUpdated: async (run: RunRecord) => {
        if (run.status !== 'running' && !closed) {
          // The run is over (finishedAt is set): its outcome goes last, then the buffer gets its deadline.
          closed = true;
          writer.enqueue(runOutcomeSeries(run, Date.now()));
          await writer.close(rw.flushTimeoutMs);
        }
        return sink.runUpdated(withCounts(run));
      },
    }),
  };
}
