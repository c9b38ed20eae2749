// Property tests of the matrix file reader (parseMatrix + buildPlan) on hostile input: arbitrary
// text, YAML-ish token soup, arbitrary JSON values written as YAML, mutations of valid matrices,
// alias bombs and huge products. Whatever the input, the result is a valid plan or a ConfigError
// whose message names the file and where (a line or a YAML path) — never another exception, and
// never slow. Fixed seeds, so a failure reproduces; each property prints its counter-example.
import * as fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../../src/core/errors.js';
import { exitCode } from '../../../src/core/exit-code.js';
import { MatrixError, parseMatrix } from '../../../src/core/matrix.js';
import type { RunPlan } from '../../../src/core/model.js';
import { buildPlan } from '../../../src/core/plan.js';
import { dropOrReplace, pickNode } from '../../support/mutate.js';

const FILE = 'fuzz/m.yaml';
/** One parse of a (small) document: real ones take a few milliseconds; this only catches hangs (and a loaded CI machine). */
const BOUND_MS = 5_000;
const SEED = 20261128;

/** Fails the property with the input and the foreign exception, so the report shows both. */
class NotAConfigError extends Error {}

function assertValidPlan(plan: RunPlan): void {
  expect(plan.version).toBe(1);
  expect(plan.stages.length).toBeGreaterThan(0);
  plan.stages.forEach((s, i) => {
    expect(s.index).toBe(i + 1);
    expect(Number.isInteger(s.users) && s.users >= 1).toBe(true);
    expect(Number.isFinite(s.spawnRate) && s.spawnRate > 0).toBe(true);
    expect(Number.isFinite(s.durationMs) && s.durationMs > 0).toBe(true);
    expect(Number.isFinite(s.cooldownMs) && s.cooldownMs >= 0).toBe(true);
    expect(Number.isFinite(s.sampleEveryMs) && s.sampleEveryMs >= 500).toBe(true);
    expect(s.name.trim()).not.toBe('');
    expect(s.slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });
}

/** Checks the contract on one input; returns what happened. */
function outcome(text: string): 'plan' | 'error' {
  const started = performance.now();
  let result: 'plan' | 'error';
  try {
    const plan = buildPlan(parseMatrix(text, FILE), FILE);
    assertValidPlan(plan);
    result = 'plan';
  } catch (e) {
    if (!(e instanceof ConfigError)) {
      throw new NotAConfigError(`${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e)}`, { cause: e });
    }
    expect(exitCode({ error: e })).toBe(2);
    expect(e.message.startsWith(FILE)).toBe(true);
    if (e instanceof MatrixError) {
      expect(e.issues.length).toBeGreaterThan(0);
      for (const issue of e.issues) {
        expect(issue.file).toBe(FILE);
        // where: a line, or a YAML path (plan-level problems have no line)
        expect(issue.line !== null || issue.path !== '').toBe(true);
        expect(issue.message.trim()).not.toBe('');
      }
    }
    result = 'error';
  }
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
  return result;
}

// The YAML library warns (process.emitWarning) about keys that are collections; that is noise here.
beforeEach(() => {
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});

// ---------------------------------------------------------------------------------------------
// Generators

const VALID: Record<string, unknown>[] = [
  {
    version: 1,
    name: 'demo',
    defaults: { duration: '30s', cooldown: '5s' },
    stages: [
      { name: 'warm', users: 5 },
      { users: 20, spawnRate: 10 },
    ],
  },
  { version: 1, name: 'axes', defaults: { duration: '10s' }, matrix: { spawnRate: [10, 50], users: [100, 200] } },
  {
    version: 1,
    name: 'cluster run',
    locust: {
      url: 'http://locust-master:8089',
      expectWorkers: 4,
      connectTimeout: '1m',
      requestTimeout: '10s',
      auth: { username: 'api', passwordEnv: 'LOCUST_PW' },
    },
    target: { host: 'http://inference:8000', healthPath: '/healthz' },
    kubernetes: {
      namespace: 'load',
      target: { deployment: 'inference', hpa: 'inference' },
      workers: { deployment: 'locust-worker' },
      restore: true,
      lease: 'ld',
      keepSummaries: 5,
    },
    transition: 'continue',
    retry: { attempts: 1, masterTimeout: '30s', onWorkerLoss: 'retry' },
    slo: { p95: '500ms', failRatio: '1%', minRps: 10, onBreach: 'stop' },
    matrix: { replicas: [1, 2], workers: [2, 4], users: [50, 100], duration: ['20s'] },
  },
  {
    version: 1,
    name: 'stages-full',
    kubernetes: { target: { deployment: 'svc' }, workers: { deployment: 'w' } },
    stages: [
      { name: 'hpa', users: 10, hpa: { min: 1, max: 4, cpuPercent: 70 }, slo: { p99: '1s' }, sampleEvery: '1s', rampTimeout: '1m', scaleTimeout: '2m' },
      { users: 20, replicas: 3, workers: 2, cooldown: '0s' },
    ],
  },
  { version: 1, name: 'cap', slo: { p95: '200ms' }, capacity: { users: { start: 10, max: 500 }, factor: 1.5, precision: 5 } },
];

/** Values that are wrong in interesting ways for almost any field. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    -0,
    1.5,
    1e308,
    -1e308,
    1e-300,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    1_000_001,
    'NaN',
    '.nan',
    'nan',
    'Infinity',
    '.inf',
    '-.inf',
    '1e400',
    '-5s',
    '0s',
    '1h1h',
    '10',
    '10x',
    '1.5ms',
    's',
    'ms',
    '',
    ' ',
    '\u0000',
    '\u202Eevil',
    '名前',
    '🚀🚀',
    'ﬁ',
    'a'.repeat(5_000),
    '../../etc/passwd',
    'http://u:p@h:1',
    'HTTP://X',
    'ftp://x',
    true,
    false,
    null,
    [],
    {},
    [[[[[[[[]]]]]]]],
    { a: { b: { c: { d: { e: {} } } } } },
  ),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation = { op: 'drop' | 'replace' | 'retype' | 'rename' | 'add' | 'nest'; pick: number; value: unknown; key: string };

function mutate(doc: unknown, m: Mutation): unknown {
  const p = pickNode(doc, m.pick);
  if (p === null) return m.value;
  const { parent, last, current } = p;
  if (dropOrReplace(m.op, p, m.value)) return p.copy;
  switch (m.op) {
    case 'retype':
      // the same content as another YAML type: 10 → "10", "30s" → [30s], {…} → [{…}]
      parent[last] = typeof current === 'number' ? String(current) : typeof current === 'string' ? [current] : Array.isArray(current) ? current[0] : [current];
      break;
    case 'rename':
      if (!Array.isArray(parent) && typeof last === 'string') {
        delete parent[last];
        parent[`${last.slice(0, -1)}${m.key}`] = current;
      }
      break;
    case 'add':
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) (current as Record<string, unknown>)[m.key] = m.value;
      else parent[last] = { [m.key]: current };
      break;
    case 'nest':
      parent[last] = [[{ value: current }]];
      break;
  }
  return p.copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('drop', 'replace', 'retype', 'rename', 'add', 'nest'),
  pick: fc.nat(),
  value: nasty,
  key: fc.oneof(fc.constantFrom('s', 'x', 'users', 'name', '__proto__', 'constructor', 'toString', '<<', ''), fc.string({ maxLength: 8 })),
});

/** A valid matrix with one to four mutations, written as block YAML or as flow (JSON) YAML. */
const mutatedMatrix = fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([base, ms, flow]) => {
  const doc = ms.reduce<unknown>((d, m) => mutate(d, m), base);
  return flow ? (JSON.stringify(doc) ?? 'null') : stringify(doc);
});

