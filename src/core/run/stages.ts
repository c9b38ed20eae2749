// The stage loop: every stage in order (or the capacity search's probes), each retried after a
// master or worker fault, its reports written while the next one starts, the cooldown between them.
import type { LiveStats, RunRecord, StagePlan, StageRetry } from '../model.js';
import { AbortedError, DriverError, InfraError, InternalError } from '../errors.js';
import { nextProbeUsers, probePassed, probeStage, type Probe } from '../capacity.js';
import { plannedRampMs } from '../locust-timing.js';
import { capacityProbeBound } from '../plan.js';
import { breachText } from '../slo.js';
import { formatDuration, isoTime } from '../units.js';
import { runStage, type StageOutcome } from '../stage/index.js';
import { waitForMaster } from './master.js';
import { applyOutcome, withSkipped, withThinnedSamples } from './record.js';
import type { End, RunState } from './state.js';
import type { RunDeps, RunOptions } from './types.js';
import { pendingWrites } from './writes.js';

export function asDriverError(e: unknown, signal: AbortSignal): DriverError {
  if (e instanceof DriverError) return e;
  if (signal.aborted && signal.reason instanceof DriverError) return signal.reason;
  return new InternalError('the run', e);
}

export async function runStages(deps: RunDeps, o: RunOptions, run: RunState, endRun: End): Promise<RunRecord> {
  const { lg, clock, sink, emit, signal } = deps;
  const cap = o.plan.capacity;
  const template = o.plan.stages[0];
  const of = cap ? capacityProbeBound(cap) : o.plan.stages.length;
  // A resumed run starts with the stages it keeps (and, for a capacity search, their probes).
  const probes: Probe[] = cap ? run.record.stages.map((r) => ({ users: r.users, pass: probePassed(r), stageIndex: r.index })) : [];
  let failed = run.record.stages.filter((r) => r.status === 'failed').length;
  const next = (index: number): StagePlan | null => {
    if (!cap || !template) return o.plan.stages[index - 1] ?? null;
    const users = nextProbeUsers(cap, probes);
    return users === null ? null : probeStage(template, users, index);
  };
  let stage = next(run.record.stages.length + 1);
  const writes = pendingWrites();
  let known: LiveStats | null = null;
  const end: End = async (status, error) => {
    await writes.flush().catch(() => undefined); // end() rewrites everything; a failed stage write is reported there
    return endRun(status, error);
  };
  while (stage) {
    const index = stage.index;
    // transition: continue hands the users to the next stage; a capacity search always restarts.
    const handOff = o.plan.transition === 'continue' && !cap && index < o.plan.stages.length;
    let outcome: StageOutcome;
    const retries: StageRetry[] = [];
    for (let attempt = 1; ; attempt++) {
      outcome = await runStage({ lg, clock, emit, signal, kube: run.kube }, stage, {
        host: o.host,
        of,
        runStartedAt: run.startedAt,
        runPlannedMs: run.plannedMs,
        expectWorkers: o.expectWorkers,
        plugin: run.record.environment.locust.plugin !== null,
        continuing: run.swarmRunning,
        known: attempt === 1 ? known : null,
        handOff,
        last: !cap && index === o.plan.stages.length,
        onWorkerLoss: o.plan.retry.onWorkerLoss,
        attempt,
        retries: [...retries],
        onPhase: (phase) => {
          run.record = { ...run.record, current: { stage: index, attempt, phase, since: isoTime(clock.now()) } };
          // Only run.json, queued behind the other writes; a failing disk fails the next stage's write.
          sink.progress(run.record).catch(() => undefined);
        },
        ...o.stageTiming,
      });
      run.record = { ...run.record, current: null };
      run.swarmRunning = outcome.running;
      known = outcome.known;
      if (outcome.interrupted === null || signal.aborted) break;
      if (attempt > o.plan.retry.attempts) {
        outcome.result.reason = `${outcome.result.reason ?? 'interrupted'} — gave up after ${attempt} attempt(s) (retry.attempts: ${o.plan.retry.attempts})`;
        break;
      }
      retries.push({ at: outcome.result.finishedAt, reason: outcome.interrupted });
      const limit = formatDuration(o.plan.retry.masterTimeoutMs);
      emit({
        kind: 'warning',
        message: `stage ${index} interrupted (${outcome.interrupted}); waiting up to ${limit} for the master and ${o.expectWorkers} worker(s), then running it again (attempt ${attempt + 1} of ${o.plan.retry.attempts + 1})`,
      });
      try {
        await waitForMaster(deps, o);
      } catch (e) {
        if (signal.aborted) {
          outcome.result.status = 'aborted';
          break;
        }
        outcome.result.reason = `${outcome.result.reason ?? 'interrupted'}; ${(e as Error).message}`;
        run.record = { ...run.record, stages: [...run.record.stages, outcome.result] };
        await sink.stageFinished(run.record, outcome.result, outcome.window);
        return end('failed', asDriverError(e, signal));
      }
    }
    const result = outcome.result;
    if (cap) probes.push({ users: result.users, pass: probePassed(result), stageIndex: result.index });
    run.record = applyOutcome(run.record, result, cap ? { probes } : null);
    const following = outcome.fatal || signal.aborted ? null : next(index + 1);
    // The stage's reports are written while the next stage starts; the sink keeps writes in order
    // and a failed write still fails the run. Rendering report.html holds the event loop for a few
    // hundred ms, so when the next stage follows at once it waits until that stage has ramped.
    await writes.flush();
    const snapshot = run.record;
    const window = outcome.window;
    const holdMs = following && (outcome.running || stage.cooldownMs < 1_000) ? plannedRampMs(following, outcome.running ? result.users : 0) + 1_000 : 0;
    const write = async () => {
      await sink.stageFinished(snapshot, result, window);
      run.record = withThinnedSamples(run.record, result.index); // samples.csv has them all now
    };
    writes.start(holdMs > 0 ? clock.sleep(holdMs).then(write) : write());
    if (outcome.fatal) return end(outcome.fatal instanceof AbortedError ? 'aborted' : 'failed', outcome.fatal);
    if (signal.aborted) return end('aborted', asDriverError(signal.reason, signal));
    if (result.status === 'failed') failed++;
    if (following && !cap && o.plan.onBreach === 'stop' && result.slo.some((v) => !v.pass)) {
      // slo.onBreach: stop — the remaining stages are recorded as skipped, with why.
      const why = `skipped: stage ${result.index} breached its SLO (${breachText(result.slo)}) and slo.onBreach is stop`;
      run.record = withSkipped(run.record, o.plan.stages.slice(index), why, clock.now());
      emit({ kind: 'warning', message: `${why.replace('skipped: ', '')}: skipping ${o.plan.stages.length - index} stages` });
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
  if (run.swarmRunning) {
    // the stages ended early (onBreach: stop) with users handed on: stop them now (once: a failed
    // stop ends the run through end(), which must not try again)
    run.swarmRunning = false;
    await lg.stop();
  }
  await writes.flush();
  const total = run.record.stages.length;
  return end(
    failed > 0 ? 'failed' : 'completed',
    failed > 0 ? new InfraError(`${failed} of ${total} stages failed; see each stage's reason in summary.md`) : null,
  );
}
