// The folder the reports go to: checked before anything starts (a bad --out is a usage error that
// names the folder and the fix), and every later write failure said the same way.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReportWriteError } from '../../core/errors.js';

/** Why reports cannot be written to `dir`, or null when they can: the folder, or the nearest existing one it would be created in, must be a writable directory. */
export async function reportDirProblem(dir: string): Promise<string | null> {
  for (let path = resolve(dir); ; path = dirname(path)) {
    try {
      if (!(await stat(path)).isDirectory()) return 'not a directory';
      await access(path, constants.W_OK | constants.X_OK);
      return null;
    } catch (e) {
      // Not there yet: writing creates it, if its parent lets us.
      if (errno(e) === 'ENOENT' && dirname(path) !== path) continue;
      return fsReason(e);
    }
  }
}

/** A failed report write, as one line naming the folder and the fix (by default: another --out, or free space when it ran out). */
export function reportWriteError(dir: string, e: unknown, fix?: string): ReportWriteError {
  const full = errno(e) === 'ENOSPC' || errno(e) === 'EDQUOT';
  return new ReportWriteError(cannotWrite(dir, fsReason(e), fix ?? (full ? 'free some space or choose another --out' : undefined)), { cause: e });
}

/** The one line both checks print: `cannot write reports to <dir>: <reason> — <fix>`. */
export function cannotWrite(dir: string, reason: string, fix = 'choose another --out'): string {
  return `cannot write reports to ${dir}: ${reason} — ${fix}`;
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'not a directory',
  EEXIST: 'a file is in the way',
  EISDIR: 'a directory is in the way',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

function fsReason(e: unknown): string {
  return REASONS[errno(e) ?? ''] ?? (e instanceof Error ? e.message : String(e));
}

function errno(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}
