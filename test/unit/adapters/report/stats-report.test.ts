// The statistics as summary.md, summary.csv, report.html and run.json show them, from a run whose
// stages carry real computed statistics (a drifting stage among steady ones) and a USL model.
import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../../../src/adapters/report/summary-md.js';
import { summaryCsv } from '../../../../src/adapters/report/summary-csv.js';
import { reportHtml } from '../../../../src/adapters/report/html/index.js';
import type { RunRecord, Sample, StageResult } from '../../../../src/core/model.js';
import { RunRecordSchema } from '../../../../src/core/run-schema.js';
import { stageStats } from '../../../../src/core/stats/stage-stats.js';
import { scalabilityOf, uslThroughput } from '../../../../src/core/stats/usl.js';
import { makeRunRecord, makeStage, makeTotals } from '../../../fakes/run-record.js';
import { repeatsOf } from '../../../../src/core/stats/repeats.js';
import { stageKey } from '../../../../src/core/compare.js';
import { synthStage } from '../../core/stats/synthetic.js';

const USERS = [1, 2, 4, 8, 16, 24, 32];

function run(): RunRecord {
  const stages: StageResult[] = USERS.map((users, i) => {
    const rps = uslThroughput(users, 20, 0.05, 0.002);
    const stage = makeStage({ index: i + 1, users, totals: makeTotals({ rps, avgMs: (users / rps) * 1000 }) });
    // stage 3's latency climbs 40 % over its window; the others are flat
    const counters = synthStage({ stepMs: 3000, steps: 30, rps, meanMs: 50, noise: 0.03, phi: 0, latencyDrift: i === 2 ? 0.4 : 0 }, i + 1);
    const samples = counters.map((c): Sample => ({ ...(stage.samples[0] as Sample), ...c }));
    const withSamples = { ...stage, samples };
    return { ...withSamples, stats: stageStats(withSamples) };
  });
  const r = makeRunRecord({ stages });
  return { ...r, scalability: scalabilityOf(r) };
}

describe('statistics in the reports', () => {
  const r = run();

  it('run.json: the stats and the model pass the published schema', () => {
    const parsed = RunRecordSchema.parse(JSON.parse(JSON.stringify(r)));
    expect(parsed.stages[2]?.stats?.steady.drifting).toBe(true);
    expect(parsed.scalability?.fit?.sigma).toBeCloseTo(0.05, 2);
  });

  it('summary.md: the modelled ceiling in one line, the intervals and the drift in words', () => {
    const md = summaryMarkdown(r);
    const peak = Math.sqrt(0.95 / 0.002);
    expect(md).toContain(`- **Scalability:** modelled ceiling ≈ ${Math.round(uslThroughput(peak, 20, 0.05, 0.002))} req/s at ≈ ${Math.round(peak)} users`);
    expect(md).toMatch(/## Steady state and 95 % intervals/);
    expect(md).toMatch(/\| 3 · u4 \| [\d.]+ ± [\d.]+( ⚠)? \| [\d.]+ ± [\d.]+( ⚠)? \| 30 \| \*\*drifting:\*\* mean latency rose (3\d|4\d) % over the window \|/);
    expect(md).toMatch(/\| 1 · u1 \|.*\| steady \|/);
  });

  it('summary.csv: interval bounds and the steady flag per stage', () => {
    const [head, ...rows] = summaryCsv(r).trim().split('\n');
    const cols = (head ?? '').split(',');
    const at = (row: string | undefined, name: string) => (row ?? '').split(',')[cols.indexOf(name)];
    expect(at(rows[2], 'Steady')).toBe('no');
    expect(at(rows[0], 'Steady')).toBe('yes');
    expect(Number(at(rows[0], 'RPS_CI95_Low'))).toBeLessThan(Number(at(rows[0], 'RPS_CI95_High')));
    expect(at(rows[2], 'Drift')).toMatch(/^mean latency rose \d+ % over the window$/);
  });

  it('report.html: the fitted curve through the measured points, and the drifting stage marked', async () => {
    const html = await reportHtml(r);
    expect(html).toContain('<section id="statistics">');
    expect(html).toContain('Throughput against users: the measured stages and the fitted Universal Scalability Law');
    expect(html).toMatch(/stroke-dasharray="5,3"/); // the curve
    expect((html.match(/<circle [^>]*r="4.5"/g) ?? []).length).toBe(USERS.length); // one dot per stage
    expect(html).toMatch(/drifting<\/span> mean latency rose \d+ % over the window/);
  });

  it('summary.md and report.html: repeats as mean ± 95 % (range)', async () => {
    const base = makeRunRecord();
    const stages = [100, 110, 90].map((rps, i) => makeStage({ index: i + 1, users: 50, totals: makeTotals({ rps }) }));
    const rr: RunRecord = { ...base, stages, repeats: repeatsOf(stages, stageKey) };
    expect(summaryMarkdown(rr)).toMatch(/\| 1, 2, 3 \| users=50 spawnRate=20 duration=2m \| 3 \| 100\.0 ± 24\.8 \(90\.0–110\.0\) \|/);
    expect(await reportHtml(rr)).toContain('Repeats: mean ± 95 % over the repeats (range)');
  });
});
