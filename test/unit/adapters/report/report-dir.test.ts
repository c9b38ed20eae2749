import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cannotWrite, reportDirProblem, reportWriteError } from '../../../../src/adapters/report/report-dir.js';
import { FsReportSink } from '../../../../src/adapters/report/fs-sink.js';
import { ConfigError, ReportWriteError } from '../../../../src/core/errors.js';
import { makeRunRecord } from '../../../fakes/run-record.js';

const isRoot = process.getuid?.() === 0;

describe('the report folder', () => {
  it('is fine when it, or the nearest existing folder it would be made in, is a writable directory', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ld-dir-'));
    expect(await reportDirProblem(out)).toBeNull();
    expect(await reportDirProblem(join(out, 'not', 'yet', 'there'))).toBeNull();
  });

  it('is not a directory below a file', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ld-dir-'));
    await writeFile(join(out, 'file'), 'x');
    expect(await reportDirProblem(join(out, 'file'))).toBe('not a directory');
    expect(await reportDirProblem(join(out, 'file', 'x'))).toBe('not a directory');
    expect(await reportDirProblem('/dev/null/x')).toBe('not a directory');
  });

  it.skipIf(isRoot)('is permission denied in a read-only folder', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ld-dir-'));
    await mkdir(join(out, 'ro'));
    await chmod(join(out, 'ro'), 0o555);
    expect(await reportDirProblem(join(out, 'ro', 'results'))).toBe('permission denied');
  });

  it('is refused by the sink before anything starts, naming --out (a usage error)', async () => {
    const create = FsReportSink.create('/dev/null/x', 'r1');
    await expect(create).rejects.toBeInstanceOf(ConfigError);
    await expect(create).rejects.toThrow(/^cannot write reports to \/dev\/null\/x: not a directory — choose another --out$/);
  });

  it('fails a later write with one line naming the folder and the fix', async () => {
    const out = await mkdtemp(join(tmpdir(), 'ld-dir-'));
    const sink = await FsReportSink.create(out, 'r1');
    await writeFile(join(out, 'r1'), 'a file where the run folder goes');
    const write = sink.runUpdated(makeRunRecord());
    await expect(write).rejects.toBeInstanceOf(ReportWriteError);
    await expect(write).rejects.toThrow(`cannot write reports to ${join(out, 'r1')}: `);
    const full = reportWriteError('/results/r1', Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    expect(full.message).toBe('cannot write reports to /results/r1: no space left on device — free some space or choose another --out');
    expect(cannotWrite('/r', 'read-only file system')).toBe('cannot write reports to /r: read-only file system — choose another --out');
  });
});
