// A fake Locust master for the core's tests, faithful to the traps that matter: /swarm answers at
// once, the ramp takes users/spawnRate plus up to 1 s, /stats/requests is memoized for 2 s, workers
// report deltas every 3 s (so a reset leaks the pre-reset part of each worker's next report), and
// /stop right after /swarm wedges the master. Traffic is a steady rate per user.
import type { LoadGenerator } from '../../src/ports.js';
import type { EndpointStats, LiveStats, WindowStats } from '../../src/core/model.js';
import { LocustError, StopFailedError } from '../../src/core/errors.js';
import type { ManualClock } from './manual-clock.js';

export interface FakeLocustOptions {
  workers?: number;
  rpsPerUser?: number;
  /** Per-worker phase of the 3 s report cycle, ms. */
  phases?: number[];
  p95Ms?: number;
  /** Like Locust: the rolling values read 0 for this long after a reset (its window is empty). */
  zeroAfterResetMs?: number;
  /** Latency as a function of the users asked for (a service that slows down under load). */
  p95ForUsers?: (users: number) => number;
  cpuPercent?: number;
  /** The locustfile loads the companion plugin (uncached view, acknowledged reset, flush). */
  plugin?: boolean;
  /** With the plugin: these workers never acknowledge a reset or flush (they time out). */
  deafWorkers?: number;
}

type State = 'ready' | 'spawning' | 'running' | 'stopping' | 'stopped';

export class FakeLocust implements LoadGenerator {
  readonly url = 'http://fake-locust:8089/';
  calls: string[] = [];
  wedged = false;
  down = false;
  workers: number;
  private state: State = 'ready';
  private users = 0;
  private target = 0;
  private rampStart = 0;
  private spawnRate = 1;
  private swarmAt = -Infinity;
  private readonly rpsPerUser: number;
  private readonly phases: number[];
  private readonly p95: number;
  private readonly zeroAfterResetMs: number;
  private readonly p95ForUsers: ((users: number) => number) | null;
  private readonly cpu: number;
  private readonly plugin: boolean;
  private readonly deaf: number;
  private lastTarget = 0;
  private resetAt = -Infinity;
  /** Requests the master has been told about since the last reset / test start. */
  private masterCount = 0;
  /** Per worker: time of its last report. */
  private lastReport: number[];
  private cache: { at: number; value: LiveStats } | null = null;
  /** Every request "sent" to the target, by time (ms resolution), for ground truth. */
  readonly sent: { from: number; to: number; users: number }[] = [];

  private readonly clock: ManualClock;

  constructor(clock: ManualClock, o: FakeLocustOptions = {}) {
    this.clock = clock;
    this.lastTrafficAt = clock.now();
    this.workers = o.workers ?? 2;
    this.rpsPerUser = o.rpsPerUser ?? 1;
    this.phases = o.phases ?? Array.from({ length: this.workers }, (_, i) => (i * 3_000) / this.workers + 400);
    this.p95 = o.p95Ms ?? 40;
    this.zeroAfterResetMs = o.zeroAfterResetMs ?? 0;
    this.p95ForUsers = o.p95ForUsers ?? null;
    this.cpu = o.cpuPercent ?? 12.5;
    this.plugin = o.plugin ?? false;
    this.deaf = o.deafWorkers ?? 0;
    this.lastReport = this.phases.map(() => clock.now());
  }

  /** Requests the target received in [from, to) — the ground truth the window must match. */
  trafficBetween(from: number, to: number): number {
    let n = 0;
    for (const seg of this.sent) {
      const a = Math.max(from, seg.from);
      const b = Math.min(to, seg.to);
      if (b > a) n += ((b - a) / 1000) * seg.users * this.rpsPerUser;
    }
    return n;
  }

  private usersAt(t: number): number {
    if (this.state === 'stopped' || this.state === 'ready' || this.state === 'stopping') return 0;
    return Math.min(this.target, Math.floor(((t - this.rampStart) / 1000) * this.spawnRate));
  }

