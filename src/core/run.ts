// The run: wait for the master and its workers, check the target, then every stage in order,
// writing the reports as each stage ends. Everything through ports; no I/O of its own.
import type { Clock, Cluster, EventSink, LoadGenerator, ReportSink } from '../ports.js';
import type { KubernetesPlan, LiveStats, RunPlan, RunRecord, StagePlan, StageResult, StageRetry, Tolerances } from './model.js';
import type { SavedSummary } from './events.js';
import { compareRuns } from './compare.js';
import { capacityResult, nextProbeUsers, probePassed, probeStage, type Probe } from './capacity.js';
import { breachText } from './slo.js';
import { AbortedError, DriverError, InfraError, LocustError, StopFailedError } from './errors.js';
import { captureBaseline, describeCheck, requiredAccess, restoreCluster, type ScalingState } from './scaling.js';
import { summaryConfigMap } from './run-summary.js';
import { thinSamples } from './samples.js';
import { capacityProbeBound, expectedRunMs, LOCUST_TIMING } from './plan.js';
import { busy, runStage, type StageOutcome } from './stage.js';
import { findBest, findKnee } from './summary.js';
import { formatDuration } from './units.js';

/** Asks the system under test whether it is healthy; resolves to a problem description or null. */
export type HealthProbe = (url: string, signal: AbortSignal) => Promise<string | null>;

export interface RunDeps {
  lg: LoadGenerator;
  clock: Clock;
  sink: ReportSink;
  emit: EventSink;
  signal: AbortSignal;
  probe?: HealthProbe;
  /** Required when the plan has a kubernetes: section. */
  cluster?: Cluster | null;
}

export interface RunOptions {
  runId: string;
  plan: RunPlan;
  /** The target host sent with every /swarm (null: the master's own --host). */
  host: string | null;
  healthUrl: string | null;
  embedded: boolean;
  expectWorkers: number;
  connectTimeoutMs: number;
  driverVersion: string;
  nodeVersion: string;
  /** How often to retry the master and the target while waiting for them. */
  connectPollMs?: number;
  /** Who holds the Lease (the pod's name in a cluster). */
  holder?: string;
  leaseDurationS?: number;
  /** --baseline: the earlier run to compare with at the end, and the allowed changes. */
  baseline?: { run: RunRecord; tolerances: Tolerances } | null;
  stageTiming?: { rampPollMs?: number; countPollMs?: number };
  /** run --resume: the run.json of the interrupted run; its finished stages are kept, never run again. */
  resume?: RunRecord | null;
}

/** Stages a resume keeps: they ran to the end (whatever their verdict) or were skipped by design. */
const FINISHED: ReadonlySet<StageResult['status']> = new Set(['completed', 'invalid', 'skipped']);

