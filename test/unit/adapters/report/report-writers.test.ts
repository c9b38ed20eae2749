import { parseCsvStrict } from '../../../support/strict-csv.js';
import { describe, expect, it } from 'vitest';
import { formatNumber, round, toCsv } from '../../../../src/adapters/report/csv-format.js';
import { runJson } from '../../../../src/adapters/report/run-json.js';
import { samplesCsv } from '../../../../src/adapters/report/samples-csv.js';
import { summaryCsv } from '../../../../src/adapters/report/summary-csv.js';
import { summaryMarkdown } from '../../../../src/adapters/report/summary-md.js';
import { comparisonMarkdown } from '../../../../src/adapters/report/summary-md.js';
import { compareRuns, DEFAULT_TOLERANCES } from '../../../../src/core/compare.js';
import type { RunRecord, SloSpec } from '../../../../src/core/model.js';
import { RunRecordSchema, runJsonSchema } from '../../../../src/core/run-schema.js';
import { evaluateSlo } from '../../../../src/core/slo.js';
import { makeRunRecord, makeStage, makeTotals, STAGE_TOTALS } from '../../../fakes/run-record.js';

/** What we write must read back as what we meant, through a strict RFC 4180 reader. */
const parseCsv = parseCsvStrict;

const EXPECTED_HEADER =
  'Replicas,Workers,Users,RPS,Median_ms,P95_ms,P99_ms,Failures_Pct,Requests,Duration_s,' +
  'Stage,Name,Status,SpawnRate,Failures,Avg_ms,Min_ms,Max_ms,P66_ms,P75_ms,P80_ms,P90_ms,P98_ms,P99.9_ms,P99.99_ms,' +
  'Max_Workers_CPU_Pct,Ramp_s,Window_Start,Window_End,Reason,' +
  'RPS_CI95_Low,RPS_CI95_High,Avg_ms_CI95_Low,Avg_ms_CI95_High,Steady,Drift';

describe('toCsv', () => {
  it('quotes commas, quotes, line breaks and keeps unicode as is', () => {
    const names = ['/predict?a=1,b=2', 'say "hi"', 'two\nlines', 'crlf\r\nend', 'Übergröße → 日本語 🚀', ' padded ', ''];
    const csv = toCsv(
      ['name', 'n'],
      names.map((n, i) => [n, i]),
    );
    expect(csv).toContain('"/predict?a=1,b=2"');
    expect(csv).toContain('"say ""hi"""');
    expect(csv).toContain('Übergröße → 日本語 🚀,4');
    expect(parseCsv(csv)).toEqual([['name', 'n'], ...names.map((n, i) => [n, String(i)])]);
  });

  it('ends every line with \\n and writes a header-only file for no rows', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b\n');
    expect(toCsv(['a'], [[1], [2]])).toBe('a\n1\n2\n');
  });

  it('writes null as an empty cell', () => {
    expect(toCsv(['a', 'b', 'c'], [[null, 'x', null]])).toBe('a,b,c\n,x,\n');
  });

  it('writes numbers without exponents or float noise', () => {
    expect(toCsv(['x'], [[1e-7], [0.1 + 0.2], [1e21], [123456789012], [-0], [Number.NaN], [2.5]])).toBe(
      'x\n0\n0.3\n1000000000000000000000\n123456789012\n0\n\n2.5\n',
    );
    expect(formatNumber(100, 0)).toBe('100');
    expect(formatNumber(812.4)).toBe('812.4');
  });

  it('rounds to the report units', () => {
    expect(round(41.26, 1)).toBe(41.3);
    expect(round(812.4049, 2)).toBe(812.4);
    expect(round(-1.25, 1)).toBe(-1.3);
    expect(round(null, 1)).toBeNull();
    expect(round(Number.POSITIVE_INFINITY, 1)).toBeNull();
  });
});

