// Child process of bench/bench.mjs: builds a synthetic long run (bench/lib/synthetic-run.mjs) and
// times one step of report generation, so that this process's peak RSS belongs to that step alone.
//
//   node --expose-gc bench/report-gen.mjs --hours 24 [--stages 24] [--as-kept] --mode record|html|runjson|sink [--json pretty|compact|stream] [--out DIR]
//
// record: only build the RunRecord in memory (the baseline every other mode includes);
// html:   + reportHtml (report.html) once;
// runjson: + run.json written whole (--json pretty, one JSON.stringify), without indentation
//         (--json compact), or piece by piece as FsReportSink writes it (--json stream);
// sink:   + FsReportSink.stageFinished for the last stage, what the driver does when a stage ends:
//         the stage's CSVs, summary.csv/.md, junit.xml, report.html and run.json, each atomically.
// Prints one JSON line: { hours, mode, samples, buildMs, stepMs, files: {name: bytes}, maxRssKb, rssBeforeKb, ... }.
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { syntheticRun, syntheticWindow } from './lib/synthetic-run.mjs';

const { values } = parseArgs({
  options: {
    hours: { type: 'string', default: '24' },
    mode: { type: 'string', default: 'sink' },
    'no-cluster': { type: 'boolean', default: false },
    stages: { type: 'string' },
    'as-kept': { type: 'boolean', default: false },
    json: { type: 'string', default: 'pretty' },
    out: { type: 'string' },
  },
});
const hours = Number(values.hours);
const mode = values.mode;
if (!(hours > 0) || !['record', 'html', 'runjson', 'sink'].includes(mode)) {
  console.error('usage: report-gen.mjs --hours H --mode record|html|runjson|sink [--json pretty|compact|stream]');
  process.exit(2);
}

const rssKb = () => Math.round(process.memoryUsage.rss() / 1024);
const t0 = performance.now();
// --stages S: the run is S stages of hours / S each (default: one 1-hour stage per hour).
const stageCount = values.stages === undefined ? null : Number(values.stages);
const run = syntheticRun({ hours, cluster: !values['no-cluster'], ...(stageCount ? { stageHours: hours / stageCount } : {}) });
const buildMs = performance.now() - t0;
// --as-kept: the record as the driver holds it when the last stage ends — every finished stage
// thinned to the driver's own limit (core/samples.ts, when this build has it), the last one whole.
let kept = null;
if (values['as-kept']) {
  try {
    const { thinSamples, KEPT_SAMPLES_PER_STAGE } = await import('../dist/core/samples.js');
    kept = KEPT_SAMPLES_PER_STAGE;
    for (const s of run.stages.slice(0, -1)) s.samples = thinSamples(s.samples);
  } catch {
    kept = null; // this build keeps every sample
  }
}
const samples = run.stages.reduce((n, s) => n + s.samples.length, 0);
globalThis.gc?.();
const rssBeforeKb = rssKb();
const heapBefore = process.memoryUsage().heapUsed;
const hwmBefore = process.resourceUsage().maxRSS;
const cpuBefore = process.cpuUsage();

const files = {};
let stepMs = 0;
let dir = null;
if (mode === 'html') {
  const { reportHtml } = await import('../dist/adapters/report/html/index.js');
  const s = performance.now();
  const html = await reportHtml(run);
  stepMs = performance.now() - s;
  files['report.html'] = Buffer.byteLength(html);
} else if (mode === 'runjson') {
  const base = await mkdtemp(path.join(tmpdir(), 'ld-bench-json-'));
  const file = path.join(base, 'run.json');
  const s = performance.now();
  const { writeFileAtomic } = await import('../dist/adapters/report/atomic.js');
  const { runJson, runJsonChunks } = await import('../dist/adapters/report/run-json.js');
  // pretty: the whole text at once (the old writer); stream: piece by piece, as FsReportSink writes it
  await writeFileAtomic(file, values.json === 'stream' ? runJsonChunks(run) : values.json === 'compact' ? JSON.stringify(run) + '\n' : runJson(run));
  stepMs = performance.now() - s;
  files['run.json'] = (await stat(file)).size;
  await rm(base, { recursive: true, force: true });
} else if (mode === 'sink') {
  const { FsReportSink } = await import('../dist/adapters/report/fs-sink.js');
  const base = values.out ?? (await mkdtemp(path.join(tmpdir(), 'ld-bench-report-')));
  const sink = await FsReportSink.create(base, run.runId);
  dir = sink.dir;
  const last = run.stages.at(-1);
  const s = performance.now();
  await sink.stageFinished(run, last, syntheticWindow(last));
  stepMs = performance.now() - s;
  for (const f of await readdir(dir)) if (!f.startsWith('.') && f !== 'stages') files[f] = (await stat(path.join(dir, f))).size;
  if (values.out === undefined) await rm(base, { recursive: true, force: true });
}
const cpu = process.cpuUsage(cpuBefore);
const ru = process.resourceUsage();
// What the step kept (after a full GC, with --expose-gc): should be ~0 — nothing grows with the run.
globalThis.gc?.();
const retainedKb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024);
process.stdout.write(
  JSON.stringify({
    hours,
    mode,
    json: mode === 'runjson' ? values.json : undefined,
    cluster: !values['no-cluster'],
    keptPerStage: kept,
    stages: run.stages.length,
    samples,
    buildMs: Math.round(buildMs),
    stepMs: Math.round(stepMs),
    stepCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    files,
    rssBeforeKb,
    hwmBeforeStepKb: hwmBefore,
    maxRssKb: ru.maxRSS,
    retainedKb,
    dir: values.out === undefined ? null : dir,
  }) + '\n',
);
