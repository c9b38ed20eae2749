// The target pods' CPU comes from the kernel's count for each process (test/e2e/process-cpu.ts):
// a busy process must read busy, an idle one idle.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuMeter, cpuSeconds } from '../../e2e/process-cpu.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function child(code: string): number {
  const c = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.platform === 'linux')('process CPU from /proc', () => {
  it('reads a busy process as busy and an idle one as idle, in millicores over the window', async () => {
    const busy = new CpuMeter(child('for (;;) {}'), 10_000);
    const idle = new CpuMeter(child('setInterval(() => {}, 1000)'), 10_000);
    await sleep(300); // past node's own start-up
    expect(await busy.read()).toBeNull(); // one reading is no rate yet
    await idle.read();
    await sleep(1_000);
    const b = (await busy.read())!;
    const i = (await idle.read())!;
    // One core busy is 1000m; a loaded 2-core CI machine may give it less than all of a core.
    expect(b).toBeGreaterThan(300);
    expect(b).toBeLessThan(1_200);
    expect(i).toBeLessThan(50);
  });

  it('is null for a process that is gone', async () => {
    const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = c.pid!;
    await new Promise((r) => c.once('exit', r));
    await sleep(50);
    expect(await cpuSeconds(pid)).toBeNull();
    expect(await cpuSeconds(process.pid)).toBeGreaterThan(0);
  });
});