describe('summaryCsv', () => {
  it('starts with the original driver’s columns, in order, then the rest', () => {
    const header = summaryCsv(makeRunRecord()).split('\n')[0];
    expect(header).toBe(EXPECTED_HEADER);
  });

  it('writes one row per stage with rounded numbers', () => {
    const rows = parseCsv(summaryCsv(makeRunRecord()));
    expect(rows).toHaveLength(4);
    const cols = rows[0] ?? [];
    const get = (r: number, name: string): string | undefined => rows[r]?.[cols.indexOf(name)];
    // Stage 1: replicas not managed → empty; workers from the environment.
    expect(rows[1]?.slice(0, 10)).toEqual(['', '4', '100', '195.5', '38', '95', '140', '0', '23460', '117']);
    // Stage 3: 37 failures in 59 662 requests.
    expect(get(3, 'Failures_Pct')).toBe('0.062');
    expect(get(3, 'Failures')).toBe('37');
    expect(get(3, 'Max_ms')).toBe('2310.5');
    expect(get(3, 'P99.9_ms')).toBe('1700');
    expect(get(3, 'Stage')).toBe('3');
    expect(get(3, 'Name')).toBe('u400');
    expect(get(3, 'Status')).toBe('completed');
    expect(get(3, 'SpawnRate')).toBe('20');
    expect(get(3, 'Ramp_s')).toBe('21');
    expect(get(3, 'Max_Workers_CPU_Pct')).toBe('60');
    expect(get(3, 'Window_Start')).toMatch(/^2026-11-28T10:\d\d:\d\d\.\d{3}Z$/);
    expect(get(3, 'Reason')).toBe('');
  });

  it('uses the stage’s own replicas and workers when they were managed', () => {
    const stage = makeStage({ index: 1, users: 200, totals: makeTotals(), replicas: 2, workers: 8 });
    const rows = parseCsv(summaryCsv(makeRunRecord({ stages: [stage] })));
    expect(rows[1]?.slice(0, 3)).toEqual(['2', '8', '200']);
  });

  it('leaves the numbers empty for a stage without a window, and quotes its reason', () => {
    const failed = makeStage({ index: 1, users: 800, totals: null, status: 'failed', reason: 'ramp timed out: 612 of 800 users, "spawning" after 5m' });
    const rows = parseCsv(summaryCsv(makeRunRecord({ stages: [failed] })));
    const cols = rows[0] ?? [];
    const r = rows[1] ?? [];
    expect(r.slice(2, 10)).toEqual(['800', '', '', '', '', '', '', '']);
    expect(r[cols.indexOf('Status')]).toBe('failed');
    expect(r[cols.indexOf('Reason')]).toBe('ramp timed out: 612 of 800 users, "spawning" after 5m');
  });
});

