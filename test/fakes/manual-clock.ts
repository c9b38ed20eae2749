// A discrete-event clock: sleeps wait for virtual time, which jumps to the next timer whenever
// every pending promise has settled. Concurrent loops interleave exactly as on a real clock.
import type { Clock } from '../../src/ports.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Drives virtual time until `work` settles (or `limitMs` of virtual time has passed). */
  async run<T>(work: Promise<T>, limitMs = 24 * 3_600_000, onTick?: (now: number) => void): Promise<T> {
    let done = false;
    const settled = work.finally(() => {
      done = true;
    });
    settled.catch(() => undefined);
    const end = this.t + limitMs;
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (done) break;
      if (this.timers.length === 0) continue;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift() as Timer;
      if (next.at > end) throw new Error(`virtual time limit reached at ${new Date(this.t).toISOString()}`);
      this.t = Math.max(this.t, next.at);
      onTick?.(this.t);
      next.resolve();
    }
    return work;
  }
}
