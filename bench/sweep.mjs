// npm run bench -- --sweep (through bench/bench.sh): the driver's overhead per stage over a sweep of
// the holds and cooldowns users choose, with the companion Locust plugin and without it, side by
// side with a headless Locust relaunched per stage and one LoadTestShape run — every cell in one run
// on one machine, so the ratios compare like with like.
//
// Each cell (hold H, cooldown C) runs bench/bench.mjs twice as a child:
//   1. the long-lived master on locust/locustfile.py (which imports locust_driver_plugin): the
//      driver, plus the headless relaunch and the LoadTestShape with the same stages and cooldown;
//   2. the same master on a copy of that locustfile without the plugin's import: the driver only.
// C = 0 is `transition: continue` (the users keep running between stages); C > 0 is the default
// `transition: restart` with that cooldown.
//
// Flags: --holds 3,10,30,120 --cooldowns 0,3,15 --stages 3 --long-stages 2 (stages per run for holds
// of 60 s and more, to keep the sweep's time bounded) --cells 30:0,120:15 (only these hold:cooldown
// cells) --merge FILE (keep FILE's other cells, e.g. bench/sweep-cells.json, and write the merged
// sweep back) --no-write --from FILE (render a saved sweep).
// Writes test-results/sweep.json and the sweep's block of docs/benchmarks.md (between its markers,
// which bench.mjs keeps when it rewrites the page).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SWEEP_BEGIN, SWEEP_END, replaceBlock } from './lib/doc-blocks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCUSTFILE = path.join(ROOT, 'locust', 'locustfile.py');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const OUT_JSON = path.join(ROOT, 'test-results', 'sweep.json');

const { values: flags } = parseArgs({
  options: {
    sweep: { type: 'boolean', default: true },
    holds: { type: 'string', default: '3,10,30,120' },
    cooldowns: { type: 'string', default: '0,3,15' },
    stages: { type: 'string', default: '3' },
    'long-stages': { type: 'string', default: '2' },
    cells: { type: 'string' },
    merge: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});

const list = (v, what) =>
  String(v)
    .split(',')
    .filter(Boolean)
    .map((x) => {
      const n = Number(x);
      if (!Number.isFinite(n) || n < 0) throw new Error(`bench/sweep.mjs: ${what} must be a comma-separated list of seconds ≥ 0, got "${v}"`);
      return n;
    });
const HOLDS = list(flags.holds, '--holds');
const COOLDOWNS = list(flags.cooldowns, '--cooldowns');
/** The cells to measure: --cells 30:0,120:15 (hold:cooldown in seconds), else every hold × cooldown. */
const CELLS = flags.cells
  ? String(flags.cells)
      .split(',')
      .filter(Boolean)
      .map((c) => {
        const [h, cd, extra] = c.split(':');
        if (extra !== undefined || h === undefined || cd === undefined)
          throw new Error(`bench/sweep.mjs: --cells takes hold:cooldown pairs in seconds, e.g. 30:0,120:15; got "${c}"`);
        return { hold: list(h, '--cells')[0], cooldown: list(cd, '--cells')[0] };
      })
  : HOLDS.flatMap((hold) => COOLDOWNS.map((cooldown) => ({ hold, cooldown })));
const STAGES = Number(flags.stages);
const LONG_STAGES = Number(flags['long-stages']);

// The issue's goals: overhead per stage with the plugin ≤ 1 s, without ≤ 2 s, and at most half a
// headless relaunch's; windows within ±0.25 s of `duration` with the plugin, ±0.5 s without.
export const GOALS = { plugin: { overhead: 1, window: 0.25 }, plain: { overhead: 2, window: 0.5 }, relaunchRatio: 0.5 };

const say = (msg) => process.stderr.write(`[sweep ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d));

/** A copy of the locustfile without `import locust_driver_plugin`: Locust as users have it today. */
function plainLocustfile(dir) {
  const src = readFileSync(LOCUSTFILE, 'utf8');
  const out = src
    .split('\n')
    .filter((l) => !/^\s*(import\s+locust_driver_plugin|from\s+locust_driver_plugin\s+import)\b/.test(l))
    .join('\n');
  const file = path.join(dir, 'locustfile.py');
  writeFileSync(file, out);
  return { file, hadPlugin: out !== src };
}

function benchChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'bench.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bench.mjs ${args.join(' ')} exited ${code}`))));
  });
}

