// Processes the bench starts. Long-lived helpers (the sample target, the long-lived Locust master
// and workers) are the project's ManagedProcess (own process group, killed with the bench). The
// processes being *measured* (the driver, the headless Locust runs) are spawned directly, without
// ManagedProcess's python3 exec wrapper, so their start-up time is their own; they too get their
// own process group and are killed if the bench exits early.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout } from 'node:timers';
import { now } from './proxy.mjs';

const groups = new Set();
let installed = false;
function killAll() {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
function install() {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
}

/**
 * Spawns `command args` in its own process group. `onLine(line, at)` gets every stdout/stderr line
 * with its arrival time; `logFile` (optional) receives the raw output.
 * @returns {{ pid: number, child: import('node:child_process').ChildProcess, startedAt: number, exit: Promise<{code: number|null, signal: string|null, at: number}> }}
 */
export function spawnMeasured(command, args, { env, cwd, onLine, logFile } = {}) {
  install();
  const startedAt = now();
  const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) groups.add(pid);
  const log = logFile ? createWriteStream(logFile) : null;
  const attach = (stream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      log?.write(chunk);
      const at = now();
      partial += chunk;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        onLine?.(line, at);
      }
    });
  };
  attach(child.stdout);
  attach(child.stderr);
  const exit = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const at = now();
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL'); // anything left in its group
        } catch {
          // empty group
        }
        groups.delete(pid);
      }
      log?.end();
      resolve({ code, signal, at });
    });
  });
  return { pid, child, startedAt, exit };
}

/** Environment for Locust: unbuffered, and no LOCUST_* settings of the caller (they are Locust options). */
export function locustEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('LOCUST_')) env[k] = v;
  return { ...env, PYTHONUNBUFFERED: '1', ...extra };
}

/** Environment for the driver: none of the caller's LOCUST_DRIVER_* settings. */
export function driverEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOCUST_DRIVER_')) env[k] = v;
  return { ...env, ...extra };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
