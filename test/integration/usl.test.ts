// A scalability model from a real run: the sample target gets a known contention σ and coherency
// κ (src/sample-target/contention.ts), users without think time load it at six user counts through
// the real CLI and a real Locust (master + 2 workers), and the USL fit in run.json recovers σ and κ.
// Measured (2.47.0, a loaded 2-core machine): σ 0.088 ± 0.013, κ 0.0082 ± 0.0004, λ 21.8 req/s,
// N* ≈ 10.6 (given 0.1, 0.01, 25, 9.5), R² 0.998; the test's stages take about 61 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { RunRecordSchema } from '../../src/core/run-schema.js';
import { uslThroughput } from '../../src/core/stats/usl.js';
import { ROOT, locustBin, runCli } from './helpers.js';

const SERVICE_MS = 40;
const SIGMA = 0.1;
const KAPPA = 0.01;
const USERS = [1, 2, 4, 8, 16, 24];

/** The sample target with the known cost, from source, on a free loopback port. */
async function startTarget(): Promise<{ url: string; proc: ChildProcess }> {
  const args = ['src/sample-target/main.ts', '--port', '0', '--concurrency', '1000', '--service-ms', String(SERVICE_MS), '--jitter-ms', '0'];
  const proc = spawn(process.execPath, [...args, '--sigma', String(SIGMA), '--kappa', String(KAPPA)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`sample target exited with ${code}`)));
  });
  return { url, proc };
}

describe('a USL model fitted to a real run', () => {
  let stack: LocalStack;
  let target: { url: string; proc: ChildProcess };
  let dir: string;

  beforeAll(async () => {
    target = await startTarget();
    stack = await startLocalStack({
      workers: 2,
      locustBin: locustBin('2.47.0'),
      locustfile: path.join(ROOT, 'test', 'integration', 'fixtures', 'usl_locustfile.py'),
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'ld-usl-'));
  });
  afterAll(async () => {
    await stack?.stop();
    target?.proc.kill('SIGTERM');
  });

  it('recovers the service’s σ and κ within the stated tolerance', async () => {
    const file = path.join(dir, 'usl.yaml');
    await writeFile(
      file,
      `version: 1\nname: usl\ntarget: { host: ${target.url} }\ntransition: continue\ndefaults: { duration: 10s, sampleEvery: 1s, spawnRate: 100 }\nstages:\n${USERS.map((u) => `  - { users: ${u} }`).join('\n')}\n`,
    );
    const res = await runCli(['run', '--matrix', file, '--master', stack.masterUrl, '--out', dir, '--run-id', 'usl', '--log-format', 'json'], {
      timeoutMs: 120_000,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const run = RunRecordSchema.parse(JSON.parse(await readFile(path.join(dir, 'usl', 'run.json'), 'utf8')));
    const m = run.scalability;
    const f = m?.fit;
    // The figures for the closing note, beside the parameters the service was given.
    console.log(
      JSON.stringify({
        given: { lambda: 1000 / SERVICE_MS, sigma: SIGMA, kappa: KAPPA, peakN: Math.sqrt((1 - SIGMA) / KAPPA) },
        fitted: f && { lambda: f.lambda, sigma: f.sigma, sigmaSe: f.sigmaSe, kappa: f.kappa, kappaSe: f.kappaSe, r2: f.r2, peakN: f.peakN, peakRps: f.peakRps },
        points: m?.points,
        summary: m?.summary,
        warnings: m?.warnings,
        steady: run.stages.map((s) => s.stats?.steady.verdict),
        ci: run.stages.map((s) => s.stats?.confidence.rps?.halfWidth),
      }),
    );
    expect(m?.against).toBe('users');
    expect(f).not.toBeNull();
    if (!f) return;
    // Tolerances: σ ± 0.05, κ within ±50 %, the peak's users within ±25 %; the throughput of one
    // user (λ) a little under 1000/service-ms (each request also spends time in Locust and on the wire).
    expect(Math.abs(f.sigma - SIGMA)).toBeLessThan(0.05);
    expect(Math.abs(f.kappa - KAPPA) / KAPPA).toBeLessThan(0.5);
    expect(Math.abs((f.peakN ?? 0) - Math.sqrt((1 - SIGMA) / KAPPA)) / Math.sqrt((1 - SIGMA) / KAPPA)).toBeLessThan(0.25);
    expect(f.lambda).toBeGreaterThan(0.8 * (1000 / SERVICE_MS));
    expect(f.lambda).toBeLessThan(1.05 * (1000 / SERVICE_MS));
    expect(f.r2).toBeGreaterThan(0.95);
    // the measured points themselves follow the given law
    for (const p of m?.points ?? []) expect(p.rps / uslThroughput(p.n, 1000 / SERVICE_MS, SIGMA, KAPPA)).toBeGreaterThan(0.8);
    expect(await readFile(path.join(dir, 'usl', 'summary.md'), 'utf8')).toMatch(/- \*\*Scalability:\*\* modelled ceiling ≈ \d+(\.\d+)? req\/s at ≈ \d+ users/);
    expect(await readFile(path.join(dir, 'usl', 'report.html'), 'utf8')).toContain('the fitted Universal Scalability Law');
    // 10 s windows hold too few sub-windows (a fresh count every ~3 s, the workers' reports) for a
    // trend test or an interval, and the run says so rather than guessing.
    for (const s of run.stages) expect(s.stats?.steady.verdict).toMatch(/^not tested: \d sub-windows, at least 8 needed$/);
  });
});
