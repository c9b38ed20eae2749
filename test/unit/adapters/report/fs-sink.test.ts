import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../../src/adapters/report/atomic.js';
import { FsReportSink, stageFolder } from '../../../../src/adapters/report/fs-sink.js';
import { ConfigError } from '../../../../src/core/errors.js';
import { RunRecordSchema } from '../../../../src/core/run-schema.js';
import { makeRunRecord, makeStage, makeWindowStats } from '../../../fakes/run-record.js';

let out: string;

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'locust-driver-reports-'));
});

afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .replaceAll('\\', '/'),
    )
    .sort();
}

const tempLeftovers = async (dir: string): Promise<string[]> => (await tree(dir)).filter((f) => f.includes('.tmp'));

describe('FsReportSink', () => {
  it('writes the run folder as stages finish', async () => {
    const run = makeRunRecord();
    const sink = await FsReportSink.create(out, run.runId);
    expect(sink.dir).toBe(join(out, run.runId));

    for (const [i, stage] of run.stages.entries()) {
      const sofar = { ...run, status: 'running' as const, finishedAt: null, stages: run.stages.slice(0, i + 1) };
      await sink.stageFinished(sofar, stage, makeWindowStats(stage));
    }
    await sink.runUpdated(run);

    expect(await tree(sink.dir)).toEqual([
      'junit.xml',
      'metrics.prom',
      'report.html',
      'run.json',
      'stages/01-u100/exceptions.csv',
      'stages/01-u100/failures.csv',
      'stages/01-u100/replicas.csv',
      'stages/01-u100/samples.csv',
      'stages/01-u100/stats.csv',
      'stages/02-u200/exceptions.csv',
      'stages/02-u200/failures.csv',
      'stages/02-u200/replicas.csv',
      'stages/02-u200/samples.csv',
      'stages/02-u200/stats.csv',
      'stages/03-u400/exceptions.csv',
      'stages/03-u400/failures.csv',
      'stages/03-u400/replicas.csv',
      'stages/03-u400/samples.csv',
      'stages/03-u400/stats.csv',
      'summary.csv',
      'summary.md',
    ]);

    const stage3 = run.stages[2];
    if (stage3 === undefined) throw new Error('fixture has 3 stages');
    const raw = makeWindowStats(stage3).raw;
    // Locust's bodies byte for byte, CRLF included.
    expect(await readFile(join(sink.dir, 'stages/03-u400/stats.csv'), 'utf8')).toBe(raw.stats);
    expect(await readFile(join(sink.dir, 'stages/03-u400/failures.csv'), 'utf8')).toBe(raw.failures);
    expect(await readFile(join(sink.dir, 'stages/03-u400/exceptions.csv'), 'utf8')).toBe(raw.exceptions);
    const samples = await readFile(join(sink.dir, 'stages/03-u400/samples.csv'), 'utf8');
    expect(samples.split('\n')).toHaveLength(stage3.samples.length + 2);

    const summary = await readFile(join(sink.dir, 'summary.csv'), 'utf8');
    expect(summary.trimEnd().split('\n')).toHaveLength(4);
    expect(await readFile(join(sink.dir, 'summary.md'), 'utf8')).toContain('**status:** completed');
    expect(await tempLeftovers(out)).toEqual([]);
  });

  it('writes a run.json that validates against the published schema', async () => {
    const run = makeRunRecord();
    const sink = await FsReportSink.create(out, run.runId);
    await sink.runUpdated(run);
    const text = await readFile(join(sink.dir, 'run.json'), 'utf8');
    const parsed = RunRecordSchema.safeParse(JSON.parse(text));
    expect(parsed.error).toBeUndefined();
    expect(parsed.data).toEqual(run);
  });

  it('writes Locust’s header-only CSVs for a stage without a final snapshot', async () => {
    const failed = makeStage({ index: 7, users: 800, totals: null, status: 'failed', reason: 'ramp timed out' });
    const run = makeRunRecord({ stages: [failed] });
    const sink = await FsReportSink.create(out, run.runId);
    await sink.stageFinished(run, failed, null);
    const dir = join(sink.dir, 'stages/07-u800');
    expect(await readFile(join(dir, 'stats.csv'), 'utf8')).toBe(
      'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n',
    );
    expect(await readFile(join(dir, 'failures.csv'), 'utf8')).toBe('Method,Name,Error,Occurrences,First Seen,Last Seen\r\n');
    expect(await readFile(join(dir, 'exceptions.csv'), 'utf8')).toBe('Count,Message,Traceback,Nodes\r\n');
    expect(await readFile(join(dir, 'samples.csv'), 'utf8')).toBe(
      'at,elapsed_s,users,workers,requests,failures,rps,fail_per_s,p50_ms,p95_ms,worker_cpu_max_pct,replicas_ready,replicas_desired,hpa_current,hpa_desired,hpa_cpu_pct,stale\n',
    );
  });

  it('uses the failures header of the Locust version in use', async () => {
    const failed = makeStage({ index: 1, users: 100, totals: null, status: 'failed', reason: 'x' });
    const base = makeRunRecord({ stages: [failed] });
    const run = { ...base, environment: { ...base.environment, locust: { ...base.environment.locust, version: '2.12.1' } } };
    const sink = await FsReportSink.create(out, run.runId);
    await sink.stageFinished(run, failed, null);
    expect(await readFile(join(sink.dir, 'stages/01-u100/failures.csv'), 'utf8')).toBe('Method,Name,Error,Occurrences\r\n');
  });

  it('refuses a run folder that already holds a run', async () => {
    const run = makeRunRecord();
    const sink = await FsReportSink.create(out, run.runId);
    await sink.runUpdated(run);
    const before = await readFile(join(sink.dir, 'run.json'), 'utf8');

    const again = FsReportSink.create(out, run.runId);
    await expect(again).rejects.toBeInstanceOf(ConfigError);
    await expect(again).rejects.toThrow(/pick another --run-id/);
    expect(await readFile(join(sink.dir, 'run.json'), 'utf8')).toBe(before);
  });

  it('accepts an existing folder without a run.json (e.g. a mounted, empty volume)', async () => {
    await mkdir(join(out, 'nightly'), { recursive: true });
    await writeFile(join(out, 'nightly', 'README'), 'kept');
    const sink = await FsReportSink.create(out, 'nightly');
    await sink.runUpdated(makeRunRecord({ runId: 'nightly' }));
    expect(await readFile(join(out, 'nightly', 'README'), 'utf8')).toBe('kept');
  });

  it('refuses a run id that is not a single folder name', async () => {
    for (const bad of ['', '.', '..', '../elsewhere', 'a/b', 'a\\b']) {
      await expect(FsReportSink.create(out, bad)).rejects.toBeInstanceOf(ConfigError);
    }
  });

  it('keeps the last update when calls overlap', async () => {
    const run = makeRunRecord();
    const sink = await FsReportSink.create(out, run.runId);
    const stage = run.stages[0];
    if (stage === undefined) throw new Error('fixture has stages');
    const running = { ...run, status: 'running' as const, finishedAt: null, stages: [stage] };
    // Not awaited one by one: the run loop may fire the final update while a stage write is in flight.
    await Promise.all([sink.stageFinished(running, stage, makeWindowStats(stage)), sink.runUpdated(run)]);
    const written = JSON.parse(await readFile(join(sink.dir, 'run.json'), 'utf8')) as { status: string; stages: unknown[] };
    expect(written.status).toBe('completed');
    expect(written.stages).toHaveLength(3);
  });

  it('names stage folders with a 2-digit index and a safe slug', () => {
    expect(stageFolder({ index: 3, slug: 'r4-w8-u400' })).toBe('03-r4-w8-u400');
    expect(stageFolder({ index: 123, slug: 'u1' })).toBe('123-u1');
    expect(stageFolder({ index: 1, slug: '../../etc' })).toBe('01-etc');
    expect(stageFolder({ index: 2, slug: '' })).toBe('02-stage');
  });
});