/** One driver row of a bench.json: overhead per stage and how far each window was from `duration`. */
function driverRow(d, hold) {
  if (!d) return null;
  const windows = d.stages.map((s) => s.windowS).filter((w) => w !== null);
  const errs = windows.map((w) => w - hold);
  const over = d.stages.filter((s) => s.requests !== null && s.target !== null).map((s) => s.requests - s.target);
  return {
    code: d.code,
    status: d.status,
    overhead: d.overheadPerStage,
    windowMin: windows.length ? Math.min(...windows) : null,
    windowMax: windows.length ? Math.max(...windows) : null,
    windowErr: errs.length ? Math.max(...errs.map(Math.abs)) : null,
    // > 0: the driver counted more requests than the target received in the stated window
    excessRequests: over.length ? Math.max(...over) : null,
    // paid once per run, not per stage: process start to the first /swarm, and the last window's
    // end to the exit (the last /stop, which Locust answers only after its 1 s poll of the workers)
    perRunS: d.parts && d.parts.startup !== null && d.parts.tail !== null ? d.parts.startup + d.parts.tail : null,
    plugin: d.plugin ?? null,
  };
}

async function measure() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ld-sweep-'));
  const plain = plainLocustfile(work);
  say(`cells finished so far: ${path.join(work, 'partial.json')} (render them with --from)`);
  if (!plain.hadPlugin) say('note: locust/locustfile.py does not import locust_driver_plugin: both driver rows run without the plugin');
  const cells = [];
  const t0 = Date.now();
  for (const { hold, cooldown } of CELLS) {
    const n = hold >= 60 ? LONG_STAGES : STAGES;
    const users = Array.from({ length: n }, (_, i) => 4 * (i + 1)).join(',');
    const common = ['--stages', String(n), '--users', users, '--hold', String(hold), '--cooldown', String(cooldown), '--no-render'];
    const mode = cooldown === 0 ? 'continue' : 'restart';
    const skipDriver = cooldown === 0 ? 'restart' : 'continue';
    const withJson = path.join(work, `cell-${hold}-${cooldown}-plugin.json`);
    const plainJson = path.join(work, `cell-${hold}-${cooldown}-plain.json`);
    say(`cell hold ${hold} s, cooldown ${cooldown} s (${mode}), ${n} stages: with the plugin, relaunch, shape …`);
    await benchChild([...common, '--skip', `${skipDriver},startup,report`, '--json', withJson]);
    say(`cell hold ${hold} s, cooldown ${cooldown} s: without the plugin …`);
    await benchChild([...common, '--skip', `${skipDriver},startup,report,headless`, '--json', plainJson, '--locustfile', plain.file]);
    const a = JSON.parse(readFileSync(withJson, 'utf8'));
    const b = JSON.parse(readFileSync(plainJson, 'utf8'));
    cells.push({
      hold,
      cooldown,
      stages: n,
      mode,
      plugin: driverRow(a.driver[mode], hold),
      plain: driverRow(b.driver[mode], hold),
      relaunch: a.headless ? a.headless.overheadPerStage : null,
      shape: a.shape ? a.shape.overheadPerStage : null,
      env: a.env,
      measuredAt: new Date().toISOString(),
      // why a driver row is missing, e.g. the driver refusing the matrix (bench.mjs's notes)
      notes: [...new Set([...(a.notes ?? []), ...(b.notes ?? [])])],
    });
    writeFileSync(path.join(work, 'partial.json'), JSON.stringify(cells));
  }
  const res = {
    date: new Date().toISOString(),
    command: `npm run bench -- --sweep ${process.argv
      .slice(2)
      .filter((a) => a !== '--sweep')
      .join(' ')}`.trim(),
    hadPlugin: plain.hadPlugin,
    wallS: (Date.now() - t0) / 1000,
    env: cells[0]?.env ?? null,
    cells,
  };
  rmSync(work, { recursive: true, force: true });
  return res;
}

/** What the once-per-run cost of each way is made of (bench.mjs's parts: startup + tail). */
const PER_RUN = {
  plugin: 'start-up to the first /swarm, and the last /stop, which Locust answers only after its 1 s poll of the workers',
  plain:
    "start-up to the first /swarm, the last /stop and, when no live read of the last window lands within ±0.5 s, the 3.5 s wait for the workers' last reports after it",
};

