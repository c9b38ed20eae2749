// What Dockerfile.driver ships, tested without Docker: dist/ and schema/ with production
// dependencies only (npm ci --omit=dev), run with Node 24 against a real master.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { cliEnv, locustBin, ROOT } from './helpers.js';

const exec = promisify(execFile);

describe('the production install (what the container runs)', () => {
  let app: string;
  let stack: LocalStack;

  beforeAll(async () => {
    app = await mkdtemp(path.join(os.tmpdir(), 'ld-prod-'));
    for (const f of ['package.json', 'package-lock.json', 'dist', 'schema', 'matrix.yaml'])
      await cp(path.join(ROOT, f), path.join(app, f), { recursive: true });
    await exec(
      process.execPath,
      [path.join(ROOT, '.tools', 'node_modules', 'npm', 'bin', 'npm-cli.js'), 'ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: app, timeout: 240_000 },
    );
    stack = await startLocalStack({ workers: 1, locustBin: locustBin('2.47.0') });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(app, 'dist', 'main.js'), ...args], { cwd: app, env: cliEnv({ NODE_ENV: 'production' }) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('has no development packages', async () => {
    const installed = await readdir(path.join(app, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'eslint', 'vite', 'fast-check']) expect(installed).not.toContain(dev);
    expect(installed).toEqual(expect.arrayContaining(['undici', 'pino', 'yargs', 'zod', 'yaml', 'p-retry', '@kubernetes']));
  });

  it('answers --version, validates the cluster matrix, and runs a stage against a real master', async () => {
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const v = await cli(['validate', '--matrix', 'matrix.yaml']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('24 stages');
    const m = path.join(app, 'one.yaml');
    await writeFile(m, `version: 1\nname: prod\ntarget: { host: ${stack.targetUrl} }\nstages:\n  - { users: 2, spawnRate: 2, duration: 4s, cooldown: 0s }\n`);
    const r = await cli(['run', '--matrix', m, '--master', stack.masterUrl, '--out', path.join(app, 'results'), '--run-id', 'prod', '--log-format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await readdir(path.join(app, 'results', 'prod'))).sort()).toEqual([
      'junit.xml',
      'metrics.prom',
      'report.html',
      'run.json',
      'stages',
      'summary.csv',
      'summary.md',
    ]);
  });
});
