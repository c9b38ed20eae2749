// Global setup of the "integration" project: the tests run the real CLI (dist/) against real Locust
// from PyPI (.venv/locust-<version>/), so build once and make sure every tested Locust is installed,
// and Prometheus (test/prometheus/build.sh) for the remote-write tests.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK_VERSIONS } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function setup(): Promise<void> {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  for (const v of QUICK_VERSIONS) {
    execFileSync('bash', [path.join(root, 'scripts', 'locust-venv.sh'), v], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // The Prometheus of remote-write.test.ts: built from the Go module proxy on a fresh machine (4-6 min
  // on 2 cores), then cached in ~/.cache/locust-driver/prometheus/ like the cluster's binaries.
  execFileSync('bash', [path.join(root, 'test', 'prometheus', 'build.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
