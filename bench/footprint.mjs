// npm run bench, the footprint step (bench/bench.sh runs it after bench/bench.mjs; alone:
// `node bench/footprint.mjs` after `npm run build`). Issue 13's goals: peak RSS ≤ 80 MB for a
// 24-stage run, `validate` ≤ 0.3 s and ≤ 60 MB, a production payload ≤ 10 MB.
//
// Every lever side by side, in one run, against the same long-lived Locust master (2 workers) and
// sample service on 127.0.0.1. The driver's own process only: its peak RSS is its getrusage
// (bench/lib/rusage-preload.mjs, loaded with --import), never Locust's. The ways to start it:
//   - tsc, eager   : dist/main.js with everything the composition root imported at start-up before
//                    issue 13 preloaded (every adapter, undici, pino, protobufjs, the native snappy):
//                    the driver as it was;
//   - tsc, lazy    : dist/main.js as now: each command loads its adapters when it runs;
//   - bundle       : dist/locust-driver.mjs (rolldown, scripts/bundle.mjs), what the package's bin
//                    and the container run;
//   - bundle+semi  : the same with only the 1 MB young generation;
//   - bundle+flags : the same with the Node flags the container sets (NODE_FLAGS below).
// Plus the floor (`node -e 0`), what an eager Kubernetes client and the npm undici client (the HTTP
// client before node:http) would add at start-up, and the payload (bytes of
// what Dockerfile.driver copies, before: dist/ + schema/ + the production node_modules).
// Flags: --stages 24 --hold 2 --validate-runs 5 --skip run --no-write --out FILE
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { driverEnv, spawnMeasured } from './lib/procs.mjs';
import { now } from './lib/proxy.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const PRELOAD = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'rusage-preload.mjs')).href;
const BUNDLE = path.join(ROOT, 'dist', 'locust-driver.mjs');
const TSC = path.join(ROOT, 'dist', 'main.js');
/**
 * The node flags of Dockerfile.driver's ENTRYPOINT (read from it, so the bench measures what the
 * container runs; why each pays is said there): a 1 MB young generation, and V8's lite mode (no
 * optimising compiler, feedback allocated lazily). Neither works when set at run time
 * (v8.setFlagsFromString).
 */
const NODE_FLAGS = entrypointFlags();
const SEMI = NODE_FLAGS.filter((f) => f.startsWith('--max-semi-space-size'));
function entrypointFlags() {
  const m = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile.driver'), 'utf8'));
  if (!m?.[1]) throw new Error('Dockerfile.driver: no ENTRYPOINT ["node", …]');
  return JSON.parse(m[1]).slice(1, -1);
}
const GOALS = { runRssMb: 80, validateS: 0.3, validateRssMb: 60, payloadMb: 10 };