  /** Advances the simulation to now: users, state, worker reports. */
  private tick(): void {
    const now = this.clock.now();
    this.users = this.usersAt(now);
    if (this.state === 'spawning' && this.users >= this.target && now >= this.rampStart + (this.target / this.spawnRate) * 1000 + 1000) this.state = 'running';
    for (let w = 0; w < this.workers; w++) {
      const phase = this.phases[w] ?? 0;
      // reports happen at phase + k*3000
      for (;;) {
        const last = this.lastReport[w] ?? now;
        const k = Math.floor((last - phase) / 3000) + 1;
        const next = phase + k * 3000;
        if (next > now) break;
        this.masterCount += this.trafficBetween(last, next) / this.workers;
        this.lastReport[w] = next;
      }
    }
  }

  private record(from: number, to: number) {
    if (to > from) this.sent.push({ from, to, users: this.users });
  }

  private advanceTraffic() {
    // traffic since the last call at the current user count (steps of the ramp are short)
    const now = this.clock.now();
    const lastT = this.lastTrafficAt;
    this.record(lastT, now);
    this.lastTrafficAt = now;
  }
  private lastTrafficAt: number;

  private sync() {
    if (this.down) throw new LocustError('Locust master at http://fake-locust:8089/ did not answer (ECONNREFUSED)', { code: 'LOCUST_UNREACHABLE' });
    this.advanceTraffic();
    this.tick();
  }

  /** The master process restarts: a fresh master with no test and no numbers (its workers reconnect). */
  restart(): void {
    this.down = false;
    this.sync();
    this.state = 'ready';
    this.users = 0;
    this.target = 0;
    this.masterCount = 0;
    this.cache = null;
  }

  /** Whether a swarm is running (ground truth, not through the cache). */
  get running(): boolean {
    return this.state === 'running' || this.state === 'spawning';
  }

  async detect() {
    return { version: '2.47.0', basis: 'version' as const, stateMethod: 'POST' as const };
  }

  async stats(): Promise<LiveStats> {
    this.calls.push('stats');
    this.sync();
    const now = this.clock.now();
    if (this.cache && now - this.cache.at < 2_000) return this.cache.value;
    const value = this.liveNow();
    this.cache = { at: now, value };
    return value;
  }

  private liveNow(): LiveStats {
    const now = this.clock.now();
    const empty = now - this.resetAt < this.zeroAfterResetMs;
    const value: LiveStats = {
      state: this.state,
      userCount: this.wedged ? 0 : this.users,
      workers: Array.from({ length: this.wedged ? 0 : this.workers }, (_, i) => ({
        id: `w${i}`,
        state: this.state === 'running' ? 'running' : 'ready',
        userCount: Math.floor(this.users / this.workers),
        cpuPercent: this.cpu,
        memoryBytes: 60_000_000,
      })),
      workerCount: this.wedged ? 0 : this.workers,
      requests: Math.floor(this.masterCount),
      failures: 0,
      currentRps: empty ? 0 : this.users * this.rpsPerUser,
      currentFailPerSec: 0,
      currentP50Ms: empty ? 0 : this.p95 / 2,
      currentP95Ms: empty ? 0 : this.p95,
      schema: 'modern',
    };
    return value;
  }

  async detectPlugin() {
    this.calls.push('plugin?');
    this.sync();
    return this.plugin ? { version: '1' } : null;
  }

  private needPlugin(what: string): void {
    if (!this.plugin)
      throw new LocustError(`Locust master at http://fake-locust:8089/ answered GET /locust-driver/${what} with HTTP 404`, {
        status: 404,
        code: 'LOCUST_HTTP',
      });
  }

  async runnerNow(): Promise<LiveStats> {
    this.calls.push('runner');
    this.needPlugin('runner');
    this.sync();
    return this.liveNow();
  }

  /** Each worker that hears the plugin: drops (reset) or reports (flush) what it has not reported yet. */
  private everyWorker(report: boolean): void {
    const now = this.clock.now();
    for (let w = this.deaf; w < this.workers; w++) {
      if (report) this.masterCount += this.trafficBetween(this.lastReport[w] ?? now, now) / this.workers;
      this.lastReport[w] = now;
    }
  }

