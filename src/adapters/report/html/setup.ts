// A stage's setup (replicas × workers): the page gives each setup its own panel or line.
import type { StageResult } from '../../../core/model.js';

interface Setup {
  key: string;
  replicas: number | null;
  workers: number | null;
}

export function setupOf(s: StageResult): Setup {
  const parts: string[] = [];
  if (s.replicas !== null) parts.push(`${s.replicas} ${s.replicas === 1 ? 'replica' : 'replicas'}`);
  if (s.workers !== null) parts.push(`${s.workers} ${s.workers === 1 ? 'worker' : 'workers'}`);
  return { key: parts.length > 0 ? parts.join(' × ') : 'unmanaged', replicas: s.replicas, workers: s.workers };
}

export function setupsOf(stages: readonly StageResult[]): string[] {
  const seen = new Map<string, Setup>();
  for (const s of stages) {
    const setup = setupOf(s);
    if (!seen.has(setup.key)) seen.set(setup.key, setup);
  }
  const n = (v: number | null) => v ?? -1;
  return [...seen.values()].sort((a, b) => n(a.replicas) - n(b.replicas) || n(a.workers) - n(b.workers)).map((s) => s.key);
}
