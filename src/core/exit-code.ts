// Every exit code the program returns (product.md §6, the README's table), decided in one place
// from how a command ended: its final record (or just the status and verdict) and its error.
import { AbortedError, ConfigError, InfraError, KubeError, LocustError, ReportWriteError } from './errors.js';
import type { RunRecord } from './model.js';

export const EXIT = {
  /** Every stage ran and every SLO held (or there was none); any command that did its job. */
  OK: 0,
  /** The run completed but its verdict is fail: an SLO breached, a stage invalid, a regression. */
  VERDICT_FAIL: 1,
  /** A bad flag, variable or file: nothing was started. */
  USAGE: 2,
  /** The master, the workers, the target, Kubernetes or the report folder let the run down. */
  INFRA: 3,
  /** A bug or an unexpected system error (sysexits.h's EX_SOFTWARE). */
  INTERNAL: 70,
  /** Interrupted by SIGINT / SIGTERM (128 + the signal's number), after cleaning up. */
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Ending {
  /** The final record of a run, or the status and verdict of a check (compare); none when the command failed before it had one. */
  record?: Pick<RunRecord, 'status' | 'verdict'> | null;
  /** The error that ended the command or the run, if any. */
  error?: unknown;
  /** The reason of the signal that interrupted the command (AbortSignal.reason), if one did. */
  interrupted?: unknown;
}

/** The exit code of a command that ended like this. Interruptions and errors win over the verdict. */
export function exitCode({ record = null, error = null, interrupted = null }: Ending = {}): ExitCode {
  if (record?.status === 'aborted') return signalExit(interrupted) ?? signalExit(error) ?? EXIT.SIGINT;
  if (error !== null && error !== undefined) return errorExit(error);
  if (record === null || record.status === 'completed') return record?.verdict === 'fail' ? EXIT.VERDICT_FAIL : EXIT.OK;
  // failed without an error at hand (a run.json read back): the stages or the infrastructure failed.
  if (record.status === 'failed') return EXIT.INFRA;
  return EXIT.INTERNAL; // still 'running': a run that never ended is a bug
}

function errorExit(e: unknown): ExitCode {
  const signal = signalExit(e);
  if (signal !== null) return signal;
  if (e instanceof ConfigError) return EXIT.USAGE;
  if (e instanceof LocustError || e instanceof KubeError || e instanceof InfraError || e instanceof ReportWriteError) return EXIT.INFRA;
  return EXIT.INTERNAL; // an InternalError, or anything that is not a driver error
}

function signalExit(e: unknown): ExitCode | null {
  if (!(e instanceof AbortedError)) return null;
  return e.signal === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM;
}
