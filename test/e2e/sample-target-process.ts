// One real sample-service process (src/sample-target, as built into dist/) on 127.0.0.1 and a free
// port: what an `inference` pod runs. Shared by startLocalLocust (one target, no cluster) and the
// target pods (one per live pod of the Deployment).
import path from 'node:path';
import { ManagedProcess } from '../../src/adapters/local/processes.js';
import { ROOT } from '../integration/helpers.js';

export interface SampleTargetProcess {
  proc: ManagedProcess;
  /** http://127.0.0.1:<port>, no trailing slash */
  url: string;
}

export async function spawnSampleTarget(name: string, args: readonly string[] = []): Promise<SampleTargetProcess> {
  const proc = await ManagedProcess.spawn(
    name,
    process.execPath,
    [path.join(ROOT, 'dist', 'sample-target', 'main.js'), '--host', '127.0.0.1', '--port', '0', ...args],
    {
      cwd: ROOT,
    },
  );
  try {
    const m = await proc.waitForLine(/listening on (http:\/\/\S+)/, 15_000, 'stdout');
    return { proc, url: m[1]! };
  } catch (e) {
    await proc.stop();
    throw new Error(`${name} did not start: ${(e as Error).message}\n${proc.describeTail()}`, { cause: e });
  }
}
