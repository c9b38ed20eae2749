// One error family. Each error has a one-line message that says what was expected, what was found
// and what to do, and its cause. Which exit code each one means is decided in one place: exit-code.ts.

export abstract class DriverError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, bad matrix file: nothing was started. */
export class ConfigError extends DriverError {
  readonly code = 'CONFIG';
}

/** A call to an outside API (Locust's, Kubernetes') failed. */
abstract class ApiCallError extends DriverError {
  readonly code: string;
  /** The HTTP status when there was one, for deciding whether to retry (403, 404, 409, 5xx, …). */
  readonly status: number | null;
  constructor(message: string, defaultCode: string, options?: { cause?: unknown; status?: number | null; code?: string }) {
    super(message, options);
    this.status = options?.status ?? null;
    this.code = options?.code ?? defaultCode;
  }
}

/** Locust answered something the driver cannot use, or did not answer. */
export class LocustError extends ApiCallError {
  constructor(message: string, options?: { cause?: unknown; status?: number | null; code?: string }) {
    super(message, 'LOCUST', options);
  }
}

/** The Kubernetes API refused or failed a call the run needs. */
export class KubeError extends ApiCallError {
  constructor(message: string, options?: { cause?: unknown; status?: number | null; code?: string }) {
    super(message, 'KUBE', options);
  }
}

/** Infrastructure the run needs is missing: no workers, target unhealthy, embedded stack failed. */
export class InfraError extends DriverError {
  readonly code = 'INFRA';
}

/** The reports could not be written once the run was under way (disk full, permissions taken away). */
export class ReportWriteError extends DriverError {
  readonly code = 'REPORT_WRITE';
}

/**
 * Anything no other error names: a bug (a TypeError) or a system error where none was expected
 * (EACCES, ENOSPC on a path the driver did not plan for). Its one line names the operation and what
 * to do; the original error, with its stack, stays the cause, shown only at --log-level debug.
 */
export class InternalError extends DriverError {
  readonly code = 'INTERNAL';
  constructor(operation: string, cause: unknown) {
    super(`${operation} failed unexpectedly: ${internalReason(cause)}`, { cause });
  }
}

const MAX_REASON = 300;

function internalReason(cause: unknown): string {
  const err = cause instanceof Error ? (cause as Error & { code?: unknown; syscall?: unknown }) : null;
  const text = (err ? err.message : String(cause)).replace(/\s+/g, ' ').trim().slice(0, MAX_REASON) || '(no message)';
  // A system error (it has a syscall) is the machine's, not the code's: fixing it there is the way out.
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
    return `${text} — fix that and run again (--log-level debug shows where it happened)`;
  }
  return `${err ? `${err.name}: ` : ''}${text} — a bug in locust-driver: rerun with --log-level debug and report it with the stack`;
}

/** The run was interrupted by a signal. */
export class AbortedError extends DriverError {
  readonly code = 'ABORTED';
  readonly signal: 'SIGINT' | 'SIGTERM';
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

/**
 * The master did not stop the users by any way its API has. Exit 3, never retried: the users may
 * still load the target, so the run ends and says where (or, when a swarm of 0 users did bring them
 * down, that the master refuses /stop and needs a restart).
 */
export class StopFailedError extends LocustError {
  /** Whether the users are known to be at 0 (brought down by a swarm of 0 users). */
  readonly usersAtZero: boolean;
  readonly url: string;
  readonly tried: string[];
  constructor(url: string, usersAtZero: boolean, tried: string[]) {
    super(
      usersAtZero
        ? `the Locust master at ${url} refuses to stop (${tried.join('; ')}); its users were brought to 0 with a swarm of 0 users, but it cannot run a test reliably — restart the master, then run again`
        : `COULD NOT STOP THE LOAD: the Locust master at ${url} refused every way to stop its users (${tried.join('; ')}) — the load may still be running: stop it in the Locust web UI at ${url} or restart the master now`,
      { code: 'LOCUST_STOP_FAILED' },
    );
    this.usersAtZero = usersAtZero;
    this.url = url;
    this.tried = tried;
  }
}
