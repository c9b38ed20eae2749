// The remote-write sender, built never to be in the run's way: enqueue() is synchronous and bounded
// (the oldest samples go first when it is full), one request is in flight at a time, failures are
// retried with capped exponential backoff and then dropped, and every dropped sample is counted.
// The run loop never awaits it; only close() at the end of the run does, within a deadline.
import { remoteWriteBody, REMOTE_WRITE_HEADERS } from './remote-write-encoding.js';
import type { Series } from './series.js';
import { createHttpPool } from '../system/http.js';

/** One POST; resolves with the HTTP status, rejects on a network error or the signal. */
export type Post = (url: string, body: Buffer, headers: Record<string, string>, signal: AbortSignal) => Promise<number>;
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface RemoteWriterOptions {
  url: string;
  /** Authorization and the like; never logged. */
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  maxQueued: number;
  warn: (message: string) => void;
  batchSize?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** How often a warning about drops may be repeated (they are summed in between). */
  warnEveryMs?: number;
  post?: Post;
  sleep?: Sleep;
  now?: () => number;
}

export interface WriterStats {
  sent: number;
  dropped: number;
}

/** One socket kept alive to the receiver (node:http: see ../system/http.ts for why not fetch). */
const pool = createHttpPool({ maxSockets: 1, idleMs: 4_000 });

export const httpPost: Post = async (url, body, headers, signal) => {
  const res = await pool.send({ method: 'POST', url, body, headers, signal });
  await res.dump(); // the receiver's body is not needed; free the socket
  return res.statusCode;
};

const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** 429 and 5xx are worth another try (the spec says so); other 4xx will be refused again. */
const retryable = (status: number) => status === 429 || status >= 500;

export class RemoteWriter {
  private readonly queue: Series[] = [];
  private readonly o: Required<Omit<RemoteWriterOptions, 'headers'>> & { headers: Record<string, string> };
  private sent = 0;
  private dropped = 0;
  private unreported = 0;
  private lastReason = '';
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private loop: Promise<void> | null = null;
  /** Aborted by close() at its deadline: ends a request in flight and any backoff. */
  private readonly stop = new AbortController();

  constructor(options: RemoteWriterOptions) {
    this.o = {
      batchSize: 2_000,
      backoff: { initialMs: 250, maxMs: 5_000 },
      warnEveryMs: 30_000,
      post: httpPost,
      sleep: abortableSleep,
      now: Date.now,
      ...options,
      headers: { ...REMOTE_WRITE_HEADERS, ...options.headers },
    };
  }

  stats(): WriterStats {
    return { sent: this.sent, dropped: this.dropped };
  }

  /** Queue series for sending; returns at once. */
  enqueue(series: readonly Series[]): void {
    if (series.length === 0) return;
    if (this.stop.signal.aborted) {
      this.drop(series.length, 'the run is over');
      return;
    }
    this.queue.push(...series);
    const over = this.queue.length - this.o.maxQueued;
    if (over > 0) {
      this.queue.splice(0, over);
      this.drop(over, `the buffer is full (${this.o.maxQueued} samples)`);
    }
    this.loop ??= this.drain().finally(() => {
      this.loop = null;
    });
  }

  /** Waits until everything queued is sent or dropped, at most deadlineMs; what is left then is dropped. */
  async close(deadlineMs: number): Promise<WriterStats> {
    if (this.loop) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([this.loop, deadline]);
      clearTimeout(timer);
    }
    this.stop.abort();
    await this.loop;
    if (this.queue.length > 0) this.drop(this.queue.splice(0).length, 'still unsent when the run ended');
    this.flushWarning(true);
    return this.stats();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stop.signal.aborted) {
      const batch = this.queue.splice(0, this.o.batchSize);
      const refused = await this.send(batch);
      if (refused === null) this.sent += batch.length;
      else this.drop(batch.length, refused);
    }
  }

  /** null when sent, else why the batch is given up. */
  private async send(batch: Series[]): Promise<string | null> {
    const body = remoteWriteBody(batch);
    let why = '';
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) {
        const backoff = Math.min(this.o.backoff.maxMs, this.o.backoff.initialMs * 2 ** (attempt - 1));
        await this.o.sleep(backoff * (0.5 + Math.random() / 2), this.stop.signal); // jitter: no lockstep with other senders
        if (this.stop.signal.aborted) return `${why}; the run is over`;
      }
      const signal = AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.o.timeoutMs)]);
      try {
        const status = await this.o.post(this.o.url, body, this.o.headers, signal);
        if (status >= 200 && status < 300) return null;
        why = `the receiver answered HTTP ${status}`;
        if (!retryable(status)) return why;
      } catch (e) {
        why = this.stop.signal.aborted ? 'the run is over' : `the send failed (${errorCode(e)})`;
      }
    }
    return `${why}, ${this.o.retries + 1} tries`;
  }

  private drop(n: number, why: string): void {
    this.dropped += n;
    this.unreported += n;
    this.lastReason = why;
    this.flushWarning(false);
  }

  private flushWarning(final: boolean): void {
    if (this.unreported === 0) return;
    const now = this.o.now();
    if (!final && now - this.lastWarnAt < this.o.warnEveryMs) return;
    this.lastWarnAt = now;
    this.o.warn(`remote write: dropped ${this.unreported} samples (${this.lastReason}); ${this.dropped} dropped in all — the run itself is not affected`);
    this.unreported = 0;
  }
}

/** A network error's code (ECONNREFUSED, a timeout's name), never its message: that may quote a URL. */
function errorCode(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  return err.cause?.code ?? err.code ?? err.cause?.name ?? err.name ?? 'error';
}
