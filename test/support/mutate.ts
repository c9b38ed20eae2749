// Mutations of parsed documents (a matrix, a Locust answer) for the fuzz tests: pick one node of a
// deep copy, then change it. The ops every document shares live here; each test adds its own.
export type PathStep = string | number;

/** Every path in a JSON-like value, the root first. */
export function paths(value: unknown, prefix: PathStep[] = []): PathStep[][] {
  const out: PathStep[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

export interface Picked {
  copy: Record<PathStep, unknown>;
  parent: Record<PathStep, unknown>;
  last: PathStep;
  current: unknown;
}

/** A deep copy of `doc` and the node number `pick` (modulo the count) in it; null for a bare scalar. */
export function pickNode(doc: unknown, pick: number): Picked | null {
  const all = paths(doc).filter((p) => p.length > 0);
  if (all.length === 0) return null;
  const path = all[pick % all.length] as PathStep[];
  const copy = structuredClone(doc) as Record<PathStep, unknown>;
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<PathStep, unknown>;
  const last = path[path.length - 1] as PathStep;
  return { copy, parent, last, current: parent[last] };
}

/** drop / replace: true when `op` was one of them (and applied). */
export function dropOrReplace(op: string, p: Picked, value: unknown): boolean {
  if (op === 'drop') {
    if (Array.isArray(p.parent)) p.parent.splice(p.last as number, 1);
    else delete p.parent[p.last];
    return true;
  }
  if (op === 'replace') {
    p.parent[p.last] = value;
    return true;
  }
  return false;
}
