// Shared by the integration tests: run the built CLI as a user would, and talk to the sample target.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'main.js');
/** locust/test-versions.txt: one release per line, "full" when the whole tier runs on it; # comments. */
const VERSION_LINES = readFileSync(path.join(ROOT, 'locust', 'test-versions.txt'), 'utf8')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim().split(/\s+/))
  .filter((w) => w[0]);
/** Every listed release: each runs the quick run. */
export const QUICK_VERSIONS = VERSION_LINES.map((w) => w[0] as string);
/** The releases the whole integration tier runs on. */
export const TEST_VERSIONS = VERSION_LINES.filter((w) => w.includes('full')).map((w) => w[0] as string);
export const locustBin = (version: string) => path.join(ROOT, '.venv', `locust-${version}`, 'bin', 'locust');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI with a clean environment: no LOCUST_DRIVER_* from the caller leaks in. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOCUST_DRIVER_')) env[k] = v;
  return { ...env, ...extra };
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; onStdout?: (chunk: string, kill: (s: NodeJS.Signals) => void) => void } = {},
): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(d.toString(), (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export async function targetCounts(targetUrl: string, from: number, to: number): Promise<{ count: number; byPath: Record<string, number> }> {
  const res = await fetch(`${targetUrl.replace(/\/$/, '')}/__admin/counts?from=${Math.round(from)}&to=${Math.round(to)}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return (await res.json()) as { count: number; byPath: Record<string, number> };
}

/** True while something accepts connections on the URL's port. */
export async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}
