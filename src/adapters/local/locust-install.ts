// Finds the `locust` executable for the embedded local stack, installing the pinned Locust into
// <repo>/.venv/locust-<version> (scripts/locust-venv.sh) the first time.

import { createHash } from 'node:crypto';
import { access, constants, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../../core/errors.js';
import { ManagedProcess, formatExit } from './processes.js';
import { packageRootOf } from '../system/package-root.js';

export const PINNED_LOCUST_VERSION = '2.47.0';

/** The package root (where locust/ and scripts/ are): this file lives in src/ or dist/, bundled or not. */
export function packageRoot(): string {
  return packageRootOf(import.meta.url) ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

export interface FindLocustOptions {
  version?: string;
  log: (msg: string) => void;
  /** Bound on the one-time install. Default 15 minutes. */
  installTimeoutMs?: number;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function availableVersions(root: string): Promise<string[]> {
  try {
    const files = await readdir(path.join(root, 'locust'));
    return files
      .map((f) => /^requirements-(.+)\.txt$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .sort();
  } catch {
    return [];
  }
}

/**
 * True when .venv/locust-<v>/.complete names the current requirements file's hash and the venv is
 * where it was built (its scripts carry the path in their #! line; a moved venv cannot run).
 */
async function venvComplete(venv: string, requirements: string): Promise<boolean> {
  try {
    const bin = path.join(venv, 'bin', 'locust');
    const [marker, req, script] = await Promise.all([readFile(path.join(venv, '.complete'), 'utf8'), readFile(requirements), readFile(bin, 'utf8')]);
    const hash = createHash('sha256').update(req).digest('hex');
    const inPlace = script.split('\n', 1)[0] === `#!${path.join(venv, 'bin', 'python')}`;
    return marker.trim().split(/\s+/)[0] === hash && inPlace && (await isExecutable(bin));
  } catch {
    return false;
  }
}

/**
 * The `locust` executable to run: $LOCUST_DRIVER_LOCUST_BIN if set (it must exist), else the
 * complete venv <repo>/.venv/locust-<version>, else it installs that venv once with
 * scripts/locust-venv.sh and returns the path the script printed last.
 */
export async function findOrInstallLocust(opts: FindLocustOptions): Promise<string> {
  const fromEnv = process.env['LOCUST_DRIVER_LOCUST_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new InfraError(
      `LOCUST_DRIVER_LOCUST_BIN=${fromEnv} is not an executable file: point it at a locust executable, or unset it to use the pinned Locust ${PINNED_LOCUST_VERSION}`,
    );
  }

  const version = opts.version ?? PINNED_LOCUST_VERSION;
  const root = packageRoot();
  const requirements = path.join(root, 'locust', `requirements-${version}.txt`);
  const venv = path.join(root, '.venv', `locust-${version}`);
  const bin = path.join(venv, 'bin', 'locust');

  try {
    await access(requirements, constants.R_OK);
  } catch {
    const have = await availableVersions(root);
    throw new InfraError(
      `no pinned requirements for Locust ${version} (${requirements}); use one of: ${have.length > 0 ? have.join(', ') : 'none found'}, or set LOCUST_DRIVER_LOCUST_BIN`,
    );
  }
  if (await venvComplete(venv, requirements)) return bin;

  const script = path.join(root, 'scripts', 'locust-venv.sh');
  opts.log(`installing the pinned Locust ${version} into .venv/ (one-time)`);
  let proc: ManagedProcess;
  try {
    proc = await ManagedProcess.spawn('locust-venv', 'bash', [script, version], { cwd: root, ringLines: 40 });
  } catch (e) {
    throw new InfraError(`cannot run ${script} to install Locust ${version}: ${e instanceof Error ? e.message : String(e)}; is bash installed?`, {
      cause: e,
    });
  }
  let lastStdout = '';
  proc.onLine((line, stream) => {
    if (stream === 'stdout' && line.trim() !== '') lastStdout = line.trim();
  });
  const timeoutMs = opts.installTimeoutMs ?? 15 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  const info = await Promise.race([
    proc.closed,
    new Promise<null>((r) => {
      timer = setTimeout(() => r(null), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (info === null) {
    await proc.stop(2000);
    throw new InfraError(
      `installing Locust ${version} took longer than ${Math.round(timeoutMs / 1000)} s; check that PyPI is reachable, then run scripts/locust-venv.sh ${version} by hand\n${proc.describeTail()}`,
    );
  }
  if (info.code !== 0) {
    throw new InfraError(
      `installing Locust ${version} failed (scripts/locust-venv.sh ${version}: ${formatExit(info)}); fix the cause below and rerun, or set LOCUST_DRIVER_LOCUST_BIN to an existing locust\n${proc.describeTail()}`,
    );
  }
  if (lastStdout === '' || !(await isExecutable(lastStdout))) {
    throw new InfraError(
      `scripts/locust-venv.sh ${version} succeeded but its last line "${lastStdout}" is not an executable locust; delete .venv/locust-${version} and retry`,
    );
  }
  return lastStdout;
}