const pf = (ok) => (ok === null ? '–' : ok ? 'PASS' : 'FAIL');

/** A driver row that did not run to its end (e.g. refused with exit 2) has no overhead to judge. */
const ran = (row) => (row && (row.code === undefined || row.code === 0 || row.code === 1) ? row : null);

export function verdicts(c) {
  const ok = (r, goal) => {
    const row = ran(r);
    return row && row.overhead !== null ? row.overhead <= goal.overhead && (row.windowErr === null || row.windowErr <= goal.window) : null;
  };
  const ratio = (r) => {
    const row = ran(r);
    return row && row.overhead !== null && c.relaunch ? row.overhead / c.relaunch : null;
  };
  return {
    plugin: ok(c.plugin, GOALS.plugin),
    plain: ok(c.plain, GOALS.plain),
    pluginRatio: ratio(c.plugin),
    plainRatio: ratio(c.plain),
  };
}

/** The runs a merged sweep's cells come from: each cell's ways ran side by side in one of them. */
function mergedHeader(res) {
  const runs = new Map();
  for (const c of res.cells) {
    const e = c.env ?? {};
    const k = `${(c.measuredAt ?? res.date).slice(0, 10)} at ${e.commit ?? '?'}`;
    const r = runs.get(k) ?? { e, cells: [] };
    r.cells.push(`${c.hold}/${c.cooldown}`);
    runs.set(k, r);
  }
  const list = [...runs].map(([k, r]) => `${r.cells.join(', ')} s on ${k.replace(' at ', `, locust-driver at `)} (${r.e.locust ?? 'Locust ?'})`);
  const e = res.cells[0]?.env ?? {};
  return `\`npm run bench -- --sweep --cells … --merge bench/sweep-cells.json\`, cells (hold/cooldown) measured in ${runs.size} run${runs.size === 1 ? '' : 's'} on one machine (${e.cpu ?? '?'}, ${e.cores ?? '?'} cores): ${list.join('; ')}. Within a cell every way ran side by side in the same run.`;
}

export function render(res) {
  const rows = res.cells.map((c) => {
    const v = verdicts(c);
    const win = (r) => (ran(r) ? `${fmt(r.windowMin)}–${fmt(r.windowMax)}` : '–');
    // A run that was refused or failed shows its exit code instead of an overhead.
    const over = (r) => (r && !ran(r) ? `exit ${r.code}` : fmt(r?.overhead));
    return `| ${c.hold} s | ${c.cooldown === 0 ? '0 s (continue)' : `${c.cooldown} s`} | ${c.stages} | ${over(c.plugin)} | ${win(c.plugin)} | ${fmt(v.pluginRatio)} | ${pf(v.plugin !== null && v.pluginRatio !== null ? v.plugin && v.pluginRatio <= GOALS.relaunchRatio : v.plugin)} | ${over(c.plain)} | ${win(c.plain)} | ${fmt(v.plainRatio)} | ${pf(v.plain !== null && v.plainRatio !== null ? v.plain && v.plainRatio <= GOALS.relaunchRatio : v.plain)} | ${fmt(c.relaunch)} | ${fmt(c.shape)} |`;
  });
  const refused = (c, r, way) =>
    r && !ran(r)
      ? [
          `${way} exited ${r.code}${r.code === 2 && c.cooldown === 0 && c.hold < 10 ? ' (refused before any load: transition: continue needs windows of at least 10 s without the plugin)' : ''}`,
        ]
      : [];
  // A cell over its goal only because its few stages share the run's fixed cost says so, measured.
  const amortised = (c, r, way, goal, why) => {
    const row = ran(r);
    if (!row || row.overhead === null || row.overhead <= goal.overhead || row.perRunS === null || row.perRunS === undefined) return [];
    const perStage = row.overhead - row.perRunS / c.stages;
    return [
      `${way}: ${fmt(row.overhead)} s per stage = ${fmt(perStage)} s per stage + ${fmt(row.perRunS)} s once per run (${why}) shared by ${c.stages} stages${perStage <= goal.overhead ? ` — within the goal from ${Math.ceil(row.perRunS / (goal.overhead - perStage))} stages on` : ''}`,
    ];
  };
  const notes = res.cells.flatMap((c) =>
    [
      ...(c.notes ?? []),
      ...amortised(c, c.plugin, 'with the plugin', GOALS.plugin, PER_RUN.plugin),
      ...amortised(c, c.plain, 'without the plugin', GOALS.plain, PER_RUN.plain),
      ...refused(c, c.plugin, 'with the plugin, the driver'),
      ...refused(c, c.plain, 'without the plugin, the driver'),
      ...(c.transcribed ? [`figures ${c.transcribed}`] : []),
    ].map((n) => `- hold ${c.hold} s, cooldown ${c.cooldown} s: ${n}`),
  );
  const e = res.env ?? {};
  return `${SWEEP_BEGIN}
## Overhead over a sweep of holds and cooldowns

${res.merged ? mergedHeader(res) : `\`${res.command}\` on ${res.date.slice(0, 10)} (${fmt(res.wallS / 60, 0)} min; ${e.cpu ?? '?'}, ${e.cores ?? '?'} cores; ${e.locust ?? 'Locust ?'}, locust-driver at ${e.commit ?? '?'}).`}
${res.hadPlugin ? '' : '\n**The locustfile did not import the plugin: both driver columns ran without it.**\n'}
Overhead per stage = (wall − Σ planned ramps − Σ holds − Σ cooldowns) / stages, in seconds: every
second a user waits beyond the plan counts, a window longer than asked included. Goals: with the
plugin ≤ ${GOALS.plugin.overhead} s and windows within ±${GOALS.plugin.window} s; without ≤ ${GOALS.plain.overhead} s and ±${GOALS.plain.window} s; both at most
${GOALS.relaunchRatio} × the headless relaunch's overhead (the *ratio* columns). A cooldown of 0 is \`transition: continue\`.