describe('writeFileAtomic', () => {
  it('creates missing directories and replaces the file', async () => {
    const path = join(out, 'a', 'b', 'file.txt');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, 'two');
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await tree(out)).toEqual(['a/b/file.txt']);
  });

  it('leaves the previous file intact and no temp file when the rename fails', async () => {
    const path = join(out, 'summary.md');
    await writeFileAtomic(path, 'previous report\n');
    const failure = Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    let renameCalled = false;
    const write = writeFileAtomic(path, 'x'.repeat(100_000), {
      rename: async () => {
        renameCalled = true;
        // The temp file is complete at this point: the crash window the rename protects.
        expect((await tempLeftovers(out)).length).toBe(1);
        throw failure;
      },
    });
    await expect(write).rejects.toBe(failure);
    expect(renameCalled).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('previous report\n');
    expect(await tempLeftovers(out)).toEqual([]);
  });

  it('cleans up when the real rename is refused (target is a directory)', async () => {
    const path = join(out, 'run.json');
    await mkdir(join(path, 'occupied'), { recursive: true });
    await expect(writeFileAtomic(path, '{}')).rejects.toThrow();
    expect(await tempLeftovers(out)).toEqual([]);
  });

  it('never shows a half-written file to concurrent writers', async () => {
    const path = join(out, 'run.json');
    const versions = Array.from({ length: 20 }, (_, i) => `${String(i).repeat(50_000)}\n`);
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    expect(versions).toContain(await readFile(path, 'utf8'));
    expect(await tempLeftovers(out)).toEqual([]);
  });
});

describe('run.json written piece by piece', () => {
  it('is byte for byte what JSON.stringify writes, with and without stages and samples', async () => {
    const { runJson, runJsonChunks } = await import('../../../../src/adapters/report/run-json.js');
    const full = makeRunRecord();
    const many = {
      ...full,
      stages: full.stages.map((s) => ({ ...s, samples: Array.from({ length: 1_234 }, (_, i) => ({ ...s.samples[0]!, elapsedMs: i })) })),
    };
    for (const run of [full, many, { ...full, stages: [] }, { ...full, stages: full.stages.map((s) => ({ ...s, samples: [] })) }]) {
      expect([...runJsonChunks(run)].join('')).toBe(runJson(run));
    }
    const dir = await mkdtemp(join(tmpdir(), 'ld-runjson-'));
    await writeFileAtomic(join(dir, 'run.json'), runJsonChunks(many));
    expect(await readFile(join(dir, 'run.json'), 'utf8')).toBe(runJson(many));
  });
});
