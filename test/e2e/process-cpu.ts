// A process's real CPU, from the kernel: utime + stime of /proc/<pid>/stat (every thread of the
// process, in clock ticks), turned into millicores (1000m = one core busy) over a trailing window.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Clock ticks per second (USER_HZ), 100 on every Linux we run on; asked once. */
const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds the process has used so far (user + system), or null when it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  // Fields 14 and 15 (utime, stime) are then at 11 and 12 (field 3, state, is at 0).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? ticks / CLK_TCK : null;
}

/**
 * Millicores over the last `windowMs`, from readings taken by `read()`. A trailing mean and not
 * the last interval: kwok turns the annotated rate into a cumulative CPU counter at each scrape of
 * its emulated kubelet (metrics-server scrapes every 10 s here), so the value it finds there should
 * stand for the whole interval since the previous scrape, not for the last second of it.
 */
export class CpuMeter {
  private readonly pid: number;
  private readonly windowMs: number;
  private readings: { at: number; cpuS: number }[] = [];

  constructor(pid: number, windowMs = 10_000) {
    this.pid = pid;
    this.windowMs = windowMs;
  }

  /** Takes a reading; the mean millicores over the window so far, or null before two readings / once the process is gone. */
  async read(now = Date.now()): Promise<number | null> {
    const cpuS = await cpuSeconds(this.pid);
    if (cpuS === null) return null;
    this.readings.push({ at: now, cpuS });
    while (this.readings.length > 2 && now - this.readings[1]!.at >= this.windowMs) this.readings.shift();
    const first = this.readings[0]!;
    if (this.readings.length < 2 || now <= first.at) return null;
    return Math.round(((cpuS - first.cpuS) * 1_000_000) / (now - first.at));
  }
}
