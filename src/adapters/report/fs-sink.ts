// The run folder on disk: <out>/<run-id>/ with run.json, summary.csv, summary.md and one folder per
// finished stage. Every file is replaced atomically, so the folder is consistent after any call,
// and a run killed half-way still leaves readable reports.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DriverError } from '../../core/errors.js';
import type { RunRecord, StageResult, WindowStats } from '../../core/model.js';
import type { ReportSink } from '../../ports.js';
import { writeFileAtomic } from './atomic.js';
import { runJsonChunks } from './run-json.js';
import { replicasCsv, samplesCsv } from './samples-csv.js';
import { humanReports } from './human-reports.js';
import { cannotWrite, reportDirProblem, reportWriteError } from './report-dir.js';

/** Locust's CSV headers (CRLF, as Locust serves them), for stages that never got a final snapshot. */
export const LOCUST_STATS_HEADER =
  'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n';
export const LOCUST_FAILURES_HEADER = 'Method,Name,Error,Occurrences\r\n';
/** Since Locust 2.44.0 the failures CSV also has First Seen / Last Seen. */
export const LOCUST_FAILURES_HEADER_2_44 = 'Method,Name,Error,Occurrences,First Seen,Last Seen\r\n';
export const LOCUST_EXCEPTIONS_HEADER = 'Count,Message,Traceback,Nodes\r\n';

export class FsReportSink implements ReportSink {
  readonly dir: string;
  /** Writes run one after another, so an older run.json can never land after a newer one. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** The run folder `<outDir>/<runId>`; refuses one that already holds a run (never overwrite results) unless resuming it. */
  static async create(outDir: string, runId: string, opts: { resume?: boolean } = {}): Promise<FsReportSink> {
    if (runId === '' || runId === '.' || runId === '..' || /[/\\\0]/.test(runId)) {
      throw new ConfigError(`--run-id ${JSON.stringify(runId)} cannot be used as a folder name: use letters, digits, '.', '-' or '_'`);
    }
    const dir = join(outDir, runId);
    // A folder that cannot take the reports is found now, not after the first stage has run.
    // --out first, so a file in its path is named as --out (the flag to change), then the run folder.
    for (const folder of [outDir, dir]) {
      const problem = await reportDirProblem(folder);
      if (problem !== null) throw new ConfigError(cannotWrite(folder, problem));
    }
    const runFile = join(dir, 'run.json');
    if (!opts.resume && (await exists(runFile))) {
      throw new ConfigError(
        `${runFile} already exists: a run with id "${runId}" was already written to ${outDir}; pick another --run-id (or another --out), or continue it with --resume`,
      );
    }
    return new FsReportSink(dir);
  }

  stageFinished(run: RunRecord, stage: StageResult, window: WindowStats | null): Promise<void> {
    return this.enqueue(async () => {
      const stageDir = join(this.dir, 'stages', stageFolder(stage));
      const failuresHeader = hasFirstSeen(run.environment.locust.version) ? LOCUST_FAILURES_HEADER_2_44 : LOCUST_FAILURES_HEADER;
      await Promise.all([
        writeFileAtomic(join(stageDir, 'stats.csv'), window?.raw.stats ?? LOCUST_STATS_HEADER),
        writeFileAtomic(join(stageDir, 'failures.csv'), window?.raw.failures ?? failuresHeader),
        writeFileAtomic(join(stageDir, 'exceptions.csv'), window?.raw.exceptions ?? LOCUST_EXCEPTIONS_HEADER),
        writeFileAtomic(join(stageDir, 'samples.csv'), samplesCsv(stage.samples)),
        writeFileAtomic(join(stageDir, 'replicas.csv'), replicasCsv(stage.samples)),
      ]);
      await this.writeRun(run);
    });
  }

  runUpdated(run: RunRecord): Promise<void> {
    return this.enqueue(() => this.writeRun(run));
  }

  progress(run: RunRecord): Promise<void> {
    // No summaries: rendering report.html would hold the event loop while the window is measured.
    return this.enqueue(() => writeFileAtomic(join(this.dir, 'run.json'), runJsonChunks(run)));
  }

  private async writeRun(run: RunRecord): Promise<void> {
    // run.json last: a reader that sees a stage in run.json finds its folder and summaries too.
    await Promise.all((await humanReports(run)).map(([name, content]) => writeFileAtomic(join(this.dir, name), content)));
    await writeFileAtomic(join(this.dir, 'run.json'), runJsonChunks(run));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    // A disk that fills up or a folder taken away mid-run: one line naming the folder, not an fs stack.
    const next = this.queue.then(task).catch((e: unknown) => {
      throw e instanceof DriverError ? e : reportWriteError(this.dir, e);
    });
    // A failed write is reported to its caller; it must not block the writes queued after it.
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** `stages/03-u400`: a 2-digit index (more digits past 99) and the plan's slug, kept to safe characters. */
export function stageFolder(stage: Pick<StageResult, 'index' | 'slug'>): string {
  // Cut to 100 characters: a slug from a hand-edited run.json must not exceed the 255-byte name limit.
  const slug =
    stage.slug
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, 100) || 'stage';
  return `${String(stage.index).padStart(2, '0')}-${slug}`;
}

function hasFirstSeen(version: string | null): boolean {
  const m = version === null ? null : /^(\d+)\.(\d+)/.exec(version);
  if (m === null) return true; // unknown: assume a current Locust
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 2 || (major === 2 && minor >= 44);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
