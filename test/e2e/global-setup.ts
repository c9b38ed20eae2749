// Global setup of the "e2e" project: a cluster that reconciles, on 127.0.0.1 — etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok with fake nodes and metrics-server, built from Go
// modules once and cached by test/cluster/build.sh, started by test/cluster/up.sh — the built CLI,
// and the pinned Locust.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface KubeEnv {
  url: string;
  host: string;
  port: string;
  caFile: string;
  adminToken: string;
  kubeconfig: string;
  kubectl: string;
  stateDir: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    kube: KubeEnv;
  }
}

function parseEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  }
  return out;
}

export async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync('bash', [path.join(root, 'scripts', 'locust-venv.sh'), '2.47.0'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ld-kube-'));
  execFileSync('bash', [path.join(root, 'test', 'cluster', 'up.sh'), stateDir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 3_600_000 });
  const env = parseEnv(path.join(stateDir, 'env'));
  project.provide('kube', {
    url: env.KUBE_APISERVER_URL!,
    host: env.KUBE_APISERVER_HOST!,
    port: env.KUBE_APISERVER_PORT!,
    caFile: env.KUBE_CA_FILE!,
    adminToken: env.KUBE_ADMIN_TOKEN!,
    kubeconfig: env.KUBECONFIG!,
    kubectl: env.KUBECTL!,
    stateDir,
  });
  return () => {
    execFileSync('bash', [path.join(root, 'test', 'cluster', 'down.sh'), stateDir, '--clean'], { stdio: 'inherit' });
  };
}
