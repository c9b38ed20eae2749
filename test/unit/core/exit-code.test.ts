import { describe, expect, it } from 'vitest';
import { EXIT, exitCode } from '../../../src/core/exit-code.js';
import { AbortedError, ConfigError, InfraError, InternalError, KubeError, LocustError, ReportWriteError } from '../../../src/core/errors.js';
import type { RunRecord } from '../../../src/core/model.js';

const ended = (status: RunRecord['status'], verdict: RunRecord['verdict'] = 'none') => ({ status, verdict });

describe('the exit code', () => {
  it('is 0 for a command that did its job, and for a completed run whose verdict is pass or none', () => {
    expect(exitCode()).toBe(EXIT.OK);
    expect(exitCode({ record: ended('completed', 'pass') })).toBe(0);
    expect(exitCode({ record: ended('completed', 'none') })).toBe(0);
  });

  it('is 1 for a completed run whose verdict is fail (a breach, an invalid stage, a regression)', () => {
    expect(exitCode({ record: ended('completed', 'fail') })).toBe(EXIT.VERDICT_FAIL);
    expect(EXIT.VERDICT_FAIL).toBe(1);
  });

  it('is 2 for a usage error', () => {
    expect(exitCode({ error: new ConfigError('--matrix x.yaml: no such matrix file') })).toBe(EXIT.USAGE);
    expect(EXIT.USAGE).toBe(2);
  });

  it('is 3 for the infrastructure: Locust, Kubernetes, missing workers, the report folder', () => {
    for (const error of [new LocustError('down'), new KubeError('403'), new InfraError('no workers'), new ReportWriteError('disk full')]) {
      expect(exitCode({ error })).toBe(EXIT.INFRA);
    }
    expect(EXIT.INFRA).toBe(3);
  });

  it('is 3 for a failed run, over its fail verdict', () => {
    expect(exitCode({ record: ended('failed', 'fail'), error: new InfraError('1 of 3 stages failed') })).toBe(3);
    expect(exitCode({ record: ended('failed', 'fail') })).toBe(3);
  });

  it('is 70 for a bug or an unexpected system error, wrapped or not, and for a run that never ended', () => {
    expect(exitCode({ error: new TypeError('x is not a function') })).toBe(EXIT.INTERNAL);
    expect(exitCode({ error: new InternalError('the run', new TypeError('x')) })).toBe(70);
    expect(exitCode({ error: 'a string thrown' })).toBe(70);
    expect(exitCode({ record: ended('failed'), error: new InternalError('stage 2', new Error('boom')) })).toBe(70);
    expect(exitCode({ record: ended('running') })).toBe(70);
  });

  it('is 130 / 143 for an interrupted run, whatever else went wrong, the signal deciding', () => {
    expect(exitCode({ error: new AbortedError('SIGINT') })).toBe(EXIT.SIGINT);
    expect(exitCode({ error: new AbortedError('SIGTERM') })).toBe(EXIT.SIGTERM);
    expect([EXIT.SIGINT, EXIT.SIGTERM]).toEqual([130, 143]);
    const sigterm = new AbortedError('SIGTERM');
    expect(exitCode({ record: ended('aborted', 'fail'), error: new LocustError('cut off'), interrupted: sigterm })).toBe(143);
    expect(exitCode({ record: ended('aborted'), error: sigterm })).toBe(143);
    expect(exitCode({ record: ended('aborted') })).toBe(130);
  });
});

describe('an unexpected error', () => {
  it('is one line naming the operation and the way out, its stack kept as the cause', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'users')\n    at somewhere");
    const e = new InternalError('stage 2', bug);
    expect(e.message).toBe(
      "stage 2 failed unexpectedly: TypeError: Cannot read properties of undefined (reading 'users') at somewhere — a bug in locust-driver: rerun with --log-level debug and report it with the stack",
    );
    expect(e.cause).toBe(bug);
    const disk = Object.assign(new Error("EACCES: permission denied, open '/etc/x'"), { code: 'EACCES', syscall: 'open', path: '/etc/x' });
    expect(new InternalError('the run', disk).message).toBe(
      "the run failed unexpectedly: EACCES: permission denied, open '/etc/x' — fix that and run again (--log-level debug shows where it happened)",
    );
    expect(new InternalError('the run', 'x'.repeat(1000)).message.length).toBeLessThan(450);
  });
});
