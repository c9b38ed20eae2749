// Reading finished runs back: `report` re-renders one, `compare` and `run --baseline` compare two.
// Every run.json is validated against RunRecordSchema; anything wrong is a usage error (exit 2) that
// names the file and the problem.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { RunRecord } from '../../core/model.js';
import { RunRecordSchema } from '../../core/run-schema.js';

const MAX_ISSUES = 3;

/** A run folder (`<out>/<run-id>/`) or its `run.json` → the validated record and its folder. */
export async function loadRun(pathOrDir: string): Promise<{ run: RunRecord; dir: string }> {
  let file = pathOrDir;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(pathOrDir);
  } catch (e) {
    throw new ConfigError(`${pathOrDir}: ${errno(e) === 'ENOENT' ? 'no such run folder or run.json' : `cannot read it (${errno(e) ?? (e as Error).message})`}`);
  }
  if (info.isDirectory()) file = join(pathOrDir, 'run.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (info.isDirectory() && errno(e) === 'ENOENT') {
      throw new ConfigError(`${pathOrDir}: no run.json in this folder — pass a run folder (<out>/<run-id>/) or its run.json`);
    }
    throw new ConfigError(`${file}: cannot read it (${errno(e) ?? (e as Error).message})`);
  }
  return { run: parseRun(text, file), dir: info.isDirectory() ? pathOrDir : dirname(file) };
}

/** run.json text → RunRecord, or a ConfigError naming the file and the first problems. */
export function parseRun(text: string, file: string): RunRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof data === 'object' && data !== null && typeof version === 'number' && version !== 1) {
    throw new ConfigError(`${file}: run.json schemaVersion ${version} — this locust-driver reads version 1; use a matching locust-driver`);
  }
  const parsed = RunRecordSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
    const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
    throw new ConfigError(`${file}: not a locust-driver run.json: ${shown.join('; ')}${more}`);
  }
  return parsed.data;
}

/**
 * The newest earlier run of the same matrix under `outDir`: the folder (other than `excludeRunId`)
 * whose valid run.json has the same `name`, status `completed` and the latest `startedAt`. null when
 * there is none (or no such folder). Unreadable or foreign folders are passed over.
 */
export async function findLatestRun(outDir: string, matrixName: string, excludeRunId: string): Promise<string | null> {
  let entries: string[];
  try {
    entries = (await readdir(outDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return null;
  }
  let best: { dir: string; startedAt: number } | null = null;
  for (const name of entries.sort()) {
    if (name === excludeRunId || name.startsWith('.')) continue;
    const dir = join(outDir, name);
    let run: RunRecord;
    try {
      const text = await readFile(join(dir, 'run.json'), 'utf8');
      // A cheap look first: only a run of this matrix that completed is worth validating in full.
      const head = JSON.parse(text) as { name?: unknown; status?: unknown } | null;
      if (head?.name !== matrixName || head.status !== 'completed') continue;
      run = parseRun(text, join(dir, 'run.json'));
    } catch {
      continue;
    }
    if (run.runId === excludeRunId) continue;
    const startedAt = Date.parse(run.startedAt);
    if (best === null || startedAt > best.startedAt || (startedAt === best.startedAt && basename(dir) > basename(best.dir))) best = { dir, startedAt };
  }
  return best?.dir ?? null;
}

function errno(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}
