// The embedded local stack for real: sample target + Locust master + 2 workers on 127.0.0.1.
// Uses $LOCUST_DRIVER_LOCUST_BIN when set, else the pinned Locust in .venv/ (installed on first use).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/core/errors.js';
import { runningChildPids } from '../../src/adapters/local/processes.js';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface StatsRow {
  name: string;
  num_requests: number;
}
interface StatsBody {
  state: string;
  user_count: number;
  workers: { state: string }[];
  stats: StatsRow[];
}

async function stats(masterUrl: string): Promise<StatsBody> {
  const res = await fetch(new URL('stats/requests', masterUrl), { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as StatsBody;
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

async function counts(targetUrl: string, from: number): Promise<{ count: number; byPath: Record<string, number> }> {
  const res = await fetch(`${targetUrl}/__admin/counts?from=${from}&to=${Date.now() + 1}`);
  return (await res.json()) as { count: number; byPath: Record<string, number> };
}

describe('local stack', () => {
  let stack: LocalStack | null = null;
  const logs: string[] = [];

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts 2 workers, runs the bundled locustfile against the sample target, and stops everything', async () => {
    const t0 = Date.now();
    stack = await startLocalStack({ workers: 2, log: (m) => logs.push(m) });
    expect(stack.masterUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(stack.targetUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.workers).toBe(2);
    expect(stack.locustVersion).toMatch(/^2\.\d+\.\d+/);
    const pids = runningChildPids();
    expect(pids).toHaveLength(4); // target, master, 2 workers

    const ready = await stats(stack.masterUrl);
    expect(ready.workers.filter((w) => w.state === 'ready')).toHaveLength(2);

    // Start: form-encoded, no run_time.
    const started = Date.now();
    const swarm = await fetch(new URL('swarm', stack.masterUrl), {
      method: 'POST',
      body: new URLSearchParams({ user_count: '4', spawn_rate: '4' }),
    });
    expect(swarm.status).toBe(200);
    expect(await swarm.json()).toMatchObject({ success: true });
    const masterUrl = stack.masterUrl;
    await until('state running with 4 users', 20_000, async () => {
      const s = await stats(masterUrl);
      return s.state === 'running' && s.user_count === 4 ? s : undefined;
    });

    // Run ≥ 4 s and until every endpoint of the mix was hit at least once (bounded).
    await sleep(4000);
    const targetUrl = stack.targetUrl;
    await until('all three endpoints hit', 30_000, async () => {
      const c = await counts(targetUrl, started);
      return Object.values(c.byPath).every((n) => n > 0) ? c : undefined;
    });

    // Stop only once running. Locust 2.47.0 wants POST /stop (GET → 405); 2.12.1 only has GET.
    let stop = await fetch(new URL('stop', masterUrl), { method: 'POST', signal: AbortSignal.timeout(70_000) });
    if (stop.status === 405) {
      await stop.body?.cancel();
      stop = await fetch(new URL('stop', masterUrl), { signal: AbortSignal.timeout(70_000) });
    }
    expect(stop.status).toBe(200);
    expect(await stop.json()).toMatchObject({ success: true });
    await sleep(4000);

    const c = await counts(targetUrl, t0);
    expect(c.count).toBeGreaterThan(0);
    expect(c.byPath['/predict']).toBeGreaterThan(0);
    // Workers report every 3 s and /stats/requests is cached 2 s: poll for the rows (bounded).
    const final = await until('stats rows for the three endpoints', 15_000, async () => {
      const s = await stats(masterUrl);
      const rows = new Map(s.stats.map((r) => [r.name, r.num_requests]));
      return ['/predict', '/healthz', '/metrics'].every((n) => (rows.get(n) ?? 0) > 0) ? s : undefined;
    });
    expect(final.state).toBe('stopped');
    const names = final.stats.map((r) => r.name).sort();
    expect(names).toEqual(['/healthz', '/metrics', '/predict', 'Aggregated']);
    const locustPredicts = final.stats.find((r) => r.name === '/predict')?.num_requests ?? 0;
    // Locust never counts more than the target saw.
    expect(locustPredicts).toBeLessThanOrEqual(c.byPath['/predict'] ?? 0);

    await stack.stop();
    await stack.stop(); // idempotent
    expect(runningChildPids()).toEqual([]);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
    stack = null;
  });

  it('fails with InfraError and the output of the failing process, leaving nothing behind', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'locust-driver-stack-'));
    try {
      const broken = path.join(dir, 'broken_locustfile.py');
      await writeFile(broken, 'from locust import HttpUser\ndef broken(:\n');
      const err = await startLocalStack({ workers: 1, locustfile: broken, startTimeoutMs: 30_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InfraError);
      const msg = (err as InfraError).message;
      expect(msg).toMatch(/master/i);
      expect(msg).toMatch(/SyntaxError|invalid syntax/);
      expect(runningChildPids()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
