// The run: wait for the master and its workers, check the target, then every stage in order,
// writing the reports as each stage ends. Everything through ports; no I/O of its own.
//
//   start (record, cluster preflight, Lease, baseline, master, API) → stages (stages.ts) → finish (finish.ts)
import type { StagePlan } from '../model.js';
import { AbortedError, InfraError, type DriverError } from '../errors.js';
import { captureBaseline } from '../scaling.js';
import { expectedRunMs } from '../plan.js';
import { clusterPreflight, holdLease } from './lease.js';
import { preflight, stopLeftoverSwarm } from './master.js';
import { detectPluginFor } from './plugin-requirement.js';
import { freshRecord, resumedRecord } from './record.js';
import { finishRun } from './finish.js';
import { asDriverError, runStages } from './stages.js';
import type { RunState } from './state.js';
import type { RunDeps, RunEnding, RunOptions } from './types.js';

export type { HealthProbe, RunDeps, RunEnding, RunOptions } from './types.js';
export { keptStages } from './record.js';

export async function runMatrix(deps: RunDeps, o: RunOptions): Promise<RunEnding> {
  const { lg, clock, sink, emit, signal } = deps;
  const startedAt = clock.now();
  const plannedMs = expectedRunMs(o.plan);
  const fresh = freshRecord(o, lg.url, startedAt);
  const run: RunState = {
    record: o.resume ? resumedRecord(o.resume, fresh, clock.now()) : fresh,
    swarmRunning: false,
    kube: null,
    lease: null,
    startedAt,
    plannedMs,
  };
  if (o.resume) {
    const was = o.resume.current;
    const where = was ? ` (the interrupted driver was in stage ${was.stage}, attempt ${was.attempt}, phase ${was.phase} since ${was.since})` : '';
    emit({
      kind: 'warning',
      message: `resuming run ${o.runId}: keeping ${run.record.stages.length} finished stage(s), continuing at stage ${(run.record.stages.at(-1)?.index ?? 0) + 1}${where}`,
    });
  }
  emit({
    kind: 'run-started',
    runId: o.runId,
    name: o.plan.name,
    stages: o.plan.stages.length,
    plannedMs,
    masterUrl: lg.url,
    embedded: o.embedded,
    reportDir: sink.dir,
  });

  // run.json keeps only the error's message; the caller needs the error itself for the exit code.
  let failure: DriverError | null = null;
  const end = async (status: Parameters<typeof finishRun>[3], error: DriverError | null) => {
    const done = await finishRun(deps, o, run, status, error);
    failure = done.error;
    return done.record;
  };
  const ending = (r: RunEnding['record']): RunEnding => ({ record: r, error: failure });

  try {
    await start(deps, o, run);
  } catch (e) {
    const err = asDriverError(e, signal);
    return ending(await end(err instanceof AbortedError ? 'aborted' : 'failed', err));
  }
  try {
    return ending(await runStages(deps, o, run, end));
  } catch (e) {
    // Whatever went wrong (a report that could not be written, a bug), the cluster is put back,
    // the Lease released and run.json says why.
    return ending(await end(signal.aborted ? 'aborted' : 'failed', asDriverError(e, signal)));
  }
}

/** Everything before the first stage: the cluster (permissions, Lease, what it looks like), the master and its API. */
async function start(deps: RunDeps, o: RunOptions, run: RunState): Promise<void> {
  const { lg, sink, emit, signal } = deps;
  const k = o.plan.kubernetes;
  if (k) {
    const cluster = deps.cluster ?? null;
    if (!cluster) throw new InfraError('the matrix has a kubernetes: section but no cluster connection was made');
    await clusterPreflight(cluster, k, o, signal);
    run.lease = await holdLease(cluster, k, o, deps);
    const state = await captureBaseline(cluster, k, signal);
    // A resumed run puts back what the FIRST driver found, not what the dead one left scaled.
    const found = o.resume?.environment.kubernetes?.baseline ?? null;
    if (found) {
      const uses = (f: (s: StagePlan) => boolean) => o.plan.stages.some(f);
      Object.assign(state, {
        baseline: found,
        touchedTarget: uses((s) => s.replicas !== null),
        touchedHpa: uses((s) => s.hpa !== null || (s.replicas !== null && found.hpaExisted)),
        touchedWorkers: uses((s) => s.workers !== null),
      });
    }
    run.kube = { cluster, plan: k, state };
    const env = run.record.environment;
    run.record = {
      ...run.record,
      environment: { ...env, kubernetes: { namespace: cluster.namespace, server: cluster.server, inCluster: cluster.inCluster, baseline: state.baseline } },
    };
    emit({ kind: 'kube-ready', namespace: cluster.namespace, server: cluster.server, inCluster: cluster.inCluster, lease: k.leaseName });
  }
  const first = await preflight(deps, o);
  // The release decides how to stop: known before anything is stopped, or refused here.
  const api = await lg.detect(signal);
  // The companion plugin makes every window's edges exact; without it the REST API's estimates are used.
  const plugin = await detectPluginFor(lg, o.plan, signal);
  const env = run.record.environment;
  run.record = {
    ...run.record,
    environment: {
      ...env,
      locust: { ...env.locust, version: api.version, api: { basis: api.basis, stateMethod: api.stateMethod }, schema: first.schema, plugin },
      workers: first.workerCount,
    },
  };
  if (o.resume) await stopLeftoverSwarm(deps, first, 'the interrupted driver');
  emit({ kind: 'master-ready', workers: first.workerCount, locustVersion: api.version, schema: first.schema, plugin: plugin?.version ?? null });
  await sink.runUpdated(run.record);
}

export { runPreflight } from './preflight.js';
