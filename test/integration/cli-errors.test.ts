// What a user sees when something is wrong: one clear line, the right exit code, nothing started.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJson } from '../../src/adapters/report/run-json.js';
import { makeRunRecord } from '../fakes/run-record.js';
import { runCli } from './helpers.js';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('the CLI on bad input', () => {
  it('validate prints the expanded plan and the expected time', async () => {
    const res = await runCli(['validate', '--matrix', 'examples/local.yaml']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^examples\/local\.yaml: ".*" — \d+ stages, expected about /);
    expect(res.stdout).toContain('embedded local stack');
  });

  it('validates the original 24-scenario cluster matrix and prints its plan', async () => {
    const res = await runCli(['validate', '--matrix', 'matrix.yaml']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^matrix\.yaml: "inference-capacity" — 24 stages, expected about 1h 3m 54s/);
    expect(res.stdout).toContain('master http://locust-master:8089 (waits for 4 workers)');
    expect(res.stdout).toContain('kubernetes: namespace default, target deployment inference (HPA inference if present), workers deployment locust-worker');
    expect(res.stdout).toMatch(/24 +replicas=8 workers=8 users=800 +8 +8 +800 +20 +2m/);
  });

  it('rejects a malformed matrix with file, YAML path, line:column and the fix, starting nothing (exit 2)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-bad-'));
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'version: 1\nname: bad\nstages:\n  - users: ten\n');
    const res = await runCli(['run', '--matrix', file, '--out', dir]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([`locust-driver: ${file}:4:12 stages[0].users: expected a whole number of users, e.g. 200`]);
    expect(res.stdout).toBe('');
    expect(existsSync(path.join(dir, 'bad'))).toBe(false);
  });

  it('names a missing matrix file (exit 2)', async () => {
    const res = await runCli(['run', '--matrix', 'nope.yaml']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('locust-driver: nope.yaml: no such matrix file — pass --matrix <file> (try examples/local.yaml)\n');
  });

  it('gives up on a master that is down within the configured time (exit 3), with one line saying what to do', async () => {
    const port = await closedPort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-down-'));
    const res = await runCli([
      'run',
      '--matrix',
      'examples/local.yaml',
      '--master',
      `http://127.0.0.1:${port}`,
      '--connect-timeout',
      '3s',
      '--out',
      dir,
      '--log-format',
      'json',
    ]);
    expect(res.code).toBe(3);
    expect(res.ms).toBeLessThan(15_000);
    expect(res.stderr).toMatch(
      /^locust-driver: the Locust master did not answer within 3s \(.*ECONNREFUSED.*\): check --master \/ locust\.url, or omit both to start the embedded local stack\n$/,
    );
  });

  it('answers --version and --help', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('locust-driver <command> [options]');
  });

  it('answers --help and --version whatever LOCUST_DRIVER_* variables hold (exit 0)', async () => {
    const env = { LOCUST_DRIVER_NOPE: '1', LOCUST_DRIVER_LOG_LEVEL: 'loud' };
    for (const args of [['--help'], ['run', '--help'], ['--version']]) {
      const res = await runCli(args, { env });
      expect([res.code, res.stderr], args.join(' ')).toEqual([0, '']);
      expect(res.stdout).toMatch(args[0] === '--version' ? /^\d+\.\d+\.\d+\n$/ : /^locust-driver (<command>|run)[\s\S]*--matrix/);
    }
    const run = await runCli(['run'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^locust-driver: environment variable LOCUST_DRIVER_NOPE is not a locust-driver setting/);
  });

  it('refuses an --out it cannot write to before anything starts: one line, no stack (exit 2)', async () => {
    const port = await closedPort();
    const res = await runCli([
      'run',
      '--matrix',
      'examples/local.yaml',
      '--master',
      `http://127.0.0.1:${port}`,
      '--connect-timeout',
      '3s',
      '--out',
      '/dev/null/x',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('locust-driver: cannot write reports to /dev/null/x: not a directory — choose another --out\n');
    expect(res.stdout).toBe('');
    expect(res.ms).toBeLessThan(3_000 + 2_000); // it did not wait for the master
  });

  it("takes --out from the matrix's run: section, and a flag wins over it", async () => {
    const port = await closedPort();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-run-section-'));
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, `version: 1\nname: from-file\nrun: { out: /dev/null/from-file, logFormat: json }\nstages:\n  - users: 2\n`);
    const args = ['run', '--matrix', file, '--master', `http://127.0.0.1:${port}`, '--connect-timeout', '2s'];
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('locust-driver: cannot write reports to /dev/null/from-file: not a directory — choose another --out\n');
    // the flag wins: the run gets past the folder check and gives up on the (closed) master, logging JSON as the file says
    const flag = await runCli([...args, '--out', dir]);
    expect(flag.code).toBe(3);
    expect(flag.stderr).toMatch(/^locust-driver: the Locust master did not answer within 2s/);
    expect(JSON.parse(flag.stdout.trim().split('\n')[0]!)).toHaveProperty('level');
  });

  it('report says which folder it cannot write to and what to do: one line, no stack (exit 3)', async () => {
    const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'ld-report-')), 'r1');
    await mkdir(path.join(dir, 'summary.md', 'in-the-way'), { recursive: true });
    await writeFile(path.join(dir, 'run.json'), runJson(makeRunRecord()));
    const res = await runCli(['report', dir]);
    expect(res.code).toBe(3);
    expect(res.stderr).toBe(
      `locust-driver: cannot write reports to ${dir}: a directory is in the way — make the run folder writable (or free some space) and run report again\n`,
    );
  });

  it('rejects an unknown flag (exit 2)', async () => {
    const res = await runCli(['run', '--users', '5']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^locust-driver: Unknown argument: users/);
  });

  it('never overwrites a run folder, and --resume checks what it would continue, before anything starts (exit 2)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-resume-'));
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, 'version: 1\nname: resumable\nstages:\n  - users: 4\n  - users: 8\n');
    const missing = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'nope', '--resume']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--resume: .*nope\/run\.json does not exist — check --run-id and --out/);
    const auto = path.join(dir, 'r1');
    await mkdir(auto, { recursive: true });
    await writeFile(path.join(auto, 'run.json'), '{"schemaVersion":1}');
    const taken = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'r1']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/r1\/run\.json already exists: .*or continue it with --resume/);
    const broken = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'r1', '--resume']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/r1\/run\.json: not a locust-driver run\.json/);
    expect(existsSync(path.join(dir, 'r1', 'summary.md'))).toBe(false);
  });
});