describe('summaryMarkdown', () => {
  const md = summaryMarkdown(makeRunRecord());

  it('has a title, the run, Locust and workers', () => {
    expect(md.startsWith('# Load test: inference-capacity\n')).toBe(true);
    expect(md).toContain('`20261128-100000-inference-capacity`');
    expect(md).toContain('**status:** completed');
    expect(md).toContain('2026-11-28 10:00:00 UTC');
    expect(md).toContain('2.46.3 at `http://locust-master:8089` · 4 workers');
  });

  it('has a table with one row per stage', () => {
    const lines = md.split('\n');
    const head = lines.findIndex((l) => l.startsWith('| Stage |'));
    expect(lines[head]).toBe('| Stage | Users | Spawn rate | Requests | RPS | p50 (ms) | p95 (ms) | p99 (ms) | Max (ms) | Fail % | Status |');
    expect(lines[head + 1]).toMatch(/^\|:---\|(---:\|){9}:---\|$/);
    expect(lines[head + 2]).toBe('| 1 · u100 | 100 | 20/s | 23,460 | 195.5 | 38 | 95 | 140 | 413 | 0.00 | completed |');
    expect(lines[head + 4]).toBe('| 3 · u400 | 400 | 20/s | 59,662 | 512.1 | 210 | 620 | 980 | 2311 | 0.06 | completed |');
    expect(lines[head + 5]).toBe('');
  });

  it('names the best throughput and the knee', () => {
    expect(md).toContain('- **Best throughput:** 512.1 req/s at 400 users (stage 3 · u400, p95 620 ms)');
    expect(md).toContain(
      '- **Knee:** stage 3 · u400: p95 rose from 95 ms at 100 users to 620 ms at 400 users (6.5×) while throughput grew only 1.3× (389.7 → 512.1 req/s) for 2× the users\n',
    );
  });

  it('names the replicas and workers of the best stage when they were managed', () => {
    const stage = makeStage({ index: 1, users: 400, totals: makeTotals({ rps: 812.4, p95Ms: 120 }), replicas: 4, workers: 8 });
    const out = summaryMarkdown(makeRunRecord({ stages: [stage] }));
    expect(out).toContain('- **Best throughput:** 812.4 req/s at 400 users with 4 replicas, 8 workers (stage 1 · u400, p95 120 ms)');
    expect(out).toContain('| Stage | Replicas | Workers | Users |');
    expect(out).toContain('| 1 · u400 | 4 | 8 | 400 |');
  });

  it('says so when latency stayed flat', () => {
    const flat = [
      makeStage({ index: 1, users: 100, totals: makeTotals({ rps: 200, p95Ms: 50 }) }),
      makeStage({ index: 2, users: 200, totals: makeTotals({ rps: 400, p95Ms: 52 }) }),
    ];
    expect(summaryMarkdown(makeRunRecord({ stages: flat }))).toContain('- **Knee:** no knee: latency stayed flat up to 200 users');
  });

  it('lists the stages that did not complete with their reason, and the top failures', () => {
    const stages = [
      makeStage({ index: 1, users: 100, totals: STAGE_TOTALS[0] ?? null }),
      makeStage({
        index: 2,
        users: 200,
        totals: null,
        status: 'aborted',
        reason: 'interrupted by SIGTERM',
      }),
      makeStage({ index: 3, users: 400, totals: null, status: 'skipped', reason: 'the run was interrupted' }),
    ];
    const out = summaryMarkdown(makeRunRecord({ stages, status: 'aborted' }));
    expect(out).toContain('## Stages that did not complete');
    expect(out).toContain('- 2 · u200: **aborted** – interrupted by SIGTERM');
    expect(out).toContain('- 3 · u400: **skipped** – the run was interrupted');
    expect(out).toContain('- **Knee:** none: needs at least two completed stages with different user counts');
    expect(md).toContain('## Failures');
    expect(md).toContain("| 3 · u400 | POST /predict | HTTPError('503 Server Error: Service Unavailable for url: /predict') | 37 |");
  });

  it('keeps a stage name with a pipe inside its table cell', () => {
    const stage = makeStage({ index: 1, users: 100, totals: makeTotals() }, { name: 'a|b' });
    const row = summaryMarkdown(makeRunRecord({ stages: [stage] }))
      .split('\n')
      .find((l) => l.startsWith('| 1 ·'));
    expect(row).toContain('| 1 · a\\|b |');
    expect(row?.split(/(?<!\\)\|/).length).toBe(13);
  });

  it('explains how to read the numbers', () => {
    expect(md).toContain('## How to read this');
    expect(md).toMatch(/after the ramp-up/);
    expect(md).toMatch(/cumulative over the whole window/);
  });

  it('shows progress while the run is going', () => {
    const running = makeRunRecord({ status: 'running', finishedAt: null });
    running.stages = running.stages.slice(0, 1);
    const out = summaryMarkdown(running);
    expect(out).toContain('**status:** running (1 of 3 stages finished)');
    expect(out).toContain('still running');
  });
});

