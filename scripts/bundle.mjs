// The shipped program: src/main.ts and everything it imports (the npm packages too) bundled by
// rolldown into dist/locust-driver.mjs, the package's `bin` and what Dockerfile.driver copies.
// What only some commands need (the Kubernetes client, remote write, the run's adapters) stays in
// dist/chunks/, loaded by the composition root's dynamic imports when a command needs it, so
// `validate` reads a fraction of the code. Node loads one file per chunk instead of ~950 modules
// from node_modules: the production payload is this folder, with no node_modules at all.
//   node scripts/bundle.mjs [outDir]   (default: dist/; run by `npm run build`)
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
await rm(path.join(out, 'chunks'), { recursive: true, force: true });
await build({
  cwd: root,
  input: { 'locust-driver': path.join(root, 'src', 'main.ts') },
  platform: 'node',
  tsconfig: path.join(root, 'tsconfig.build.json'),
  // Nothing external: every dependency is plain JavaScript (the snappy compressor is our own).
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: '[name].mjs',
    // The Kubernetes client's chunk by a name of its own (bench/footprint.mjs measures it).
    chunkFileNames: (chunk) =>
      chunk.moduleIds.some((id) => id.includes('@kubernetes/client-node')) ? 'chunks/kubernetes-client-[hash].mjs' : 'chunks/[name]-[hash].mjs',
    minify: true,
    // Error stacks of a bundle name bundle lines; keep the source's function names at least.
    keepNames: true,
  },
  logLevel: 'warn',
});
