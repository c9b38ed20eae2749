// The run record and the pure steps over it: a fresh or resumed record, a stage's outcome taken in,
// the stages a resume keeps, a skipped stage, the record as the run ends. The run loop only calls
// these and hands the sink the records they return; no step changes a record it was given.
import type { RunRecord, StagePlan, StageResult, Tolerances } from '../model.js';
import type { DriverError } from '../errors.js';
import { capacityResult, type Probe } from '../capacity.js';
import { compareRuns, stageKey } from '../compare.js';
import { thinSamples } from '../samples.js';
import { breachText } from '../slo.js';
import { findBest, findKnee } from '../summary.js';
import { verdictOf } from '../verdict.js';
import type { RunOptions } from './types.js';
import { isoTime } from '../units.js';
import { stageStats } from '../stats/stage-stats.js';
import { scalabilityOf } from '../stats/usl.js';
import { repeatsOf } from '../stats/repeats.js';

/** A new run's record, before anything was asked of the master. */
export function freshRecord(o: RunOptions, masterUrl: string, startedAt: number): RunRecord {
  return {
    schemaVersion: 1,
    runId: o.runId,
    name: o.plan.name,
    startedAt: isoTime(startedAt),
    finishedAt: null,
    status: 'running',
    verdict: 'none',
    error: null,
    plan: o.plan,
    environment: {
      driver: o.driverVersion,
      node: o.nodeVersion,
      locust: { version: null, url: masterUrl, embedded: o.embedded, schema: null, api: null, plugin: null },
      kubernetes: null,
      workers: null,
    },
    stages: [],
    summary: { best: null, knee: null },
    capacity: null,
    comparison: null,
    resumes: [],
    stopFailure: null,
    current: null,
    remoteWrite: null,
  };
}

/** Stages a resume keeps: they ran to the end (whatever their verdict) or were skipped by design. */
const FINISHED: ReadonlySet<StageResult['status']> = new Set(['completed', 'invalid', 'skipped']);

/** The stages of an interrupted run that a resume keeps: everything before the first unfinished one. */
export function keptStages(run: RunRecord): StageResult[] {
  const firstOpen = run.stages.findIndex((s) => !FINISHED.has(s.status));
  return firstOpen === -1 ? run.stages : run.stages.slice(0, firstOpen);
}

/** The interrupted run's record, ready to go on: its finished stages kept, the resume noted. */
export function resumedRecord(prior: RunRecord, fresh: RunRecord, now: number): RunRecord {
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
    resumes: [...prior.resumes, { at: isoTime(now), fromStage: (stages.at(-1)?.index ?? 0) + 1 }],
    current: null,
  };
}

/** A stage's result taken in: the stages, the capacity search's answer so far, the highlights, the verdict. */
export function applyOutcome(record: RunRecord, result: StageResult, capacity: { probes: Probe[] } | null): RunRecord {
  const stages = [...record.stages, { ...result, stats: stageStats(result) }];
  const cap = record.plan.capacity;
  const next: RunRecord = { ...record, stages, summary: { best: findBest(stages), knee: findKnee(stages) }, repeats: repeatsOf(stages, stageKey) };
  if (cap && capacity) next.capacity = capacityResult(cap, capacity.probes, (i) => stageProblem(stages[i - 1]));
  return { ...next, verdict: verdictOf(next) };
}

/** The stages not run after an SLO breach with slo.onBreach: stop, recorded as skipped with why. */
export function withSkipped(record: RunRecord, rest: StagePlan[], why: string, now: number): RunRecord {
  return { ...record, stages: [...record.stages, ...rest.map((s) => skippedStage(s, why, now))] };
}

/** Once a stage's samples.csv is written, the record keeps only a thinned copy of its samples. */
export function withThinnedSamples(record: RunRecord, index: number): RunRecord {
  return { ...record, stages: record.stages.map((s) => (s.index === index ? { ...s, samples: thinSamples(s.samples) } : s)) };
}

/** The record as the run ends: its status and error, the highlights, the comparison with the baseline, the verdict. */
export function concluded(
  record: RunRecord,
  status: RunRecord['status'],
  error: DriverError | null,
  baseline: { run: RunRecord; tolerances: Tolerances } | null,
): RunRecord {
  const base: RunRecord = { ...record, status, error: error ? error.message : null, summary: { best: findBest(record.stages), knee: findKnee(record.stages) } };
  const comparison = baseline && status !== 'aborted' && record.stages.length > 0 ? compareRuns(baseline.run, base, baseline.tolerances) : record.comparison;
  const next: RunRecord = { ...base, comparison, scalability: scalabilityOf(base), repeats: repeatsOf(base.stages, stageKey) };
  return { ...next, verdict: verdictOf(next) };
}

function stageProblem(r: StageResult | undefined): string {
  if (!r) return 'unknown';
  if (r.status !== 'completed') return r.reason ?? r.status;
  return breachText(r.slo) || 'no SLO verdict';
}

function skippedStage(s: StagePlan, reason: string, now: number): StageResult {
  const at = isoTime(now);
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
