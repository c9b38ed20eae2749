// A run against the fake master: the stage factory, the plan and the wiring the run tests share.
import { runMatrix, type RunOptions } from '../../src/core/run/index.js';
import type { RunPlan, StagePlan } from '../../src/core/model.js';
import type { RunEvent } from '../../src/core/events.js';
import { ManualClock } from './manual-clock.js';
import { FakeLocust } from './fake-locust.js';
import { MemorySink } from './memory-sink.js';

export const st = (index: number, users: number, over: Partial<StagePlan> = {}): StagePlan => ({
  index,
  name: `users=${users}`,
  slug: `users-${users}`,
  users,
  spawnRate: 10,
  durationMs: 20_000,
  cooldownMs: 10_000,
  sampleEveryMs: 2_000,
  rampTimeoutMs: 60_000,
  replicas: null,
  hpa: null,
  workers: null,
  scaleTimeoutMs: 300_000,
  slo: null,
  ...over,
});

export const plan = (stages: StagePlan[], over: Partial<RunPlan> = {}): RunPlan => ({
  version: 1,
  name: 'demo',
  source: 'm.yaml',
  locust: { url: 'http://fake-locust:8089', expectWorkers: 2, connectTimeoutMs: 60_000, requestTimeoutMs: 15_000, auth: null },
  target: { host: null, healthPath: null },
  kubernetes: null,
  metrics: null,
  onBreach: 'continue',
  transition: 'restart',
  retry: { attempts: 2, masterTimeoutMs: 30_000, onWorkerLoss: 'invalid' },
  capacity: null,
  stages,
  ...over,
});

export function setup(workers = 2, locust: { plugin?: boolean } = {}) {
  const clock = new ManualClock();
  const lg = new FakeLocust(clock, { workers, rpsPerUser: 1, ...locust });
  const sink = new MemorySink();
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const opts = (p: RunPlan, over: Partial<RunOptions> = {}): RunOptions => ({
    runId: 'r1',
    plan: p,
    host: null,
    healthUrl: null,
    embedded: false,
    expectWorkers: 2,
    connectTimeoutMs: 30_000,
    driverVersion: '0.1.0',
    nodeVersion: 'v24',
    ...over,
  });
  /** The run's ending: its record and the error that ended it. */
  const end = (p: RunPlan, over: Partial<RunOptions> = {}, probe?: (u: string) => Promise<string | null>) =>
    clock.run(runMatrix({ lg, clock, sink, emit: (e) => events.push(e), signal: controller.signal, ...(probe ? { probe } : {}) }, opts(p, over)));
  const go = (p: RunPlan, over: Partial<RunOptions> = {}, probe?: (u: string) => Promise<string | null>) => end(p, over, probe).then((e) => e.record);
  return { clock, lg, sink, events, controller, go, end };
}
