// What Dockerfile.driver ships, tested without Docker: the files its runtime stage copies (read from
// the Dockerfile itself, so the test follows it), laid out as in the image from a fresh build of the
// bundle, with no node_modules anywhere above them, run the way its ENTRYPOINT runs them, with
// Node 24 against a real master.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/adapters/local/stack.js';
import { cliEnv, locustBin, ROOT } from './helpers.js';

const exec = promisify(execFile);

/** The runtime stage's `COPY --from=build /app/<from> <to>` lines and its ENTRYPOINT. */
async function runtimeStage(): Promise<{ copies: { from: string; to: string }[]; entrypoint: string[] }> {
  const text = await readFile(path.join(ROOT, 'Dockerfile.driver'), 'utf8');
  const stages = text.split(/^FROM /m);
  const runtime = stages[stages.length - 1] ?? '';
  const copies = [...runtime.matchAll(/^COPY --from=build \/app\/(\S+) (\S+)$/gm)].map((m) => ({ from: m[1] as string, to: m[2] as string }));
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(runtime);
  if (!entry?.[1]) throw new Error('Dockerfile.driver: no ENTRYPOINT ["node", …] in the runtime stage');
  return { copies, entrypoint: JSON.parse(entry[1]) as string[] };
}

describe('the production install (what the container runs)', () => {
  let app: string;
  let stack: LocalStack;
  let nodeArgs: string[];

  beforeAll(async () => {
    // The build stage: `npm run build` there is tsc (the sample target), the schemas and the bundle.
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ld-prod-'));
    const build = path.join(tmp, 'build');
    await mkdir(path.join(build, 'dist'), { recursive: true });
    for (const f of ['package.json', 'schema', path.join('dist', 'sample-target')]) await cp(path.join(ROOT, f), path.join(build, f), { recursive: true });
    await exec(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), path.join(build, 'dist')], { cwd: ROOT, timeout: 120_000 });
    // The runtime stage, in a folder with no node_modules above it (the image's /app).
    app = path.join(tmp, 'app');
    const { copies, entrypoint } = await runtimeStage();
    for (const { from, to } of copies) {
      const dest = to.endsWith('/') ? path.join(app, to, path.basename(from)) : path.join(app, to);
      await mkdir(path.dirname(dest), { recursive: true });
      await cp(path.join(build, from), dest, { recursive: true });
    }
    expect(entrypoint[0]).toBe('node');
    const script = entrypoint[entrypoint.length - 1] as string;
    expect(script.startsWith('/app/')).toBe(true);
    nodeArgs = [...entrypoint.slice(1, -1), path.join(app, script.slice('/app/'.length))];
    await cp(path.join(ROOT, 'matrix.yaml'), path.join(app, 'matrix.yaml'));
    stack = await startLocalStack({ workers: 1, locustBin: locustBin('2.47.0') });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: app, env: cliEnv({ NODE_ENV: 'production', ...env }) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('is the bundle, a few megabytes, and no node_modules', async () => {
    for (let dir = app; ; dir = path.dirname(dir)) {
      expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
      if (path.dirname(dir) === dir) break;
    }
    const size = async (p: string): Promise<number> => {
      const st = await stat(p);
      if (!st.isDirectory()) return st.size;
      let sum = 0;
      for (const f of await readdir(p)) sum += await size(path.join(p, f));
      return sum;
    };
    expect(await size(app)).toBeLessThan(10e6); // issue 13: the production payload ≤ 10 MB
    expect(await readdir(path.join(app, 'dist', 'chunks'))).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes-client-.*\.mjs$/)]));
  });

  it('answers --version, validates the cluster matrix, and runs a stage against a real master', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await cli(['--version'])).stdout.trim()).toBe(pkg.version);
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

  it('loads the Kubernetes client from its chunk when the matrix has kubernetes: (and reads the kubeconfig with it)', async () => {
    // A kubeconfig naming a cluster on a closed port of 127.0.0.1: client-node parses it, then the
    // preflight's first API call fails. Either failure message comes from code in the chunk.
    const kubeconfig = path.join(app, 'kubeconfig.yaml');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:9" } }]',
        'users: [{ name: u, user: { token: t } }]',
        'contexts: [{ name: x, context: { cluster: c, user: u, namespace: ns1 } }]',
        'current-context: x',
        '',
      ].join('\n'),
    );
    const r = await cli(['preflight', '--matrix', 'matrix.yaml', '--master', stack.masterUrl, '--log-format', 'json'], { KUBECONFIG: kubeconfig });
    expect(r.code).toBe(3); // EXIT.INFRA: the API server let it down; a chunk that failed to load would be 70 (internal)
    expect(r.stderr).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|Kubernetes/i);
    expect(r.stderr).not.toMatch(/Cannot find (module|package)|internal error/i);
  });
});
