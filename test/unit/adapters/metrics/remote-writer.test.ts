import { describe, expect, it } from 'vitest';
import { RemoteWriter, type Post } from '../../../../src/adapters/metrics/remote-writer.js';
import type { Series } from '../../../../src/adapters/metrics/series.js';

const s = (i: number): Series => ({ labels: { __name__: 'm', i: String(i) }, value: i, timestampMs: 1_000 + i });
const many = (from: number, n: number) => Array.from({ length: n }, (_, k) => s(from + k));

/** A receiver that answers from a script (a status or 'error'), then 204; records what it got. */
function receiver(script: (number | 'error')[] = []) {
  const calls: { url: string; headers: Record<string, string>; bytes: number }[] = [];
  const post: Post = (url, body, headers) => {
    calls.push({ url, headers, bytes: body.length });
    const next = script.shift() ?? 204;
    return next === 'error'
      ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED http://secret@x'), { cause: { code: 'ECONNREFUSED' } }))
      : Promise.resolve(next);
  };
  return { post, calls };
}

const noSleep = () => Promise.resolve();

function writer(post: Post, over: Partial<ConstructorParameters<typeof RemoteWriter>[0]> = {}) {
  const warnings: string[] = [];
  const w = new RemoteWriter({
    url: 'http://prom/api/v1/write',
    headers: { Authorization: 'Bearer s3cr3t' },
    timeoutMs: 1_000,
    retries: 2,
    maxQueued: 100,
    warn: (m) => warnings.push(m),
    sleep: noSleep,
    ...over,
    post,
  });
  return { w, warnings };
}

describe('RemoteWriter', () => {
  it('sends what is queued with the remote-write headers and counts it', async () => {
    const r = receiver();
    const { w, warnings } = writer(r.post);
    w.enqueue(many(0, 10));
    expect(await w.close(1_000)).toEqual({ sent: 10, dropped: 0 });
    expect(r.calls[0]!.headers).toMatchObject({
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      Authorization: 'Bearer s3cr3t',
    });
    expect(warnings).toEqual([]);
  });

  it('retries 5xx, 429 and network errors with backoff, then succeeds', async () => {
    const r = receiver([503, 'error']);
    const waits: number[] = [];
    const { w } = writer(r.post, { sleep: (ms) => (waits.push(ms), Promise.resolve()), backoff: { initialMs: 100, maxMs: 1_000 } });
    w.enqueue(many(0, 3));
    expect(await w.close(1_000)).toEqual({ sent: 3, dropped: 0 });
    expect(r.calls).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]!).toBeGreaterThanOrEqual(50);
    expect(waits[0]!).toBeLessThanOrEqual(100);
    expect(waits[1]!).toBeGreaterThanOrEqual(100); // doubled
    expect(waits[1]!).toBeLessThanOrEqual(200);
  });

  it('drops a batch the receiver refuses (4xx) at once, counts it and warns without the credentials', async () => {
    const r = receiver([400]);
    const { w, warnings } = writer(r.post);
    w.enqueue(many(0, 5));
    expect(await w.close(1_000)).toEqual({ sent: 0, dropped: 5 });
    expect(r.calls).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/dropped 5 samples \(the receiver answered HTTP 400\)/);
    expect(warnings.join('\n')).not.toMatch(/s3cr3t|secret/);
  });

  it('gives up after the retries and counts the drops; a network error is named by its code only', async () => {
    const r = receiver(['error', 'error', 'error']);
    const { w, warnings } = writer(r.post);
    w.enqueue(many(0, 4));
    expect(await w.close(1_000)).toEqual({ sent: 0, dropped: 4 });
    expect(r.calls).toHaveLength(3);
    expect(warnings[0]).toContain('(ECONNREFUSED), 3 tries');
    expect(warnings.join('\n')).not.toContain('secret');
  });

  it('is bounded: beyond maxQueued the oldest samples are dropped and counted, enqueue never waits', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: number[] = [];
    const post: Post = async (_u, body) => {
      seen.push(body.length);
      await gate;
      return 204;
    };
    const { w, warnings } = writer(post, { maxQueued: 50, batchSize: 10 });
    w.enqueue(many(0, 10)); // in flight
    for (let i = 1; i <= 10; i++) w.enqueue(many(i * 10, 10)); // 100 queued behind it, bound 50
    expect(w.stats()).toEqual({ sent: 0, dropped: 50 });
    expect(warnings).toHaveLength(1); // repeated drops are summed, not one warning each
    release();
    expect(await w.close(1_000)).toEqual({ sent: 60, dropped: 50 });
  });

  it('close() waits at most its deadline; what is in flight or queued then is dropped', async () => {
    const post: Post = (_u, _b, _h, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    const { w, warnings } = writer(post, { batchSize: 5 });
    w.enqueue(many(0, 12));
    const t0 = Date.now();
    expect(await w.close(50)).toEqual({ sent: 0, dropped: 12 });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(warnings.at(-1)).toMatch(/12 dropped in all/);
    w.enqueue(many(100, 2)); // after the end: counted, not sent
    expect(w.stats()).toEqual({ sent: 0, dropped: 14 });
  });

  it('a send that hangs is cut at timeoutMs and retried', async () => {
    let n = 0;
    const post: Post = (_u, _b, _h, signal) =>
      n++ === 0
        ? new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new DOMException('timeout', 'TimeoutError'))))
        : Promise.resolve(200);
    const { w } = writer(post, { timeoutMs: 20 });
    w.enqueue(many(0, 2));
    expect(await w.close(2_000)).toEqual({ sent: 2, dropped: 0 });
    expect(n).toBe(2);
  });
});
