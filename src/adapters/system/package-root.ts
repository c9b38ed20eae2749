// The installed package's root: the nearest folder above a module that holds locust-driver's
// package.json. Found by walking up rather than by a fixed number of `..`, because the same module
// runs from src/ (tests), from tsc's dist/<same tree>/ and from the bundle's dist/ or dist/chunks/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'locust-driver';

function isPackageRoot(dir: string): boolean {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === NAME;
  } catch {
    return false;
  }
}

/** The package root above `moduleUrl` (an import.meta.url); null when none is (a copied-out file). */
export function packageRootOf(moduleUrl: string): string | null {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (isPackageRoot(dir)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