describe('summaryMarkdown verdicts', () => {
  const SLO: SloSpec = { p50Ms: null, p90Ms: null, p95Ms: 500, p99Ms: null, avgMs: null, maxMs: null, failRatio: 0.01, minRps: null };

  /** The fake run judged by p95 ≤ 500 ms and failures ≤ 1 %: stage 3 (p95 620 ms) breaches it. */
  function judged(overrides: Partial<RunRecord> = {}): RunRecord {
    const base = makeRunRecord();
    const stages = base.stages.map((s) => ({ ...s, slo: evaluateSlo(SLO, s.totals) }));
    const verdict = stages.some((s) => s.slo.some((v) => !v.pass)) ? 'fail' : 'pass';
    return { ...base, verdict, stages, plan: { ...base.plan, stages: base.plan.stages.map((p) => ({ ...p, slo: SLO })) }, ...overrides };
  }

  it('says none without an SLO or a baseline, and has no SLO column then', () => {
    const md = summaryMarkdown(makeRunRecord());
    expect(md).toContain('- **Verdict:** none (no SLO, no baseline)\n');
    expect(md).not.toContain('**SLO:**');
    expect(md).not.toMatch(/\| SLO \|/);
  });

  it('names the thresholds, the verdict and each stage’s breaches', () => {
    const md = summaryMarkdown(judged());
    expect(md).toContain('- **Verdict:** **fail** – SLO breached in 1 stage: 3 · u400 (p95 620 ms > 500 ms)\n');
    expect(md).toContain('- **SLO:** p95 ≤ 500 ms, failures ≤ 1.00%\n');
    const lines = md.split('\n');
    const head = lines.findIndex((l) => l.startsWith('| Stage |'));
    expect(lines[head]).toMatch(/\| Status \| SLO \|$/);
    expect(lines[head + 1]).toMatch(/^\|:---\|(---:\|){9}:---\|:---\|$/);
    expect(lines[head + 2]).toMatch(/\| completed \| pass \|$/);
    expect(lines[head + 4]).toMatch(/\| completed \| \*\*fail\*\*: p95 620 ms > 500 ms \|$/);
  });

  it('passes when every SLO held', () => {
    const run = judged();
    run.stages = run.stages.slice(0, 2);
    run.verdict = 'pass';
    expect(summaryMarkdown(run)).toContain('- **Verdict:** **pass** – every SLO held in 2 stages\n');
  });

  it('does not judge an invalid stage, and says why the verdict is fail', () => {
    const run = judged();
    run.stages = run.stages.map((s) =>
      s.index === 2 ? { ...s, status: 'invalid' as const, reason: 'worker CPU 97% ≥ 90%: the load generators were saturated' } : s,
    );
    const md = summaryMarkdown(run);
    expect(md).toContain('3 · u400 (p95 620 ms > 500 ms); 2 · u200 invalid\n');
    expect(md).toMatch(/\| \*\*invalid\*\* \| not judged \(invalid\) \|$/m);
  });

  it('gives the capacity answer and the probes', () => {
    const run = judged({
      verdict: 'pass',
      capacity: {
        users: 240,
        breachedAt: 260,
        probes: [
          { stageIndex: 1, users: 160, pass: true },
          { stageIndex: 2, users: 320, pass: false },
          { stageIndex: 3, users: 240, pass: true },
          { stageIndex: 4, users: 260, pass: false },
        ],
        reason: '240 users meet the SLO; 260 breach it (p95 612 ms > 500 ms); known within 20 users after 4 probes',
      },
    });
    const md = summaryMarkdown(run);
    expect(md).toContain('- **Capacity:** 240 users meet the SLO; 260 breach it (p95 612 ms > 500 ms); known within 20 users after 4 probes\n');
    expect(md).toContain('- **Probes:** 160 users pass · 320 users **fail** · 240 users pass · 260 users **fail**\n');
  });

  it('shows the comparison with a baseline: verdict, tolerances and a table of changes', () => {
    const baseline = makeRunRecord({ runId: 'nightly-1' });
    const run = makeRunRecord({ runId: 'nightly-2' });
    run.stages = run.stages.map((s) => (s.index === 3 ? { ...s, totals: makeTotals({ ...(s.totals ?? {}), p95Ms: 800 }) } : s));
    run.comparison = compareRuns(baseline, run, DEFAULT_TOLERANCES);
    run.verdict = 'fail';
    const md = summaryMarkdown(run);
    expect(md).toContain('- **Verdict:** **fail** – **regression** against `nightly-1`\n');
    expect(md).toContain('## Comparison with `nightly-1`\n');
    expect(md).toContain('- **Baseline:** `nightly-1`, started 2026-11-28 10:00:00 UTC · tolerances p95 +10 %, p99 +15 %, rps -5 %, failRatio +1 pp\n');
    expect(md).toContain(
      '- **Result:** **regression** – regression in 1 of 3 compared stages against nightly-1: stage 3 · u400: p95 +29.0 % (620 → 800 ms) > +10 %\n',
    );
    expect(md).toContain('| Stage | Parameters | p95 (ms) | p99 (ms) | RPS | Fail % | Result |\n|:---|:---|---:|---:|---:|---:|:---|\n');
    expect(md).toContain(
      '| 1 · u100 | `users=100 spawnRate=20 duration=2m` | 95 → 95 (+0.0 %) | 140 → 140 (+0.0 %) | 195.5 → 195.5 (+0.0 %) | 0.00 → 0.00 (+0.00 pp) | ok |',
    );
    expect(md).toContain('| 3 · u400 | `users=400 spawnRate=20 duration=2m` | 620 → 800 (**+29.0 %**) | 980 → 980 (+0.0 %) |');
    expect(md).toMatch(/\| \*\*regression\*\* \|\n/);
  });

  it('says a run without an SLO was compared, when it found no regression', () => {
    const baseline = makeRunRecord({ runId: 'nightly-1' });
    const run = makeRunRecord({ runId: 'nightly-2', verdict: 'none' });
    run.comparison = compareRuns(baseline, run, DEFAULT_TOLERANCES);
    expect(summaryMarkdown(run)).toContain('- **Verdict:** none (no SLO; no regression against `nightly-1`)\n');
  });

  it('lists unmatched stages in the comparison, and compare prints both runs', () => {
    const baseline = makeRunRecord({ runId: 'nightly-1' });
    const run = makeRunRecord({
      runId: 'nightly-2',
      stages: [makeStage({ index: 1, users: 100, totals: makeTotals() }), makeStage({ index: 2, users: 800, totals: makeTotals() })],
    });
    run.comparison = compareRuns(baseline, run, { p95: 0.1 });
    const text = comparisonMarkdown(run.comparison, run, baseline);
    expect(text).toContain('- **Baseline:** `nightly-1` (2026-11-28 10:00:00 UTC, completed)\n- **Current:** `nightly-2`');
    expect(text).toContain('- **Tolerances:** p95 +10 %\n');
    expect(text).toContain('| 2 · u800 | `users=800 spawnRate=20 duration=2m` | – | only in this run: no baseline stage with these parameters |');
    expect(text).toContain(
      '| baseline 3 · u400 | `users=400 spawnRate=20 duration=2m` | – | only in the baseline: no stage of this run with these parameters |',
    );
  });
});