/** Token soup that looks like YAML (without anchors and aliases; see the alias tests below). */
const YAML_TOKENS = [
  'version: 1\n',
  'name: x\n',
  'stages:\n',
  '  - ',
  'users: ',
  'matrix:\n',
  '  users: [',
  'capacity:\n',
  'slo:\n',
  '  p95: ',
  'duration: ',
  'spawnRate: ',
  'defaults:\n',
  'locust:\n',
  '  url: ',
  'kubernetes:\n',
  'retry:\n',
  'transition: ',
  '10',
  '-1',
  '0',
  '1e309',
  '.nan',
  '.inf',
  '0x1F',
  '0o17',
  '1_000',
  '10s',
  '500ms',
  '1h30m',
  'true',
  '~',
  'null',
  '[',
  ']',
  '{',
  '}',
  ', ',
  ': ',
  ':',
  '- ',
  '? ',
  '\n',
  '  ',
  '    ',
  '\t',
  '"',
  "'",
  '\\',
  '#',
  '|\n',
  '>-\n',
  '!!str ',
  '!!int ',
  '!!float ',
  '!!binary ',
  '!!set ',
  '!!omap ',
  '!!map ',
  '!!seq ',
  '!!timestamp ',
  '!custom ',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '%TAG ! tag:x,2000:\n',
  '<<: ',
  '\r\n',
  '\r',
  '\uFEFF',
  '\u0000',
  '\u202E',
  '😀',
  'é',
];
const yamlSoup = fc.array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 }).map((t) => t.join(''));

