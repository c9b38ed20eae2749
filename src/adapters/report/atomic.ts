// Replace a file so that readers (and a crash) see either the old content or the new, never half
// of it: write a temp file next to the target, fsync it, rename it over the target.
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file-system calls writeFileAtomic makes; tests replace one to simulate a failure. */
export interface AtomicFs {
  mkdir: (path: string, options: { recursive: true }) => Promise<unknown>;
  open: typeof fsp.open;
  rename: (from: string, to: string) => Promise<void>;
  rm: (path: string, options: { force: true }) => Promise<void>;
}

const realFs: AtomicFs = { mkdir: fsp.mkdir, open: fsp.open, rename: fsp.rename, rm: fsp.rm };

/** Marks temp files, so a leftover from a killed process is recognisable (`.<name>.<hex>.tmp`). */
export const TEMP_SUFFIX = '.tmp';

/** `data` is the whole text, or its pieces in order (written in batches, never joined whole). */
export async function writeFileAtomic(path: string, data: string | Iterable<string>, fs: Partial<AtomicFs> = {}): Promise<void> {
  const ops: AtomicFs = { ...realFs, ...fs };
  const dir = dirname(path);
  await ops.mkdir(dir, { recursive: true });
  // Same directory, so the rename stays on one file system (atomic); a random part, so two writers
  // (or two processes) never share a temp file; a dot, so directory listings stay clean.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  try {
    const handle = await ops.open(tmp, 'wx', 0o644);
    try {
      if (typeof data === 'string') await handle.writeFile(data, 'utf8');
      else {
        let batch = '';
        for (const piece of data) {
          batch += piece;
          if (batch.length >= 1 << 16) {
            await handle.write(batch, null, 'utf8');
            batch = '';
          }
        }
        await handle.write(batch, null, 'utf8');
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await ops.rename(tmp, path);
  } catch (error) {
    await ops.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(dir, ops);
}

/** Make the rename itself durable. Best effort: some platforms cannot open a directory for fsync. */
async function syncDir(dir: string, ops: AtomicFs): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await ops.open(dir, 'r');
    await handle.sync();
  } catch {
    // The file content is already on disk and renamed; only the directory entry's durability is lost.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
