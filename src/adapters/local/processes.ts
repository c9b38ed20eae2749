// Child processes of the embedded local stack.
//
// Each child runs in its own process group (`detached: true`), so that stopping it also stops
// anything it started, and so that a Ctrl-C in the terminal reaches only the driver (which then
// stops the stack in order). Its stdout and stderr are kept as the last ~50 lines (for error
// messages). stop() = SIGTERM to the group, SIGKILL after a grace period.
//
// Safety net: a synchronous process.on('exit') handler SIGKILLs every child group still running,
// so nothing is left behind when the driver exits without stopping the stack (crash, process.exit).
// If a SIGINT/SIGTERM/SIGHUP arrives and nobody else in the program listens for it, the net kills
// the children and then lets the signal do what it would have done (terminate the driver).
//
// SIGKILL (or an OOM kill) leaves no chance to run anything: on Linux each child is therefore
// started through a tiny python3 exec wrapper that asks the kernel for SIGTERM when the driver dies
// (prctl PR_SET_PDEATHSIG, kept across exec). A killed driver leaves no Locust hammering the target.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Lines of output kept (stdout and stderr interleaved). Default 50. */
  ringLines?: number;
}

/** python3 -c: set the parent-death signal, give up if the parent is already gone, exec the command. */
const DIE_WITH_PARENT =
  'import ctypes,os,signal,sys\n' +
  'ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)\n' +
  'if os.getppid() != int(sys.argv[1]): os._exit(1)\n' +
  'os.execvp(sys.argv[2], sys.argv[2:])';

const PYTHON3 = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'].find((p) => existsSync(p)) ?? null;

/** The command line that runs `command args` and dies with the driver (where the OS allows it). */
export function dieWithParent(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.platform !== 'linux' || PYTHON3 === null) return { command, args: [...args] };
  return { command: PYTHON3, args: ['-c', DIE_WITH_PARENT, String(process.pid), command, ...args] };
}

type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

const live = new Set<ManagedProcess>();
let netInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** SIGKILLs every child group still running. Synchronous; safe to call any time. */
export function killAllChildrenSync(): void {
  for (const p of live) killGroup(p.pid, 'SIGKILL');
}

/** Pids of the children started by this module that have not exited yet. */
export function runningChildPids(): number[] {
  return [...live].map((p) => p.pid);
}

