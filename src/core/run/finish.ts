// The end of a run, whatever ended it: users handed on are stopped (a stop that fails outranks
// everything else), the record concluded, the cluster put back, the summary ConfigMap saved, the
// Lease released, and the final record written.
import { StopFailedError, type DriverError } from '../errors.js';
import type { RunRecord } from '../model.js';
import type { SavedSummary } from '../events.js';
import { restoreCluster } from '../scaling.js';
import { summaryConfigMap } from '../run-summary.js';
import { concluded } from './record.js';
import type { RunState } from './state.js';
import type { RunDeps, RunOptions } from './types.js';
import { isoTime } from '../units.js';

export async function finishRun(
  deps: RunDeps,
  o: RunOptions,
  run: RunState,
  endStatus: RunRecord['status'],
  endError: DriverError | null,
): Promise<{ record: RunRecord; error: DriverError | null }> {
  const { lg, clock, sink, emit } = deps;
  let status = endStatus;
  let error = endError;
  if (run.swarmRunning) {
    // transition: continue handed the users on, and the run ends here: they must not keep running.
    try {
      await lg.stop();
    } catch (e) {
      if (e instanceof StopFailedError) error = e;
      else emit({ kind: 'warning', message: `could not stop the users at the end: ${(e as Error).message}` });
    }
    run.swarmRunning = false;
  }
  let record = run.record;
  if (error instanceof StopFailedError) {
    // Whatever else ended the run (a signal, a failed stage), users that would not stop come first.
    status = 'failed';
    record = { ...record, stopFailure: { at: isoTime(clock.now()), url: error.url, usersAtZero: error.usersAtZero, tried: error.tried } };
    emit({ kind: 'warning', message: error.message });
  }
  const before = record.comparison;
  record = concluded(record, status, error, o.baseline ?? null);
  if (record.comparison !== null && record.comparison !== before) emit({ kind: 'compared', comparison: record.comparison });
  // Named at the end of the log, so a person knows where the summary outlives the pod.
  let saved: SavedSummary | null = null;
  const kube = run.kube;
  if (kube) {
    if (kube.plan.restore) {
      const r = await restoreCluster(kube.cluster, kube.plan, kube.state);
      if (r.done.length > 0 || r.failed.length > 0) emit({ kind: 'restored', done: r.done, failed: r.failed });
    }
    if (kube.plan.keepSummaries > 0) {
      try {
        const cm = summaryConfigMap({ ...record, finishedAt: isoTime(clock.now()) });
        await kube.cluster.saveSummary(cm.name, cm.labels, cm.data, kube.plan.keepSummaries);
        saved = { name: cm.name, namespace: kube.cluster.namespace };
      } catch (e) {
        emit({ kind: 'warning', message: `could not save the run summary ConfigMap: ${(e as Error).message}` });
      }
    }
  }
  await run.lease?.stop();
  record = { ...record, finishedAt: isoTime(clock.now()) };
  run.record = record;
  await sink.runUpdated(record);
  emit({ kind: 'run-finished', run: record, best: record.summary.best, knee: record.summary.knee, reportDir: sink.dir, summaryConfigMap: saved });
  return { record, error };
}
