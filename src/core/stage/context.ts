// One stage's state while it runs: its timeline (when each step happened, the record every phase
// reads and writes), what the master was seen doing, and the samples. Phases are functions over it.
import type { LiveStats, Sample, StagePlan, WindowStats } from '../model.js';
import type { StopFailedError } from '../errors.js';
import type { StageDeps, StageOptions } from './types.js';
import { stageModes, type StageModes } from './modes.js';

/** When each step of the stage happened (epoch ms); null until it has. */
export interface Timeline {
  startedAt: number;
  prepareMs: number | null;
  /** The /swarm was sent; its answer came at swarmAt. */
  swarmSentAt: number | null;
  swarmAt: number | null;
  /** Whether the master was seen running this stage's users (a stop then cannot wedge it). */
  runningSeen: boolean;
  rampMs: number | null;
  /** When the reset took effect (the midpoint of the call). */
  resetAt: number | null;
  /** The window's start as the workers' first reports after the reset place it (with the plugin: the reset). */
  windowStart: number | null;
  endAt: number | null;
  /** How far the start and the end may be off, ms (see StageWindow.uncertaintyMs). */
  startUncertaintyMs: number | null;
  endUncertaintyMs: number | null;
  /** Both edges came from the plugin (an acknowledged reset and flush). */
  pluginEdges: boolean;
  stopAskedAt: number | null;
  stoppedAt: number | null;
}

/** What the master was seen doing over the stage. */
export interface Seen {
  last: LiveStats | null;
  /** Workers reporting at the last read (at least 1: the window edges are found per worker). */
  workers: number;
  workersMin: number;
  workersMax: number;
  cpuMax: number | null;
}

export interface StageRun {
  deps: StageDeps;
  kube: NonNullable<StageDeps['kube']> | null;
  stage: StagePlan;
  opts: StageOptions;
  modes: StageModes;
  /** The master has the companion plugin: the ramp is watched uncached, the edges are exact. */
  plugin: boolean;
  rampPollMs: number;
  countPollMs: number;
  /** Workers the stage should have (stage.workers, else the run's expectation): fewer → invalid. */
  expectWorkers: number | null;
  t: Timeline;
  seen: Seen;
  samples: Sample[];
  /** The master's answer behind the last sample (a cached answer repeats it exactly). */
  lastSampled: LiveStats | null;
  /** The window read while the users kept running (no stop, no final wait). */
  liveWindow: WindowStats | null;
  /** Every way to stop was tried once and failed: trying again only keeps the load on. */
  stopFailed: StopFailedError | null;
}

export function newStageRun(deps: StageDeps, stage: StagePlan, opts: StageOptions): StageRun {
  const kube = deps.kube ?? null;
  return {
    deps,
    kube,
    stage,
    opts,
    modes: stageModes({ ...opts, kube: kube !== null, durationMs: stage.durationMs }),
    plugin: opts.plugin ?? false,
    rampPollMs: opts.rampPollMs ?? 250,
    countPollMs: opts.countPollMs ?? 100,
    expectWorkers: stage.workers ?? opts.expectWorkers ?? null,
    t: {
      startedAt: deps.clock.now(),
      prepareMs: null,
      swarmSentAt: null,
      swarmAt: null,
      runningSeen: false,
      rampMs: null,
      resetAt: null,
      windowStart: null,
      endAt: null,
      startUncertaintyMs: null,
      endUncertaintyMs: null,
      pluginEdges: false,
      stopAskedAt: null,
      stoppedAt: null,
    },
    seen: { last: null, workers: 1, workersMin: Number.POSITIVE_INFINITY, workersMax: 0, cpuMax: null },
    samples: [],
    lastSampled: null,
    liveWindow: null,
    stopFailed: null,
  };
}

/** Takes in a read of the master: the workers seen and their CPU. */
export function observe(run: StageRun, s: LiveStats): void {
  const seen = run.seen;
  seen.last = s;
  seen.workers = Math.max(1, s.workerCount);
  seen.workersMin = Math.min(seen.workersMin, s.workerCount);
  seen.workersMax = Math.max(seen.workersMax, s.workerCount);
  for (const w of s.workers) if (w.cpuPercent !== null) seen.cpuMax = Math.max(seen.cpuMax ?? 0, w.cpuPercent);
}
