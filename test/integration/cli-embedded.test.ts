// The newcomer's path: no master anywhere → the CLI starts its own Locust and sample service on
// 127.0.0.1, runs the matrix, and leaves nothing running — also when interrupted.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answers, runCli } from './helpers.js';

const matrix = `version: 1
name: embedded
defaults: { duration: 8s, cooldown: 1s, spawnRate: 20 }
matrix:
  users: [5, 15]
`;

/** The embedded stack's URLs, from the CLI's log line. */
function stackUrls(stdout: string): { master: string; target: string } {
  const m = /embedded stack up: master (\S+), target (\S+),/.exec(stdout);
  if (!m) throw new Error(`no "embedded stack up" line in:\n${stdout}`);
  return { master: m[1]!, target: m[2]! };
}

/** Live processes still listening on, or started for, these ports (zombies have no args, so they do not count). */
function processesMentioning(ports: string[]): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' }).split('\n');
  return ps.filter((l) => !/\sZ/.test(l) && ports.some((p) => l.includes(`${p}`) && /locust|sample-target/.test(l)));
}

describe('the embedded local stack through the CLI', () => {
  it('runs a matrix with no master configured and stops every process it started', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-emb-'));
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, matrix);
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'emb', '--log-format', 'pretty']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\] INFO {2}stage 1\/2 \[\d+s\/8s\] users=5 /);
    expect(res.stdout).toContain('# Load test: embedded'); // the summary table at the end, on a terminal-style log
    const { master, target } = stackUrls(res.stdout);
    const run = JSON.parse(await readFile(path.join(dir, 'emb', 'run.json'), 'utf8')) as {
      status: string;
      environment: { locust: { embedded: boolean; version: string } };
      stages: { status: string; totals: { requests: number } }[];
    };
    expect(run.status).toBe('completed');
    expect(run.environment.locust).toMatchObject({ embedded: true, version: '2.47.0' });
    expect(run.stages.every((s) => s.status === 'completed' && s.totals.requests > 0)).toBe(true);
    expect((await readdir(path.join(dir, 'emb', 'stages'))).sort()).toEqual(['01-users-5', '02-users-15']);
    expect(await answers(master)).toBe(false);
    expect(await answers(target)).toBe(false);
    expect(processesMentioning([new URL(master).port, new URL(target).port])).toEqual([]);
  });

  it('on Ctrl-C stops the load, writes what was measured with the stage aborted, stops the stack, exits 130', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-int-'));
    const file = path.join(dir, 'm.yaml');
    await writeFile(file, 'version: 1\nname: interrupted\nstages:\n  - { users: 10, duration: 5m }\n  - { users: 20, duration: 5m }\n');
    let sent = false;
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'int', '--log-format', 'json'], {
      onStdout: (chunk, kill) => {
        if (!sent && chunk.includes('"event":"sample"')) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(res.code).toBe(130);
    expect(res.ms).toBeLessThan(60_000);
    const { master, target } = stackUrls(res.stdout);
    const run = JSON.parse(await readFile(path.join(dir, 'int', 'run.json'), 'utf8')) as { status: string; stages: { status: string; reason: string }[] };
    expect(run.status).toBe('aborted');
    expect(run.stages).toHaveLength(1);
    expect(run.stages[0]).toMatchObject({ status: 'aborted', reason: 'interrupted by SIGINT' });
    expect(await answers(master)).toBe(false);
    expect(await answers(target)).toBe(false);
    expect(processesMentioning([new URL(master).port, new URL(target).port])).toEqual([]);
  });

  it('SIGKILL leaves nothing behind: the kernel stops the stack with the driver (no load left running)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-kill-'));
    const file = path.join(dir, 'kill.yaml');
    await writeFile(file, 'version: 1\nname: kill\ndefaults: { spawnRate: 20, duration: 60s, sampleEvery: 1s }\nstages:\n  - users: 4\n');
    let sent = false;
    const res = await runCli(['run', '--matrix', file, '--out', dir, '--run-id', 'kill', '--log-format', 'json'], {
      onStdout: (chunk, kill) => {
        if (!sent && chunk.includes('"event":"sample"')) {
          sent = true;
          kill('SIGKILL');
        }
      },
    });
    expect(sent).toBe(true);
    expect(res.signal).toBe('SIGKILL');
    const { master, target } = stackUrls(res.stdout);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && ((await answers(master)) || (await answers(target)))) await new Promise((r) => setTimeout(r, 250));
    expect(await answers(master)).toBe(false);
    expect(await answers(target)).toBe(false);
    expect(processesMentioning([new URL(master).port, new URL(target).port])).toEqual([]);
  });
});