describe('samplesCsv', () => {
  it('writes the time series with its columns', () => {
    const run = makeRunRecord();
    const samples = run.stages[0]?.samples ?? [];
    const rows = parseCsv(samplesCsv(samples));
    expect(rows[0]).toEqual([
      'at',
      'elapsed_s',
      'users',
      'workers',
      'requests',
      'failures',
      'rps',
      'fail_per_s',
      'p50_ms',
      'p95_ms',
      'worker_cpu_max_pct',
      'replicas_ready',
      'replicas_desired',
      'hpa_current',
      'hpa_desired',
      'hpa_cpu_pct',
      'stale',
    ]);
    expect(rows).toHaveLength(samples.length + 1);
    expect(rows[1]?.[0]).toBe(samples[0]?.at);
    expect(rows[1]?.[1]).toBe('2');
    expect(rows[1]?.[2]).toBe('100');
  });

  it('writes missing rolling values as empty cells', () => {
    const csv = samplesCsv([
      {
        at: '2026-11-28T10:00:07.290Z',
        elapsedMs: 1_250,
        users: 100,
        workers: 4,
        requests: 0,
        failures: 0,
        rps: null,
        failPerSec: null,
        p50Ms: null,
        p95Ms: null,
        workerCpuMaxPercent: null,
        replicasReady: null,
        replicasDesired: null,
        hpaCurrent: null,
        hpaDesired: null,
        hpaCpuPercent: null,
        stale: true,
      },
    ]);
    // the last column: the master answered from its cache (a repeat of the previous row)
    expect(csv.split('\n')[1]).toBe('2026-11-28T10:00:07.290Z,1.25,100,4,0,0,,,,,,,,,,,1');
  });
});

describe('runJson', () => {
  it('is 2-space JSON with a final newline that reads back to the same record', () => {
    const run = makeRunRecord();
    const text = runJson(run);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(RunRecordSchema.parse(JSON.parse(text))).toEqual(run);
  });
});

describe('RunRecordSchema', () => {
  it('rejects another schema version, a missing field and a non-UTC timestamp', () => {
    const run = makeRunRecord();
    expect(RunRecordSchema.safeParse({ ...run, schemaVersion: 2 }).success).toBe(false);
    const { verdict: _verdict, ...noVerdict } = run;
    expect(RunRecordSchema.safeParse(noVerdict).success).toBe(false);
    expect(RunRecordSchema.safeParse({ ...run, startedAt: '2026-11-28 10:00:00' }).success).toBe(false);
  });

  it('publishes a JSON Schema with the stable fields required', () => {
    const schema = runJsonSchema() as {
      $schema: string;
      required: string[];
      properties: { schemaVersion: { const: number }; stages: { items: { required: string[] } } };
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.schemaVersion.const).toBe(1);
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'runId', 'startedAt', 'finishedAt', 'status', 'verdict', 'stages']));
    expect(schema.properties.stages.items.required).toEqual(
      expect.arrayContaining(['index', 'name', 'status', 'users', 'spawnRate', 'replicas', 'workers', 'window', 'totals', 'endpoints']),
    );
  });
});