/** The same soup with anchors and aliases in it (defined, undefined, repeated, self-referencing). */
const ALIAS_TOKENS = ['&a ', '&b ', '*a', '*b', '*zz', '[*a, *a, *a]', '&a [*b, *b]', '<<: *a\n', '*a: 1\n'];
const aliasSoup = fc.array(fc.constantFrom(...YAML_TOKENS, ...ALIAS_TOKENS), { maxLength: 60 }).map((t) => t.join(''));

/** Real top-level keys holding arbitrary JSON values. */
const realKeysArbitraryValues = fc
  .dictionary(
    fc.constantFrom('version', 'name', 'locust', 'target', 'kubernetes', 'transition', 'retry', 'defaults', 'slo', 'capacity', 'matrix', 'stages'),
    fc.oneof(nasty, fc.jsonValue({ maxDepth: 4 })),
  )
  .map((d) => stringify(d));

// ---------------------------------------------------------------------------------------------

function holds(arb: fc.Arbitrary<string>, numRuns: number, seed = SEED): void {
  fc.assert(
    fc.property(arb, (text) => {
      outcome(text);
    }),
    { numRuns, seed },
  );
}

// Hundreds of generated inputs per property: seconds on a busy machine, so a generous timeout.
describe('matrix reader on hostile input: a plan or a ConfigError naming file and place', { timeout: 30_000 }, () => {
  it('arbitrary strings (UTF-16 units, graphemes, ASCII)', () => {
    // '*' starts an alias: aliases are exercised (and known to fail) below.
    const noAlias = (s: string) => s.replaceAll('*', '+');
    holds(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ maxLength: 200 })).map(noAlias),
      1_500,
    );
  });

  it('YAML-ish token soup (tags, directives, flow and block collections, odd scalars)', () => {
    holds(yamlSoup, 3_000);
  });

  it('arbitrary JSON values written as YAML and as JSON', () => {
    holds(
      fc.jsonValue({ maxDepth: 6 }).map((v) => stringify(v)),
      800,
    );
    holds(
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
      800,
      SEED + 1,
    );
    holds(realKeysArbitraryValues, 1_500, SEED + 2);
  });

  it('mutations of valid matrices: dropped, replaced, retyped, renamed, added and nested keys', () => {
    let plans = 0;
    let errors = 0;
    fc.assert(
      fc.property(mutatedMatrix, (text) => {
        if (outcome(text) === 'plan') plans++;
        else errors++;
      }),
      { numRuns: 3_000, seed: SEED },
    );
    // the mutations must reach both outcomes, or the generator is not testing much
    expect(plans).toBeGreaterThan(50);
    expect(errors).toBeGreaterThan(500);
  });

  it('every valid base matrix gives a plan, in block and in flow style', () => {
    for (const doc of VALID) {
      expect(outcome(stringify(doc))).toBe('plan');
      expect(outcome(JSON.stringify(doc))).toBe('plan');
    }
  });

  it('deep nesting, very long names and huge numbers are rejected with a position, quickly', () => {
    const head = 'version: 1\nname: x\n';
    for (const text of [
      `${head}stages: ${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      `${head}stages: ${'{a: '.repeat(3_000)}1${'}'.repeat(3_000)}`,
      `${head}stages:\n${Array.from({ length: 400 }, (_, i) => `${'  '.repeat(i)}-\n`).join('')}`,
      `${head}stages: [{users: 1, name: ${'n'.repeat(200_000)}}]`,
      `${head}stages: [{users: ${'9'.repeat(400)}}]`,
      `${head}stages: [{users: 1, duration: ${'9'.repeat(400)}h}]`,
      `${head}stages: [{users: 1, spawnRate: 1e-320}]`,
      `${head}matrix: {users: [${Array.from({ length: 20_000 }, () => '0').join(',')}]}`,
    ]) {
      expect(outcome(text)).toBe('error');
    }
  });

  it('unicode, RTL and emoji stage names give a plan with file-system-safe slugs', () => {
    const names = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && s.length <= 120);
    fc.assert(
      fc.property(fc.array(names, { minLength: 1, maxLength: 6 }), (ns) => {
        const text = stringify({ version: 1, name: 'u', stages: ns.map((name) => ({ name, users: 1 })) });
        outcome(text);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Defects fuzzing found in src/core, now fixed: each test keeps its minimal counter-example.
//

/** 10 levels × 9 aliases each: ~3.9e8 nodes if expanded. */
function billionLaughs(levels = 10): string {
  const lines = ['version: 1', 'name: x', 'stages: [{users: 1}]', 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

describe('alias bombs and huge products never hang or blow memory', () => {
  it('a billion-laughs document ends within the bound (the YAML library caps alias expansion)', () => {
    const started = performance.now();
    try {
      parseMatrix(billionLaughs(), FILE);
    } catch {
      // any outcome; the kind of error is checked below
    }
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  // Found by fuzzing, fixed (1): doc.toJS({ maxAliasCount: 50 }) throws a ReferenceError ("Excessive alias count
  // indicates a resource exhaustion attack"; "Unresolved alias …: x") that parseMatrix lets through:
  // the CLI answers "unexpected error" with exit 70 instead of a ConfigError with exit 2.
  it('a billion-laughs document is a ConfigError (today: ReferenceError)', () => {
    outcome(billionLaughs());
  });

  it('an alias to an undefined anchor is a ConfigError (today: ReferenceError)', () => {
    outcome('version: 1\nname: *x\nstages: [{users: 1}]\n');
  });

  it('token soup with anchors and aliases gives a plan or a ConfigError', () => {
    holds(aliasSoup, 2_000);
  });

  // Found by fuzzing, fixed (2): the matrix: product is not bounded. 100 × 100 × 10 values already plan 100 000 stages
  // (~0.5 s); 100 × 100 × 100 takes ~4 s, 1000 × 1000 × 1000 would never finish (or run out of
  // memory). A product above a sane ceiling should be a ConfigError at `matrix`, counted before
  // expanding.
  it('a matrix: product of 100 000 stages is refused quickly', () => {
    const list = (n: number, from = 1) => `[${Array.from({ length: n }, (_, i) => i + from).join(', ')}]`;
    const text = `version: 1\nname: big\nkubernetes: {target: {deployment: t}}\nmatrix:\n  replicas: ${list(100)}\n  users: ${list(100)}\n  spawnRate: ${list(10, 100)}\n`;
    const started = performance.now();
    expect(() => buildPlan(parseMatrix(text, FILE), FILE)).toThrow(ConfigError);
    expect(performance.now() - started).toBeLessThan(200);
  });

  // Found by fuzzing, fixed (4): durations are unbounded, but Node's timers fire after 1 ms for any delay above
  // 2^31-1 ms (24.8 days): `sampleEvery: 600h` would make the sampler poll the master every ~1 ms,
  // `cooldown: 600h` would be no cooldown. Fix: cap durations in the schema (e.g. at most 24h), or
  // clamp in the clock.
  it('a duration beyond the timer range (600h) is a ConfigError', () => {
    expect(() => buildPlan(parseMatrix('version: 1\nname: x\nstages: [{users: 1, duration: 700h, sampleEvery: 600h}]\n', FILE), FILE)).toThrow(ConfigError);
  });

  // Found by fuzzing, fixed (3): slugs are de-duplicated once only, so a later `<slug>-<index>` can equal an earlier
  // stage's slug (model.ts promises "unique within the run").
  it('stage slugs are unique within a plan (today: a, a-3, a → a, a-3, a-3)', () => {
    const plan = buildPlan(parseMatrix('version: 1\nname: x\nstages: [{name: a, users: 1}, {name: a-3, users: 1}, {name: a, users: 1}]\n', FILE), FILE);
    expect(new Set(plan.stages.map((s) => s.slug)).size).toBe(plan.stages.length);
  });

  it('stage slugs are unique for any list of stage names', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'A', 'a!', 'a-2', 'a-3', 'a-4', 'b', '--'), { minLength: 1, maxLength: 6 }), (ns) => {
        const plan = buildPlan(parseMatrix(stringify({ version: 1, name: 'x', stages: ns.map((name) => ({ name, users: 1 })) }), FILE), FILE);
        expect(new Set(plan.stages.map((s) => s.slug)).size).toBe(plan.stages.length);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});
