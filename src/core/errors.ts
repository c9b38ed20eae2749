// One error family. Each error carries the exit code it maps to (product.md §6), a one-line
// message that says what was expected, what was found and what to do, and its cause.

export abstract class DriverError extends Error {
  abstract readonly exitCode: number;
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, bad matrix file: nothing was started. Exit 2. */
export class ConfigError extends DriverError {
  readonly exitCode = 2;
  readonly code = 'CONFIG';
}

/** A call to an outside API (Locust's, Kubernetes') failed. Exit 3. */
abstract class ApiCallError extends DriverError {
  readonly exitCode = 3;
  readonly code: string;
  /** The HTTP status when there was one, for deciding whether to retry (403, 404, 409, 5xx, …). */
  readonly status: number | null;
  constructor(message: string, defaultCode: string, options?: { cause?: unknown; status?: number | null; code?: string }) {
    super(message, options);
    this.status = options?.status ?? null;
    this.code = options?.code ?? defaultCode;
  }
}

/** Locust answered something the driver cannot use, or did not answer. Exit 3. */
export class LocustError extends ApiCallError {
  constructor(message: string, options?: { cause?: unknown; status?: number | null; code?: string }) {
    super(message, 'LOCUST', options);
  }
}

/** The Kubernetes API refused or failed a call the run needs. Exit 3. */
export class KubeError extends ApiCallError {
  constructor(message: string, options?: { cause?: unknown; status?: number | null; code?: string }) {
    super(message, 'KUBE', options);
  }
}

/** Infrastructure the run needs is missing: no workers, target unhealthy, embedded stack failed. Exit 3. */
export class InfraError extends DriverError {
  readonly exitCode = 3;
  readonly code = 'INFRA';
}

/** The run was interrupted by a signal. Exit 130 (SIGINT) or 143 (SIGTERM). */
export class AbortedError extends DriverError {
  readonly code = 'ABORTED';
  readonly exitCode: number;
  readonly signal: 'SIGINT' | 'SIGTERM';
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
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