  /** The round trip to every worker is 10 ms; the workers act halfway, or the plugin times out after 5 s. */
  private async round(act: () => void) {
    const ids = Array.from({ length: this.workers }, (_, i) => `w${i}`);
    await this.clock.sleep(5);
    this.sync();
    act();
    const stats = this.liveNow();
    await this.clock.sleep(this.deaf > 0 ? 4_995 : 5);
    return { complete: this.deaf === 0, workers: ids, missing: ids.slice(0, this.deaf), attempts: 1, stats };
  }

  async resetAll() {
    this.calls.push('reset-all');
    this.needPlugin('reset');
    this.sync();
    return this.round(() => {
      this.everyWorker(false);
      this.masterCount = 0;
      this.resetAt = this.clock.now();
    });
  }

  async flush() {
    this.calls.push('flush');
    this.needPlugin('flush');
    this.sync();
    return this.round(() => this.everyWorker(true));
  }

  async swarm(users: number, spawnRate: number): Promise<void> {
    this.calls.push(`swarm ${users} ${spawnRate}`);
    this.sync();
    if (this.wedged || this.workers === 0) return; // "Swarming started" and nothing happens
    if (this.state === 'ready' || this.state === 'stopped') {
      this.masterCount = 0;
      this.state = 'spawning';
      this.rampStart = this.clock.now();
    }
    this.target = users;
    this.lastTarget = users;
    this.spawnRate = spawnRate;
    this.swarmAt = this.clock.now();
  }

  async resetStats(): Promise<void> {
    this.calls.push('reset');
    this.sync();
    this.masterCount = 0;
    this.resetAt = this.clock.now();
  }

  /** The master refuses every way to stop (what the real client then throws); `usersAtZero`: a swarm of 0 brought them down. */
  stopRefused: { usersAtZero: boolean } | null = null;

  async stop(): Promise<void> {
    this.calls.push('stop');
    this.sync();
    if (this.stopRefused) {
      await this.clock.sleep(300);
      if (this.stopRefused.usersAtZero) this.target = this.users = 0;
      throw new StopFailedError('http://fake-locust:8089/', this.stopRefused.usersAtZero, ['POST /stop: HTTP 500', 'GET /stop: HTTP 500']);
    }
    if (this.clock.now() - this.swarmAt < 500) this.wedged = true;
    this.state = 'stopped';
    this.users = 0;
    this.target = 0;
    await this.clock.sleep(1_000); // the blocking /stop
    this.sync();
  }

  private row(name: string, requests: number): EndpointStats {
    const p = this.p95ForUsers ? this.p95ForUsers(this.lastTarget) : this.p95;
    return {
      method: name === 'Aggregated' ? '' : 'GET',
      name,
      requests,
      failures: 0,
      medianMs: p / 2,
      avgMs: p / 2,
      minMs: 1,
      maxMs: p * 2,
      avgContentBytes: 10,
      rps: 0,
      failPerSec: 0,
      percentiles: {
        '50': p / 2,
        '66': p / 2,
        '75': p * 0.7,
        '80': p * 0.8,
        '90': p * 0.9,
        '95': p,
        '98': p * 1.2,
        '99': p * 1.5,
        '99.9': p * 2,
        '99.99': p * 2,
        '100': p * 2,
      },
    };
  }

  async window(): Promise<WindowStats> {
    this.calls.push('window');
    this.sync();
    const n = Math.floor(this.masterCount);
    return {
      endpoints: [this.row('/predict', n)],
      aggregated: this.row('Aggregated', n),
      failures: [],
      exceptionCount: 0,
      raw: { stats: 'Type,Name\n', failures: 'Method,Name,Error,Occurrences\n', exceptions: 'Count,Message,Traceback,Nodes\n' },
    };
  }

  async aggregatedCount(): Promise<number> {
    this.sync();
    return Math.floor(this.masterCount);
  }

  async close() {}
}