const { values: flags } = parseArgs({
  options: {
    stages: { type: 'string', default: '24' },
    hold: { type: 'string', default: '2' },
    'validate-runs': { type: 'string', default: '5' },
    skip: { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const STAGES = Number(flags.stages);
const HOLD_S = Number(flags.hold);
const VALIDATE_RUNS = Number(flags['validate-runs']);
const skip = new Set(flags.skip.split(',').filter(Boolean));

// What app.ts imported statically before issue 13 (and so loaded for every command), as dist/ paths;
// the native snappy was remote-write-encoding's import. Preloading them rebuilds the old start-up.
const EAGER_BEFORE = [
  'core/run/index.js',
  'adapters/locust/client.js',
  'adapters/report/fs-sink.js',
  'adapters/log/logger.js',
  'adapters/metrics/metrics-output.js',
  'adapters/system/health.js',
  'adapters/local/stack.js',
  'adapters/report/summary-md.js',
  'adapters/report/human-reports.js',
  'adapters/report/atomic.js',
  'adapters/report/report-dir.js',
  'adapters/report/load-run.js',
  'core/run-summary.js',
  'core/resume-policy.js',
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ld-footprint-'));
const requireHere = createRequire(path.join(ROOT, 'package.json'));

function preloadFile(name, specifiers) {
  const file = path.join(tmp, name);
  writeFileSync(file, specifiers.map((s) => `import ${JSON.stringify(s)};`).join('\n') + '\n');
  return pathToFileURL(file).href;
}
// npm undici was the Locust client's HTTP client before issue 13 (now node:http; undici stays a dev
// dependency for the unit tests' MockAgent).
const undiciUrl = pathToFileURL(requireHere.resolve('undici')).href;
const eagerPreload = preloadFile('eager.mjs', [
  ...EAGER_BEFORE.map((f) => pathToFileURL(path.join(ROOT, 'dist', f)).href),
  pathToFileURL(requireHere.resolve('snappy')).href,
  undiciUrl,
]);
const undiciPreload = preloadFile('undici.mjs', [undiciUrl]);
/** The bundle's chunks of the Kubernetes client and adapter (scripts/bundle.mjs names them): loading them is what an eager client would cost. */
const kubeChunks = readdirSync(path.join(ROOT, 'dist', 'chunks')).filter((f) => /^kubernetes-client-.*\.mjs$/.test(f));
const kubePreload =
  kubeChunks.length > 0
    ? preloadFile(
        'kube.mjs',
        kubeChunks.map((f) => pathToFileURL(path.join(ROOT, 'dist', 'chunks', f)).href),
      )
    : null;

const WAYS = [
  { key: 'tscEager', label: 'tsc output, every adapter loaded at start-up (before issue 13)', node: ['--import', eagerPreload], cli: TSC },
  // A run loads every adapter anyway (its run row would repeat the eager one): validate only.
  { key: 'tscLazy', label: 'tsc output, adapters loaded per command', node: [], cli: TSC, noRun: true },
  { key: 'bundle', label: 'bundle (dist/locust-driver.mjs)', node: [], cli: BUNDLE },
  { key: 'bundleSemi', label: `bundle + \`${SEMI.join(' ')}\``, node: SEMI, cli: BUNDLE },
  { key: 'bundleFlags', label: `bundle + \`${NODE_FLAGS.join(' ')}\``, node: NODE_FLAGS, cli: BUNDLE },
];

/** One measured process: wall seconds, its own peak RSS in MB, exit code, output. */
async function measure(nodeArgs, args, { cwd = ROOT } = {}) {
  const rusage = path.join(tmp, `rusage-${process.hrtime.bigint()}.json`);
  let out = '';
  const p = spawnMeasured(process.execPath, ['--import', PRELOAD, ...nodeArgs, ...args], {
    cwd,
    env: driverEnv({ BENCH_RUSAGE_FILE: rusage, NODE_ENV: 'production' }),
    onLine: (line) => (out += `${line}\n`),
  });
  const exit = await p.exit;
  const r = JSON.parse(readFileSync(rusage, 'utf8'));
  return { wallS: (exit.at - p.startedAt) / 1000, rssMb: r.maxRssKb / 1024, code: exit.code, out };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** N runs of a command, interleaved across the ways (so load changes hit every way alike); medians. */
async function repeated(ways, args, n) {
  const runs = Object.fromEntries(ways.map((w) => [w.key, []]));
  for (let i = 0; i < n; i++) {
    for (const w of ways) {
      const r = await measure(w.node, w.cli ? [w.cli, ...args] : args);
      if (r.code !== 0) throw new Error(`${w.label}: ${args.join(' ')} exited ${r.code}\n${r.out}`);
      runs[w.key].push(r);
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([k, rs]) => [k, { wallS: median(rs.map((r) => r.wallS)), rssMb: median(rs.map((r) => r.rssMb)), n: rs.length }]),
  );
}

// ---------------------------------------------------------------------------------------------
// Payload: the bytes of what Dockerfile.driver copies.

function bytesOf(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((sum, f) => sum + bytesOf(path.join(p, f)), 0);
}

/** The production dependencies' folders (npm ls --omit=dev), each counted once. */
function productionModules() {
  const npm = path.join(ROOT, '.tools', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  let text;
  try {
    text = execFileSync(process.execPath, [npm, 'ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    text = e.stdout ?? ''; // npm ls exits 1 on extraneous packages but still lists them
  }
  const dirs = text.split('\n').filter((d) => d.includes(`${path.sep}node_modules${path.sep}`));
  // A nested package sits inside its parent's folder: count only the outermost.
  const top = dirs.filter((d) => !dirs.some((o) => o !== d && d.startsWith(`${o}${path.sep}`)));
  return top.reduce((sum, d) => sum + bytesOf(d), 0);
}

function payload() {
  const snappy = ['snappy', '@napi-rs/snappy-linux-x64-gnu', '@napi-rs/snappy-linux-x64-musl'].reduce(
    (s, p) => s + bytesOf(path.join(ROOT, 'node_modules', p)),
    0,
  );
  const tscDist = readdirSync(path.join(ROOT, 'dist'))
    .filter((f) => f !== 'chunks' && f !== 'locust-driver.mjs')
    .reduce((s, f) => s + bytesOf(path.join(ROOT, 'dist', f)), 0);
  const schema = bytesOf(path.join(ROOT, 'schema'));
  const pkg = bytesOf(path.join(ROOT, 'package.json'));
  const modules = productionModules();
  const kube = bytesOf(path.join(ROOT, 'node_modules', '@kubernetes'));
  const bundle = bytesOf(BUNDLE) + bytesOf(path.join(ROOT, 'dist', 'chunks'));
  const sampleTarget = bytesOf(path.join(ROOT, 'dist', 'sample-target'));
  return {
    beforeMb: (pkg + modules + snappy + tscDist + schema) / 1e6,
    modulesMb: (modules + snappy) / 1e6,
    kubeModulesMb: kube / 1e6,
    afterMb: (pkg + bundle + sampleTarget + schema) / 1e6,
    bundleMb: bundle / 1e6,
    kubeChunkMb: kubeChunks.reduce((s, f) => s + bytesOf(path.join(ROOT, 'dist', 'chunks', f)), 0) / 1e6,
    sampleTargetMb: sampleTarget / 1e6,
  };
}

// ---------------------------------------------------------------------------------------------
// The 24-stage run against a long-lived master.

function runMatrix(targetUrl) {
  const users = Array.from({ length: STAGES }, (_, i) => 2 + 2 * (i % 6));
  // Distinct stages (a plan of 24 different ones, like the cluster matrix's 4 × 2 × 3), short holds.
  const spawnRates = [10, 20, 30, 40];
  return [
    'version: 1',
    'name: footprint',
    `target: { host: ${targetUrl} }`,
    `defaults: { duration: ${HOLD_S}s, cooldown: 0s, sampleEvery: 1s, rampTimeout: 1m }`,
    'stages:',
    ...users.map((u, i) => `  - { name: s${i + 1}, users: ${u}, spawnRate: ${spawnRates[Math.floor(i / 6) % 4]} }`),
    '',
  ].join('\n');
}

async function runs(ways) {
  const { startLocalStack } = await import('../dist/adapters/local/stack.js');
  const { findOrInstallLocust } = await import('../dist/adapters/local/locust-install.js');
  const stack = await startLocalStack({ workers: 2, locustBin: await findOrInstallLocust({ log: () => {} }) });
  try {
    const matrix = path.join(tmp, 'footprint.yaml');
    writeFileSync(matrix, runMatrix(stack.targetUrl));
    const out = {};
    for (const w of ways.filter((x) => !x.noRun)) {
      const r = await measure(w.node, [
        w.cli,
        'run',
        '--matrix',
        matrix,
        '--master',
        stack.masterUrl,
        '--out',
        path.join(tmp, 'results'),
        '--run-id',
        w.key,
        '--log-format',
        'json',
      ]);
      if (r.code !== 0) throw new Error(`${w.label}: the ${STAGES}-stage run exited ${r.code}\n${r.out.slice(-3000)}`);
      const stages = JSON.parse(readFileSync(path.join(tmp, 'results', w.key, 'run.json'), 'utf8')).stages?.length;
      out[w.key] = { ...r, out: undefined, stages };
      process.stderr.write(`footprint: ${w.label}: ${STAGES}-stage run ${r.wallS.toFixed(1)} s, peak RSS ${r.rssMb.toFixed(1)} MB\n`);
    }
    return out;
  } finally {
    await stack.stop();
  }
}

// ---------------------------------------------------------------------------------------------

const startedAt = new Date().toISOString();
const t0 = now();
const floor = await repeated([{ key: 'node', node: [], cli: null }], ['-e', '0'], VALIDATE_RUNS);
const floorFlags = await repeated([{ key: 'node', node: NODE_FLAGS, cli: null }], ['-e', '0'], VALIDATE_RUNS);
const validate = await repeated(WAYS, ['validate', '--matrix', 'matrix.yaml'], VALIDATE_RUNS);
const version = await repeated(WAYS, ['--version'], VALIDATE_RUNS);
const undiciEager = await repeated(
  [{ key: 'undici', node: ['--import', undiciPreload, ...NODE_FLAGS], cli: BUNDLE }],
  ['validate', '--matrix', 'matrix.yaml'],
  VALIDATE_RUNS,
);
const kubeEager = kubePreload
  ? await repeated([{ key: 'kube', node: ['--import', kubePreload, ...NODE_FLAGS], cli: BUNDLE }], ['validate', '--matrix', 'matrix.yaml'], VALIDATE_RUNS)
  : null;
process.stderr.write(`footprint: validate measured (${VALIDATE_RUNS} runs per way)\n`);
const run = skip.has('run') ? null : await runs(WAYS);
const size = payload();
const result = {
  startedAt,
  elapsedS: (now() - t0) / 1000,
  node: process.version,
  machine: `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
  commit: gitCommit(),
  stages: STAGES,
  holdS: HOLD_S,
  nodeFlags: NODE_FLAGS,
  floor: floor.node,
  floorFlags: floorFlags.node,
  validate,
  version,
  kubeEager: kubeEager?.kube ?? null,
  undiciEager: undiciEager.undici,
  run,
  payload: size,
};

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------
// The doc section.

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

function section(r) {
  const best = r.validate.bundleFlags;
  const runBest = r.run?.bundleFlags;
  const lines = [
    '## Footprint',
    '',
    `Latest figures of \`node bench/footprint.mjs\` (the footprint step of \`npm run bench\`; \`--stages ${r.stages} --hold ${r.holdS}\`), ${r.startedAt}, ${r.machine}, Node.js ${r.node}, locust-driver at ${r.commit}. The driver's own process only (its getrusage peak RSS, bench/lib/rusage-preload.mjs), never Locust's. Medians of ${best.n} runs for the short commands, interleaved across the ways.`,
    '',
    '| goal | measured (bundle + flags, what the container runs) | goal |  |',
    '|---|---:|---:|---|',
    `| peak RSS of a ${r.stages}-stage run (${r.holdS} s holds, 1 s samples, against a real master) | ${runBest ? `${f1(runBest.rssMb)} MB` : 'skipped'} | ≤ ${GOALS.runRssMb} MB | ${runBest ? verdict(runBest.rssMb <= GOALS.runRssMb) : ''} |`,
    `| \`validate --matrix matrix.yaml\` (the 24-stage cluster matrix): wall | ${f2(best.wallS)} s | ≤ ${GOALS.validateS} s | ${verdict(best.wallS <= GOALS.validateS)} |`,
    `| … peak RSS | ${f1(best.rssMb)} MB | ≤ ${GOALS.validateRssMb} MB | ${verdict(best.rssMb <= GOALS.validateRssMb)} |`,
    `| production payload (what Dockerfile.driver copies) | ${f1(r.payload.afterMb)} MB | ≤ ${GOALS.payloadMb} MB | ${verdict(r.payload.afterMb <= GOALS.payloadMb)} |`,
    '',
    'Each lever, side by side (the first row is the driver as it was before issue 13):',
    '',
    `| way | validate wall (s) | validate peak RSS (MB) | --version peak RSS (MB) | ${r.stages}-stage run peak RSS (MB) | run wall (s) |`,
    '|---|---:|---:|---:|---:|---:|',
    ...WAYS.map(
      (w) =>
        `| ${w.label} | ${f2(r.validate[w.key].wallS)} | ${f1(r.validate[w.key].rssMb)} | ${f1(r.version[w.key].rssMb)} | ${r.run?.[w.key] ? f1(r.run[w.key].rssMb) : 'not run'} | ${r.run?.[w.key] ? f1(r.run[w.key].wallS) : ''} |`,
    ),
    `| the floor: \`node -e 0\` (no flags / with the flags) | ${f2(r.floor.wallS)} | ${f1(r.floor.rssMb)} / ${f1(r.floorFlags.rssMb)} |  |  |  |`,
    ...(r.undiciEager
      ? [
          `| bundle + flags, with npm undici loaded at start-up (the HTTP client before node:http; loading it only, a run's requests add more) | ${f2(r.undiciEager.wallS)} | ${f1(r.undiciEager.rssMb)} |  |  |  |`,
        ]
      : []),
    ...(r.kubeEager
      ? [
          `| bundle + flags, with the Kubernetes adapter loaded at start-up (what an eager \`@kubernetes/client-node\` would cost every run) | ${f2(r.kubeEager.wallS)} | ${f1(r.kubeEager.rssMb)} |  |  |  |`,
        ]
      : []),
    '',
    '| payload | MB |',
    '|---|---:|',
    `| before: package.json, dist/ (tsc), schema/, the production node_modules (npm ls --omit=dev, with the native snappy) | ${f1(r.payload.beforeMb)} |`,
    `| … of which node_modules / @kubernetes | ${f1(r.payload.modulesMb)} / ${f1(r.payload.kubeModulesMb)} |`,
    `| after: package.json, dist/locust-driver.mjs + dist/chunks/, dist/sample-target/ (k8s/inference.yaml runs it), schema/; no node_modules | ${f2(r.payload.afterMb)} |`,
    `| … of which the bundle / its Kubernetes chunk (loaded only with \`kubernetes:\`) / the sample target | ${f2(r.payload.bundleMb)} / ${f2(r.payload.kubeChunkMb)} / ${f2(r.payload.sampleTargetMb)} |`,
    '',
  ];
  return lines.join('\n');
}

const text = section(result);
process.stdout.write(`${text}\n`);
if (flags.out) writeFileSync(flags.out, JSON.stringify(result, null, 2));
if (!flags['no-write']) {
  // The section is ours; the rest of the file belongs to bench/bench.mjs: replace only between the
  // markers (appended the first time).
  const begin = '<!-- footprint:begin (bench/footprint.mjs) -->';
  const end = '<!-- footprint:end -->';
  const doc = readFileSync(DOC, 'utf8');
  const block = `${begin}\n${text}${end}\n`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  writeFileSync(DOC, i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length + 1) : `${doc.trimEnd()}\n\n${block}`);
}
rmSync(tmp, { recursive: true, force: true });