/** The stages of an interrupted run that a resume keeps: everything before the first unfinished one. */
export function keptStages(run: RunRecord): StageResult[] {
  const firstOpen = run.stages.findIndex((s) => !FINISHED.has(s.status));
  return firstOpen === -1 ? run.stages : run.stages.slice(0, firstOpen);
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function runMatrix(deps: RunDeps, o: RunOptions): Promise<RunRecord> {
  const { lg, clock, sink, emit, signal } = deps;
  const startedAt = clock.now();
  const plannedMs = expectedRunMs(o.plan);
  const fresh: RunRecord = {
    schemaVersion: 1,
    runId: o.runId,
    name: o.plan.name,
    startedAt: iso(startedAt),
    finishedAt: null,
    status: 'running',
    verdict: 'none',
    error: null,
    plan: o.plan,
    environment: {
      driver: o.driverVersion,
      node: o.nodeVersion,
      locust: { version: null, url: lg.url, embedded: o.embedded, schema: null, api: null },
      kubernetes: null,
      workers: null,
    },
    stages: [],
    summary: { best: null, knee: null },
    capacity: null,
    comparison: null,
    resumes: [],
    stopFailure: null,
  };
  const record = o.resume ? resumedRecord(o.resume, fresh, clock.now()) : fresh;
  if (o.resume) emit({ kind: 'warning', message: `resuming run ${o.runId}: keeping ${record.stages.length} finished stage(s), continuing at stage ${(record.stages.at(-1)?.index ?? 0) + 1}` });
  emit({ kind: 'run-started', runId: o.runId, name: o.plan.name, stages: o.plan.stages.length, plannedMs, masterUrl: lg.url, embedded: o.embedded, reportDir: sink.dir });

  const k = o.plan.kubernetes;
  const cluster = k ? (deps.cluster ?? null) : null;
  let kube: { cluster: Cluster; plan: KubernetesPlan; state: ScalingState } | null = null;
  let lease: { stop: () => Promise<void> } | null = null;
  const swarm: SwarmState = { running: false };

  const end = async (endStatus: RunRecord['status'], endError: DriverError | null): Promise<RunRecord> => {
    let status = endStatus;
    let error = endError;
    if (swarm.running) {
      // transition: continue handed the users on, and the run ends here: they must not keep running.
      try {
        await lg.stop();
      } catch (e) {
        if (e instanceof StopFailedError) error = e;
        else emit({ kind: 'warning', message: `could not stop the users at the end: ${(e as Error).message}` });
      }
      swarm.running = false;
    }
    if (error instanceof StopFailedError) {
      // Whatever else ended the run (a signal, a failed stage), users that would not stop come first.
      status = 'failed';
      record.stopFailure = { at: iso(clock.now()), url: error.url, usersAtZero: error.usersAtZero, tried: error.tried };
      emit({ kind: 'warning', message: error.message });
    }
    record.status = status;
    record.error = error ? error.message : null;
    record.summary = { best: findBest(record.stages), knee: findKnee(record.stages) };
    // Named at the end of the log, so a person knows where the summary outlives the pod.
    let saved: SavedSummary | null = null;
    if (o.baseline && status !== 'aborted' && record.stages.length > 0) {
      record.comparison = compareRuns(o.baseline.run, record, o.baseline.tolerances);
      emit({ kind: 'compared', comparison: record.comparison });
    }
    record.verdict = verdictOf(record);
    if (kube) {
      if (kube.plan.restore) {
        const r = await restoreCluster(kube.cluster, kube.plan, kube.state);
        if (r.done.length > 0 || r.failed.length > 0) emit({ kind: 'restored', done: r.done, failed: r.failed });
      }
      if (kube.plan.keepSummaries > 0) {
        try {
          record.finishedAt = iso(clock.now());
          const cm = summaryConfigMap(record);
          await kube.cluster.saveSummary(cm.name, cm.labels, cm.data, kube.plan.keepSummaries);
          saved = { name: cm.name, namespace: kube.cluster.namespace };
        } catch (e) {
          emit({ kind: 'warning', message: `could not save the run summary ConfigMap: ${(e as Error).message}` });
        }
      }
    }
    await lease?.stop();
    record.finishedAt = iso(clock.now());
    await sink.runUpdated(record);
    emit({ kind: 'run-finished', run: record, best: record.summary.best, knee: record.summary.knee, reportDir: sink.dir, summaryConfigMap: saved });
    return record;
  };

  try {
    if (k) {
      if (!cluster) throw new InfraError('the matrix has a kubernetes: section but no cluster connection was made');
      await clusterPreflight(cluster, k, o, signal);
      lease = await holdLease(cluster, k, o, deps);
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
      kube = { cluster, plan: k, state };
      record.environment.kubernetes = { namespace: cluster.namespace, server: cluster.server, inCluster: cluster.inCluster, baseline: state.baseline };
      emit({ kind: 'kube-ready', namespace: cluster.namespace, server: cluster.server, inCluster: cluster.inCluster, lease: k.leaseName });
    }
    const first = await preflight(deps, o);
    // The release decides how to stop: known before anything is stopped, or refused here.
    const api = await lg.detect(signal);
    record.environment.locust.version = api.version;
    record.environment.locust.api = { basis: api.basis, stateMethod: api.stateMethod };
    if (o.resume) await stopLeftoverSwarm(deps, first, 'the interrupted driver');
    record.environment.locust.schema = first.schema;
    record.environment.workers = first.workerCount;
    emit({ kind: 'master-ready', workers: first.workerCount, locustVersion: record.environment.locust.version, schema: first.schema });
    await sink.runUpdated(record);
  } catch (e) {
    const err = asDriverError(e, signal);
    return end(err instanceof AbortedError ? 'aborted' : 'failed', err);
  }

  try {
    return await runStages(deps, o, record, kube, startedAt, plannedMs, end, swarm);
  } catch (e) {
    // Whatever went wrong (a report that could not be written, a bug), the cluster is put back,
    // the Lease released and run.json says why.
    return end(signal.aborted ? 'aborted' : 'failed', asDriverError(e, signal));
  }
}

type End = (status: RunRecord['status'], error: DriverError | null) => Promise<RunRecord>;

/** The planned ramp of a stage starting from `fromUsers` users. */
function rampMsOf(s: StagePlan, fromUsers: number): number {
  return Math.round((Math.abs(s.users - fromUsers) / s.spawnRate) * 1000);
}

/** One report write in flight at a time; its failure surfaces at the next flush(). */
function pendingWrites(): { start: (p: Promise<void>) => void; flush: () => Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  return {
    start: (p) => {
      pending = p.catch((error: unknown) => {
        failure = { error };
      });
    },
    flush: async () => {
      await pending;
      if (failure) {
        const { error } = failure;
        failure = null;
        throw error;
      }
    },
  };
}

/** Whether the users of the last stage were handed on running (transition: continue). */
interface SwarmState {
  running: boolean;
}

/** The interrupted run's record, ready to go on: its finished stages kept, the resume noted. */
function resumedRecord(prior: RunRecord, fresh: RunRecord, now: number): RunRecord {
  const stages = keptStages(prior);
  return {
    ...prior,
    plan: fresh.plan,
    environment: { ...fresh.environment, kubernetes: prior.environment.kubernetes },
    status: 'running',
    finishedAt: null,
    error: null,
    verdict: 'none',
    comparison: null,
    stages,
    resumes: [...prior.resumes, { at: iso(now), fromStage: (stages.at(-1)?.index ?? 0) + 1 }],
  };
}

/** A swarm nobody is measuring (a dead driver's, an interrupted stage's) is stopped before anything new starts. */
async function stopLeftoverSwarm(deps: RunDeps, seen: LiveStats, whose: string): Promise<void> {
  if (!busy(seen)) return;
  deps.emit({ kind: 'warning', message: `the master is still running ${seen.userCount} users from ${whose} (state ${seen.state}): stopping them first` });
  await deps.lg.stop(deps.signal);
  // Late worker deltas of that swarm land within one report interval: let them pass before a new start.
  await deps.clock.sleep(LOCUST_TIMING.finalReportWaitMs, deps.signal);
}

/** After a fault: waits (retry.masterTimeout) for the master and the expected workers, then stops what is left. */
async function waitForMaster(deps: RunDeps, o: RunOptions): Promise<void> {
  const { lg, clock, signal } = deps;
  const timeoutMs = o.plan.retry.masterTimeoutMs;
  const poll = o.connectPollMs ?? 1_000;
  const deadline = clock.now() + timeoutMs;
  let lastProblem: string;
  for (;;) {
    try {
      const s = await lg.stats(signal);
      if (s.workerCount >= o.expectWorkers) {
        await stopLeftoverSwarm(deps, s, 'the interrupted attempt');
        deps.emit({ kind: 'warning', message: `the master is back with ${s.workerCount} worker(s)` });
        return;
      }
      lastProblem = `${s.workerCount} of ${o.expectWorkers} workers connected`;
    } catch (e) {
      if (signal.aborted) throw e;
      if (e instanceof LocustError && (e.code === 'LOCUST_AUTH' || e instanceof StopFailedError)) throw e;
      lastProblem = (e as Error).message;
    }
    if (clock.now() + poll > deadline) {
      throw new InfraError(`the Locust master at ${lg.url} did not come back with ${o.expectWorkers} worker(s) within retry.masterTimeout ${formatDuration(timeoutMs)} (${lastProblem}): the measured stages are kept in the reports; rerun with --resume --run-id ${o.runId} once it is up`);
    }
    await clock.sleep(poll, signal);
  }
}

async function runStages(
  deps: RunDeps,
  o: RunOptions,
  record: RunRecord,
  kube: { cluster: Cluster; plan: KubernetesPlan; state: ScalingState } | null,
  startedAt: number,
  plannedMs: number,
  endRun: End,
  swarm: SwarmState,
): Promise<RunRecord> {
  const { lg, clock, sink, emit, signal } = deps;
  const cap = o.plan.capacity;
  const template = o.plan.stages[0];
  const of = cap ? capacityProbeBound(cap) : o.plan.stages.length;
  // A resumed run starts with the stages it keeps (and, for a capacity search, their probes).
  const probes: Probe[] = cap ? record.stages.map((r) => ({ users: r.users, pass: probePassed(r), stageIndex: r.index })) : [];
  let failed = record.stages.filter((r) => r.status === 'failed').length;
  const next = (index: number): StagePlan | null => {
    if (!cap || !template) return o.plan.stages[index - 1] ?? null;
    const users = nextProbeUsers(cap, probes);
    return users === null ? null : probeStage(template, users, index);
  };
  let stage = next(record.stages.length + 1);
  const writes = pendingWrites();
  let known: LiveStats | null = null;
  const end: End = async (status, error) => {
    await writes.flush().catch(() => undefined); // end() rewrites everything; a failed stage write is reported there
    return endRun(status, error);
  };
  while (stage) {
    // transition: continue hands the users to the next stage; a capacity search always restarts.
    const handOff = o.plan.transition === 'continue' && !cap && stage.index < o.plan.stages.length;
    let outcome: StageOutcome;
    const retries: StageRetry[] = [];
    for (let attempt = 1; ; attempt++) {
      outcome = await runStage({ lg, clock, emit, signal, kube }, stage, {
        host: o.host,
        of,
        runStartedAt: startedAt,
        runPlannedMs: plannedMs,
        expectWorkers: o.expectWorkers,
        continuing: swarm.running,
        known: attempt === 1 ? known : null,
        handOff,
        last: !cap && stage.index === o.plan.stages.length,
        onWorkerLoss: o.plan.retry.onWorkerLoss,
        attempt,
        retries: [...retries],
        ...o.stageTiming,
      });
      swarm.running = outcome.running;
      known = outcome.known;
      if (outcome.interrupted === null || signal.aborted) break;
      if (attempt > o.plan.retry.attempts) {
        outcome.result.reason = `${outcome.result.reason ?? 'interrupted'} — gave up after ${attempt} attempt(s) (retry.attempts: ${o.plan.retry.attempts})`;
        break;
      }
      retries.push({ at: outcome.result.finishedAt, reason: outcome.interrupted });
      const limit = formatDuration(o.plan.retry.masterTimeoutMs);
      emit({ kind: 'warning', message: `stage ${stage.index} interrupted (${outcome.interrupted}); waiting up to ${limit} for the master and ${o.expectWorkers} worker(s), then running it again (attempt ${attempt + 1} of ${o.plan.retry.attempts + 1})` });
      try {
        await waitForMaster(deps, o);
      } catch (e) {
        if (signal.aborted) {
          outcome.result.status = 'aborted';
          break;
        }
        outcome.result.reason = `${outcome.result.reason ?? 'interrupted'}; ${(e as Error).message}`;
        record.stages.push(outcome.result);
        await sink.stageFinished(record, outcome.result, outcome.window);
        return end('failed', e instanceof DriverError ? e : new InfraError((e as Error).message));
      }
    }
    const result = outcome.result;
    record.stages.push(result);
    if (cap) {
      probes.push({ users: result.users, pass: probePassed(result), stageIndex: result.index });
      record.capacity = capacityResult(cap, probes, (i) => stageProblem(record.stages[i - 1]));
    }
    record.summary = { best: findBest(record.stages), knee: findKnee(record.stages) };
    record.verdict = verdictOf(record);
    const following = outcome.fatal || signal.aborted ? null : next(stage.index + 1);
    // The stage's reports are written while the next stage starts; the sink keeps writes in order
    // and a failed write still fails the run. Rendering report.html holds the event loop for a few
    // hundred ms, so when the next stage follows at once it waits until that stage has ramped.
    await writes.flush();
    const snapshot: RunRecord = { ...record, stages: [...record.stages] };
    const holdMs = following && (outcome.running || stage.cooldownMs < 1_000) ? rampMsOf(following, outcome.running ? result.users : 0) + 1_000 : 0;
    const write = async () => {
      await sink.stageFinished(snapshot, result, outcome.window);
      result.samples = thinSamples(result.samples); // samples.csv has them all now
    };
    writes.start(holdMs > 0 ? clock.sleep(holdMs).then(write) : write());
    if (outcome.fatal) return end(outcome.fatal instanceof AbortedError ? 'aborted' : 'failed', outcome.fatal);
    if (signal.aborted) return end('aborted', asDriverError(signal.reason, signal));
    if (result.status === 'failed') failed++;
    if (following && !cap && o.plan.onBreach === 'stop' && result.slo.some((v) => !v.pass)) {
      // slo.onBreach: stop — the remaining stages are recorded as skipped, with why.
      const why = `skipped: stage ${result.index} breached its SLO (${breachText(result.slo)}) and slo.onBreach is stop`;
      for (const rest of o.plan.stages.slice(stage.index)) record.stages.push(skippedStage(rest, why, clock.now()));
      emit({ kind: 'warning', message: `${why.replace('skipped: ', '')}: skipping ${o.plan.stages.length - stage.index} stages` });
      break;
    }
    if (following && outcome.stoppedAt !== null && !outcome.running) {
      const rest = stage.cooldownMs - (clock.now() - outcome.stoppedAt);
      if (rest > 0) {
        emit({ kind: 'cooldown', stage, of, ms: rest });
        try {
          await clock.sleep(rest, signal);
        } catch (e) {
          return end('aborted', asDriverError(e, signal));
        }
      }
    }
    stage = following;
  }
  if (swarm.running) {
    // the stages ended early (onBreach: stop) with users handed on: stop them now (once: a failed
    // stop ends the run through end(), which must not try again)
    swarm.running = false;
    await lg.stop();
  }
  await writes.flush();
  record.verdict = verdictOf(record);
  const total = record.stages.length;
  return end(failed > 0 ? 'failed' : 'completed', failed > 0 ? new InfraError(`${failed} of ${total} stages failed; see each stage's reason in summary.md`) : null);
}

/** pass / fail when any stage is judged by an SLO (a failed, invalid or breaching stage fails); else none. */
export function verdictOf(run: RunRecord): RunRecord['verdict'] {
  const judged = run.plan.stages.some((s) => s.slo !== null) || run.plan.capacity !== null;
  const ran = run.stages.some((s) => s.status !== 'skipped');
  if (!judged || !ran) return run.comparison?.regression ? 'fail' : 'none';
  if (run.plan.capacity) return run.capacity?.users !== null && run.capacity !== null && !run.comparison?.regression ? 'pass' : 'fail';
  const bad = run.stages.some((s) => s.status === 'failed' || s.status === 'invalid' || s.status === 'aborted' || s.slo.some((v) => !v.pass));
  return bad || run.comparison?.regression ? 'fail' : 'pass';
}

function stageProblem(r: StageResult | undefined): string {
  if (!r) return 'unknown';
  if (r.status !== 'completed') return r.reason ?? r.status;
  return breachText(r.slo) || 'no SLO verdict';
}

function skippedStage(s: StagePlan, reason: string, now: number): StageResult {
  const at = new Date(now).toISOString();
  return {
    index: s.index,
    name: s.name,
    slug: s.slug,
    status: 'skipped',
    reason,
    users: s.users,
    spawnRate: s.spawnRate,
    replicas: s.replicas,
    workers: s.workers,
    hpa: s.hpa,
    prepareMs: null,
    plannedDurationMs: s.durationMs,
    startedAt: at,
    finishedAt: at,
    rampMs: null,
    window: null,
    totals: null,
    endpoints: [],
    failures: [],
    exceptionCount: 0,
    workersSeen: null,
    workerCpuMaxPercent: null,
    samples: [],
    slo: [],
    attempt: 1,
    retries: [],
  };
}

/** Every permission the plan needs, asked at once; all that are missing are named in one line. */
async function clusterPreflight(cluster: Cluster, k: KubernetesPlan, o: RunOptions, signal: AbortSignal): Promise<void> {
  const results = await cluster.canI(requiredAccess(k, o.plan.stages), signal);
  const missing = results.filter((r) => !r.allowed).map((r) => describeCheck(r.check, cluster.namespace));
  if (missing.length > 0) {
    throw new InfraError(`the driver's Kubernetes identity lacks permissions — missing: ${missing.join('; ')} (apply the Role in k8s/driver-job.yaml, see docs/security.md)`);
  }
}

/** Takes the Lease (one driver per master) and keeps renewing it until stop(). */
async function holdLease(cluster: Cluster, k: KubernetesPlan, o: RunOptions, deps: RunDeps): Promise<{ stop: () => Promise<void> }> {
  // The run id first: a resumed run knows its predecessor's Lease by it.
  const holder = `${o.runId}@${o.holder ?? 'locust-driver'}`;
  const duration = o.leaseDurationS ?? 30;
  let got = await cluster.acquireLease(k.leaseName, holder, duration, deps.signal);
  // A resumed run may find its own dead predecessor (same run id) still holding the Lease: it
  // expires within one Lease duration.
  const until = deps.clock.now() + duration * 1000 + 5_000;
  while (o.resume && !got.acquired && got.holder.startsWith(`${o.runId}@`) && deps.clock.now() < until) {
    await deps.clock.sleep(2_000, deps.signal);
    got = await cluster.acquireLease(k.leaseName, holder, duration, deps.signal);
  }
  if (!got.acquired) {
    throw new InfraError(
      `another locust-driver holds the Lease ${k.leaseName} in ${cluster.namespace} (holder ${got.holder}, renewed ${got.renewTime ?? 'never'}): wait for it to finish, or delete the Lease if that run is gone`,
    );
  }
  const stopper = new AbortController();
  const keeper = (async () => {
    for (;;) {
      try {
        await deps.clock.sleep((duration * 1000) / 3, stopper.signal);
      } catch {
        return;
      }
      try {
        if (!(await cluster.renewLease(k.leaseName, holder, duration))) deps.emit({ kind: 'warning', message: `lost the Lease ${k.leaseName}: another driver took it` });
      } catch (e) {
        deps.emit({ kind: 'warning', message: `could not renew the Lease ${k.leaseName}: ${(e as Error).message}` });
      }
    }
  })();
  return {
    stop: async () => {
      stopper.abort();
      await keeper;
      try {
        await cluster.releaseLease(k.leaseName, holder);
      } catch (e) {
        deps.emit({ kind: 'warning', message: `could not release the Lease ${k.leaseName}: ${(e as Error).message}` });
      }
    },
  };
}

/** Waits (bounded) for the master, the expected workers and a healthy target. */
async function preflight(deps: RunDeps, o: RunOptions): Promise<LiveStats> {
  const { lg, clock, emit, signal } = deps;
  const poll = o.connectPollMs ?? 1_000;
  const deadline = clock.now() + o.connectTimeoutMs;
  const limit = formatDuration(o.connectTimeoutMs);
  let stats: LiveStats | null = null;
  let lastError: unknown = null;
  let lastSeen = -1;
  for (;;) {
    try {
      stats = await lg.stats(signal);
      if (stats.workerCount >= o.expectWorkers) break;
      if (stats.workerCount !== lastSeen) emit({ kind: 'waiting-for-workers', expected: o.expectWorkers, seen: stats.workerCount });
      lastSeen = stats.workerCount;
    } catch (e) {
      if (signal.aborted) throw e;
      if (e instanceof LocustError && (e.code === 'LOCUST_AUTH' || e.code === 'LOCUST_BAD_RESPONSE')) throw e;
      lastError = e;
    }
    if (clock.now() + poll > deadline) {
      if (stats) {
        throw new InfraError(`only ${stats.workerCount} of the ${o.expectWorkers} expected Locust workers connected to ${lg.url} within ${limit}: start more workers or lower locust.expectWorkers`);
      }
      const why = lastError instanceof Error ? lastError.message : 'no answer';
      throw new InfraError(`the Locust master did not answer within ${limit} (${why}): check --master / locust.url, or omit both to start the embedded local stack`, { cause: lastError });
    }
    await clock.sleep(poll, signal);
  }
  if (o.healthUrl && deps.probe) {
    for (;;) {
      const problem = await deps.probe(o.healthUrl, signal);
      if (problem === null) break;
      if (clock.now() + poll > deadline) {
        throw new InfraError(`the target is not healthy: GET ${o.healthUrl} ${problem} — fix the service or target.healthPath`);
      }
      await clock.sleep(poll, signal);
    }
  }
  return stats;
}

function asDriverError(e: unknown, signal: AbortSignal): DriverError {
  if (e instanceof DriverError) return e;
  if (signal.aborted && signal.reason instanceof DriverError) return signal.reason;
  return new LocustError((e as Error)?.message ?? String(e), { cause: e });
}

/**
 * `locust-driver preflight`: the checks `run` makes first, touching nothing — permissions, the
 * objects the plan scales, the master, its workers and the target. Resolves to what was checked;
 * throws the first group's DriverError (with everything missing in that group) otherwise.
 */
export async function runPreflight(deps: RunDeps, o: RunOptions): Promise<string[]> {
  const done: string[] = [];
  const k = o.plan.kubernetes;
  if (k) {
    const cluster = deps.cluster;
    if (!cluster) throw new InfraError('the matrix has a kubernetes: section but no cluster connection was made');
    await clusterPreflight(cluster, k, o, deps.signal);
    done.push(`Kubernetes ${cluster.server} namespace ${cluster.namespace}${cluster.inCluster ? ' (in-cluster)' : ''}: every permission the plan needs is granted`);
    const state = await captureBaseline(cluster, k, deps.signal);
    const b = state.baseline;
    const parts = [
      k.target ? `deployment ${k.target.deployment} (${b.targetReplicas} replicas), HPA ${k.target.hpa} ${b.hpaExisted ? 'present' : 'absent'}` : '',
      k.workers ? `deployment ${k.workers.deployment} (${b.workerReplicas} replicas)` : '',
    ].filter(Boolean);
    if (parts.length > 0) done.push(`objects exist: ${parts.join('; ')}`);
  }
  const first = await preflight(deps, o);
  done.push(`Locust master ${deps.lg.url}: answering, ${first.workerCount} workers connected (expected ${o.expectWorkers})`);
  if (o.healthUrl) done.push(`target healthy: GET ${o.healthUrl}`);
  return done;
}
