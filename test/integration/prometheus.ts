// A real Prometheus for the tests: the binary test/prometheus/build.sh built (and cached), started on
// 127.0.0.1 on a free port with the remote-write receiver, queried over its HTTP API.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/adapters/local/free-port.js';
import { ROOT } from './helpers.js';

/** The cached binary (global-setup.ts builds it first, so this is the cache hit). */
export function prometheusBin(): string {
  const out = execFileSync('bash', [path.join(ROOT, 'test', 'prometheus', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trim().split('\n').at(-1) ?? '';
}

export interface Prometheus {
  url: string;
  writeUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** An instant query; the result vector. */
  query(expr: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** A range query (start/end in seconds); the result matrix. */
  queryRange(expr: string, start: number, end: number, step: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]>;
}

export async function startPrometheus(): Promise<Prometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-prom-'));
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    prometheusBin(),
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async <T>(p: string, params: Record<string, string>): Promise<T> => {
    const res = await fetch(`${url}${p}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: { result: T }; error?: string };
    if (body.status !== 'success') throw new Error(`${p} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
    return body.data.result;
  };
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
    query: (expr, time) => api('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time: String(time) }) }),
    queryRange: (expr, start, end, step) => api('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) }),
  };
}