| hold | cooldown | stages | plugin: overhead (s) | plugin: windows (s) | ratio | | no plugin: overhead (s) | no plugin: windows (s) | ratio | | relaunch overhead (s) | LoadTestShape overhead (s) |
|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|
${rows.join('\n')}
${notes.length ? `\nNotes:\n\n${[...new Set(notes)].join('\n')}\n` : ''}${SWEEP_END}`;
}

/**
 * --merge FILE: the cells just measured replace those of the same hold and cooldown in FILE (a sweep
 * kept in the repository, bench/sweep-cells.json), the others stay; each cell keeps the date and
 * commit of the run that measured it (its ratios compare ways measured side by side in that run).
 */
export function mergeSweeps(old, res) {
  const key = (c) => `${c.hold}:${c.cooldown}`;
  const fresh = new Set(res.cells.map(key));
  const cells = [...(old?.cells ?? []).filter((c) => !fresh.has(key(c))), ...res.cells].sort((a, b) => a.hold - b.hold || a.cooldown - b.cooldown);
  return { ...res, wallS: null, merged: true, cells };
}

async function main() {
  // --from takes a saved sweep, or the partial.json of one that was stopped (the cells it finished).
  const saved = flags.from ? JSON.parse(readFileSync(path.resolve(flags.from), 'utf8')) : null;
  let res = saved
    ? Array.isArray(saved)
      ? { date: new Date().toISOString(), command: 'a stopped sweep (partial.json)', hadPlugin: true, wallS: null, env: saved[0]?.env ?? null, cells: saved }
      : saved
    : await measure();
  if (!flags.from) {
    mkdirSync(path.dirname(OUT_JSON), { recursive: true });
    writeFileSync(OUT_JSON, JSON.stringify(res, null, 2));
  }
  if (flags.merge) {
    const file = path.resolve(flags.merge);
    res = mergeSweeps(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null, res);
    if (!flags['no-write']) writeFileSync(file, `${JSON.stringify(res, null, 2)}\n`);
  }
  const md = render(res);
  process.stdout.write(`\n${md}\n`);
  if (!flags['no-write']) {
    writeFileSync(DOC, replaceBlock(existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n', md));
    say(`wrote ${path.relative(ROOT, DOC)} (sweep block) and ${path.relative(ROOT, OUT_JSON)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main().catch((e) => {
    process.stderr.write(`sweep: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  });
}