function installSafetyNet(): void {
  if (netInstalled) return;
  netInstalled = true;
  process.on('exit', killAllChildrenSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Someone else handles this signal: they stop the stack and exit (then 'exit' fires).
      if (process.listenerCount(sig) > 1) return;
      killAllChildrenSync();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Resolves after `exited`, once stdout and stderr are closed too (all output delivered). */
  readonly closed: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private readonly ring: string[] = [];
  private readonly ringLines: number;
  private readonly listeners = new Set<LineListener>();
  private stopPromise: Promise<void> | null = null;

  private constructor(name: string, child: ChildProcess, ringLines: number) {
    this.name = name;
    this.child = child;
    this.ringLines = ringLines;
    if (child.pid === undefined) throw new Error(`${name}: no pid`);
    this.pid = child.pid;
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        // Sweep anything the child left in its group.
        killGroup(this.pid, 'SIGKILL');
        resolve(this.exitInfo);
      });
    });
    this.closed = new Promise<ExitInfo>((resolve) => {
      child.once('close', () => {
        void this.exited.then(resolve);
      });
    });
    this.attach(child.stdout, 'stdout');
    this.attach(child.stderr, 'stderr');
  }

  /** Spawns `command args` in its own process group; rejects if it cannot be started at all. */
  static async spawn(name: string, command: string, args: readonly string[], opts: SpawnOptions = {}): Promise<ManagedProcess> {
    installSafetyNet();
    const run = dieWithParent(command, args);
    const child = spawn(run.command, run.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        child.off('spawn', onSpawn);
        reject(new Error(`${name}: cannot start ${command}: ${e.message}`, { cause: e }));
      };
      const onSpawn = (): void => {
        child.off('error', onError);
        resolve();
      };
      child.once('error', onError);
      child.once('spawn', onSpawn);
    });
    child.on('error', () => {}); // later errors (e.g. kill on a dead pid) are not fatal
    const p = new ManagedProcess(name, child, opts.ringLines ?? 50);
    live.add(p);
    return p;
  }

  private attach(stream: NodeJS.ReadableStream | null, which: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (chunk: string) => {
      partial += chunk;
      let nl = partial.indexOf('\n');
      while (nl >= 0) {
        this.pushLine(partial.slice(0, nl).replace(/\r$/, ''), which);
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
      if (partial.length > 64 * 1024) {
        this.pushLine(partial, which);
        partial = '';
      }
    });
    stream.on('end', () => {
      if (partial !== '') this.pushLine(partial, which);
      partial = '';
    });
  }

  private pushLine(line: string, stream: 'stdout' | 'stderr'): void {
    this.ring.push(line);
    if (this.ring.length > this.ringLines) this.ring.splice(0, this.ring.length - this.ringLines);
    for (const l of this.listeners) l(line, stream);
  }

  /** The last lines of output (stdout and stderr interleaved). */
  tail(n = this.ringLines): string[] {
    return this.ring.slice(-n);
  }

  /** The last lines of output, indented, for an error message. */
  describeTail(n = 20): string {
    const lines = this.tail(n);
    const cut = (l: string): string => (l.length > 400 ? `${l.slice(0, 400)}…` : l);
    return lines.length === 0 ? `  (${this.name} printed nothing)` : lines.map((l) => `  ${this.name}| ${cut(l)}`).join('\n');
  }

  get exitStatus(): ExitInfo | null {
    return this.exitInfo;
  }

  isRunning(): boolean {
    return this.exitInfo === null;
  }

  /** Calls `fn` for every later line; returns the unsubscribe function. */
  onLine(fn: LineListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Resolves with the match of the first later line that matches `pattern` (on `stream`, default
   * either). Rejects when the process exits first or after `timeoutMs`.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, stream: 'stdout' | 'stderr' | 'any' = 'any'): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (): void => {
        done = true;
        clearTimeout(timer);
        off();
      };
      const off = this.onLine((line, s) => {
        if (done || (stream !== 'any' && s !== stream)) return;
        const m = line.match(pattern);
        if (m !== null) {
          finish();
          resolve(m);
        }
      });
      const timer = setTimeout(() => {
        if (done) return;
        finish();
        reject(new Error(`${this.name}: no output line matching ${String(pattern)} within ${timeoutMs} ms`));
      }, timeoutMs);
      // `closed`: the streams have delivered their last lines.
      void this.closed.then((info) => {
        if (done) return;
        finish();
        reject(new Error(`${this.name}: exited (${formatExit(info)}) before printing a line matching ${String(pattern)}`));
      });
    });
  }

  /**
   * Resolves when `check()` returns a non-undefined value (polled every `intervalMs`); rejects when
   * the process exits or after `timeoutMs`. `check` errors are treated as "not yet".
   */
  async waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.isRunning()) throw new Error(`${this.name}: exited (${formatExit(this.exitInfo)}) while waiting for ${what}`);
      let v: T | undefined;
      try {
        v = await check();
      } catch {
        v = undefined;
      }
      if (v !== undefined) return v;
      if (Date.now() >= deadline) throw new Error(`${this.name}: ${what} not reached within ${timeoutMs} ms`);
      await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), this.exited]);
    }
  }

  /** SIGTERM to the process group; SIGKILL after `graceMs` (default 5 s). Idempotent. */
  stop(graceMs = 5000): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.stopPromise = (async () => {
      if (this.exitInfo !== null) return;
      killGroup(this.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        killGroup(this.pid, 'SIGKILL');
        let t2: NodeJS.Timeout | undefined;
        await Promise.race([this.exited, new Promise((r) => (t2 = setTimeout(r, 5000)))]);
        clearTimeout(t2);
      }
    })();
    return this.stopPromise;
  }
}

export function formatExit(info: ExitInfo | null): string {
  if (info === null) return 'still running';
  return info.signal !== null ? `signal ${info.signal}` : `code ${info.code ?? '?'}`;
}
