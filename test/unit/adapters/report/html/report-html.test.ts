// report.html as text: self-contained (nothing to fetch), a chart per subject, every run-provided
// string escaped, and no run shape (empty, failed, single stage, null percentiles) that breaks it.
import { describe, expect, it } from 'vitest';
import { esc } from '../../../../../src/adapters/report/html/escape.js';
import { reportHtml } from '../../../../../src/adapters/report/html/index.js';
import { REPLICAS_LINE_POINTS } from '../../../../../src/adapters/report/html/sections/replicas.js';
import { STAGE_LINE_POINTS } from '../../../../../src/adapters/report/html/sections/stage-series.js';
import { evaluateSlo } from '../../../../../src/core/slo.js';
import { findBest, findKnee } from '../../../../../src/core/summary.js';
import type { Comparison, RunRecord, StageResult } from '../../../../../src/core/model.js';
import { makeRunRecord, makeStage, makeTotals, STAGE_TOTALS } from '../../../../fakes/run-record.js';

const HOSTILE = `</td><script>alert("x")</script><img src=x onerror=alert(1)> & 'q' "dq" — ünï ✓ 日本`;

function withStages(stages: StageResult[], overrides: Partial<RunRecord> = {}): RunRecord {
  return makeRunRecord({ stages, summary: { best: findBest(stages), knee: findKnee(stages) }, ...overrides });
}

/** Every <svg>…</svg> of the page. */
function svgs(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

/** The page with the text that came from the run taken out: what remains must not reach for the network. */
function withoutRunText(html: string, run: RunRecord, more: string[]): string {
  let out = html;
  for (const text of [run.environment.locust.url, run.plan.target.host, run.environment.kubernetes?.server, ...more]) {
    if (text) out = out.replaceAll(esc(text), '');
  }
  return out;
}

function assertSelfContained(html: string, run: RunRecord, runTexts: string[] = []): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/<(iframe|object|embed|img|image|use|base|audio|video|source)[\s>]/i);
  expect(html).not.toMatch(/@import/i);
  expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
  const own = withoutRunText(html, run, runTexts);
  expect(own).not.toMatch(/\s(src|href|xlink:href|srcset|action)\s*=/i);
  expect(own).not.toMatch(/https?:\/\//i);
  expect(own).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
  // The browser is told so too: nothing may be fetched, no script may run.
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
}

describe('reportHtml', () => {
  it('is one self-contained page: no external script, style, font or image', async () => {
    const run = makeRunRecord();
    const html = await reportHtml(run);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    assertSelfContained(html, run);
    // The master's and the target's URLs are shown as text.
    expect(html).toContain('<code>http://locust-master:8089</code>');
    expect(html).toContain('<code>http://inference:8000</code>');
  });

  it('draws latency, throughput, failures and one time series per stage as inline SVG', async () => {
    const run = makeRunRecord();
    const html = await reportHtml(run);
    const charts = svgs(html);
    expect(charts).toHaveLength(3 + run.stages.length);
    for (const svg of charts) {
      expect(svg).toMatch(/^<svg role="img" aria-label="[^"]+"/);
      expect(svg).toMatch(/viewBox="0 0 \d+(\.\d+)? \d+(\.\d+)?"/);
      expect(svg).toMatch(/<path/);
    }
    expect(html).toContain('aria-label="Latency percentiles p50, p90, p95 and p99 against users"');
    expect(html).toContain('aria-label="Throughput in requests per second against users"');
    expect(html).toContain('aria-label="Failed requests in percent per stage"');
    for (const s of run.stages) expect(html).toContain(`id="stage-${s.index}"`);
    // Legends and titles are drawn: the latency chart names its percentiles.
    const latency = charts.find((c) => c.includes('aria-label="Latency percentiles p50')) ?? '';
    for (const p of ['p50', 'p90', 'p95', 'p99']) expect(latency).toContain(`>${p}</text>`);
    expect(latency).toContain('>knee: 400 users</text>');
    // No replicas chart without Kubernetes, no capacity, no comparison sections.
    expect(html).not.toContain('id="replicas"');
    expect(html).not.toContain('id="capacity"');
    expect(html).not.toContain('id="comparison"');
  });

  it('has the header, the summary table, the best throughput and the knee', async () => {
    const run = makeRunRecord();
    const html = await reportHtml(run);
    expect(html).toContain('<h1>Load test: inference-capacity</h1>');
    expect(html).toContain('<code>20261128-100000-inference-capacity</code>');
    expect(html).toContain('status: completed');
    expect(html).toContain('verdict: none');
    expect(html).toContain('2.46.3 at <code>http://locust-master:8089</code>');
    expect(html).toContain('2026-11-28 10:00:00 UTC →');
    for (const h of ['Stage', 'Users', 'Spawn rate', 'Requests', 'RPS', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'Max (ms)', 'Fail %', 'Status']) {
      expect(html).toMatch(new RegExp(`<th( class="num")?>${h.replace(/[()]/g, '\\$&')}</th>`));
    }
    expect(html).toContain('<td class="num">59,662</td><td class="num">512.1</td><td class="num">210</td><td class="num">620</td>');
    expect(html).toContain('<strong>512.1 req/s</strong> at 400 users');
    expect(html).toMatch(/<h2>Knee<\/h2><div><strong>400 users<\/strong> \(stage 3 · u400\): p95 rose/);
    expect(html).toContain('<span class="tag good">best</span>');
    expect(html).toContain('<span class="tag warnt">knee</span>');
    expect(html).toContain('HTTPError(&#39;503 Server Error: Service Unavailable for url: /predict&#39;)');
  });

  it('escapes every string from the run: names, reasons, errors, URLs, failures', async () => {
    const stages = [
      makeStage({ index: 1, users: 100, totals: STAGE_TOTALS[0] ?? null }),
      makeStage(
        { index: 2, users: 200, totals: STAGE_TOTALS[1] ?? null, failures: [{ method: 'POST', name: HOSTILE, error: HOSTILE, occurrences: 3 }] },
        {
          slo: evaluateSlo(
            { p50Ms: null, p90Ms: null, p95Ms: 50, p99Ms: null, avgMs: null, maxMs: null, failRatio: null, minRps: null },
            STAGE_TOTALS[1] ?? null,
          ),
        },
      ),
      makeStage({ index: 3, users: 400, totals: null, status: 'failed', reason: HOSTILE }),
    ].map((s) => ({ ...s, name: `${s.name} ${HOSTILE}` }));
    const run = withStages(stages, {
      name: HOSTILE,
      runId: `id-${HOSTILE}`,
      error: HOSTILE,
      status: 'failed',
      environment: {
        driver: '0.1.0',
        node: 'v24.22.3',
        locust: { version: HOSTILE, url: `http://m:8089/?a=1&b="<x>"`, embedded: false, schema: 'modern', api: null, plugin: null },
        kubernetes: null,
        workers: 4,
      },
    });
    const html = await reportHtml(run);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</td><script');
    expect(html).not.toMatch(/<[^>]*\sonerror=/i);
    const escaped = esc(HOSTILE);
    expect(escaped).toBe(
      '&lt;/td&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39; &quot;dq&quot; — ünï ✓ 日本',
    );
    expect(html).toContain(`<h1>Load test: ${escaped}</h1>`);
    expect(html).toContain(`<title>${escaped} · id-${escaped} · load test report</title>`);
    expect(html).toContain(`<code>http://m:8089/?a=1&amp;b=&quot;&lt;x&gt;&quot;</code>`);
    expect(html).toContain(`<strong>Error:</strong> ${escaped}`);
    expect(html).toContain(`2 · u200 ${escaped}`);
    expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(10);
    // Only the run's own text is left once removed: the tags around it are the page's.
    expect(html.replaceAll(escaped, '')).not.toMatch(/[<>]\s*(script|img)/i);
    assertSelfContained(html, run, [HOSTILE, run.environment.locust.url]);
  });

  it('renders a run with no stages', async () => {
    const run = withStages([], { status: 'failed', error: 'master unreachable within 60 s', finishedAt: '2026-11-28T10:01:00.000Z' });
    const html = await reportHtml(run);
    expect(html).toContain('No stage has finished yet.');
    expect(html).toContain('No stage has numbers yet: nothing to chart.');
    expect(html).toContain('none: no stage completed with requests');
    expect(html).toContain('master unreachable within 60 s');
    expect(svgs(html)).toHaveLength(0);
    assertSelfContained(html, run);
  });

  it('renders a run whose stages all failed or were aborted, without totals or samples', async () => {
    const stages = [
      makeStage({ index: 1, users: 100, totals: null, status: 'failed', reason: 'the master reported 0 of 100 users after 300 s' }),
      makeStage({ index: 2, users: 200, totals: null, status: 'aborted', reason: 'interrupted by SIGINT' }),
      makeStage({ index: 3, users: 400, totals: null, status: 'skipped', reason: 'skipped after the abort' }),
    ];
    const run = withStages(stages, { status: 'aborted' });
    const html = await reportHtml(run);
    expect(html).toContain('<h2>Stages that did not complete</h2>');
    expect(html).toContain('the master reported 0 of 100 users after 300 s');
    expect(html).toContain('<span class="badge bad">aborted</span> interrupted by SIGINT');
    expect(html).toContain('No samples were recorded.');
    expect(svgs(html)).toHaveLength(0);
    assertSelfContained(html, run);
  });

  it('renders a single stage, null percentiles and a stage measured without requests', async () => {
    const nulls = makeTotals({ requests: 0, rps: 0, avgMs: null, minMs: null, maxMs: null, p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null });
    const one = withStages([makeStage({ index: 1, users: 50, totals: STAGE_TOTALS[0] ?? null })]);
    const html1 = await reportHtml(one);
    expect(svgs(html1)).toHaveLength(4);
    expect(html1).toContain('none: needs at least two completed stages with different user counts');

    const empty = withStages([makeStage({ index: 1, users: 50, totals: nulls }), makeStage({ index: 2, users: 100, totals: STAGE_TOTALS[0] ?? null })]);
    const html2 = await reportHtml(empty);
    expect(html2).toContain('<td class="num">–</td>'); // null percentiles as a dash
    expect(svgs(html2).length).toBeGreaterThanOrEqual(3);

    // Samples whose rolling values are not there yet (null) at the start of the window.
    const stage = makeStage({ index: 1, users: 50, totals: nulls });
    const allNull = withStages([{ ...stage, samples: stage.samples.map((x) => ({ ...x, rps: null, p50Ms: null, p95Ms: null })) }]);
    const html3 = await reportHtml(allNull);
    expect(html3).toContain('No latency percentiles were recorded.');
    expect(html3).toContain('no request failed');
    assertSelfContained(html3, allNull);
  });

  it('shows SLO verdicts with the breaches highlighted', async () => {
    const slo = { p50Ms: null, p90Ms: null, p95Ms: 300, p99Ms: null, avgMs: null, maxMs: null, failRatio: 0.001, minRps: 450 };
    const stages = [
      makeStage({ index: 1, users: 100, totals: STAGE_TOTALS[0] ?? null }, { slo: evaluateSlo(slo, STAGE_TOTALS[0] ?? null) }),
      makeStage({ index: 3, users: 400, totals: STAGE_TOTALS[2] ?? null }, { slo: evaluateSlo(slo, STAGE_TOTALS[2] ?? null) }),
    ];
    const html = await reportHtml(withStages(stages, { verdict: 'fail' }));
    expect(html).toContain('<h2>SLO verdicts</h2>');
    expect(html).toMatch(
      /<tr class="breach"><td rowspan="3">stage 3 · u400<\/td><td>p95<\/td><td class="num">300 ms<\/td><td class="num">620 ms<\/td><td><span class="badge bad">fail<\/span><\/td><td>p95 620 ms &gt; 300 ms<\/td><\/tr>/,
    );
    expect(html).toContain(
      '<td>min throughput</td><td class="num">450.0 req/s</td><td class="num">195.5 req/s</td><td><span class="badge bad">fail</span></td>',
    );
    expect(html).toContain('<td>failures</td><td class="num">0.10%</td><td class="num">0.06%</td><td><span class="badge good">pass</span></td>');
    expect(html).toContain('2 thresholds breached.');
    expect(html).toContain('<span class="badge bad">SLO breach</span>');
    expect(html).toContain('breached in 2 stages');
  });

  it('shows the comparison with a baseline, regressions flagged', async () => {
    const run = makeRunRecord();
    const comparison: Comparison = {
      baselineRunId: 'base-<1>',
      baselineStartedAt: '2026-11-21T10:00:00.000Z',
      tolerances: { p95: 0.1, rps: -0.05 },
      regression: true,
      reason: 'p95 of stage 3 rose 21.6% (allowed 10.0%)',
      stages: [
        {
          key: 'users=400 spawnRate=20',
          baselineIndex: 3,
          currentIndex: 3,
          regression: true,
          deltas: [
            { metric: 'p95', baseline: 510, current: 620, change: 620 / 510 - 1, regression: true, reason: 'p95 620 ms vs 510 ms: +21.6% > +10.0%' },
            { metric: 'rps', baseline: 500, current: 512.1, change: 0.0242, regression: false, reason: 'ok' },
          ],
        },
        { key: 'users=800', baselineIndex: 4, currentIndex: null, regression: false, deltas: [] },
      ],
    };
    const html = await reportHtml({ ...run, comparison });
    expect(html).toContain('Baseline <code>base-&lt;1&gt;</code>, started 2026-11-21 10:00:00 UTC.');
    expect(html).toContain(
      '<td class="num regress" title="p95 620 ms vs 510 ms: +21.6% &gt; +10.0%"><span class="big">+21.6%</span><span class="small">510 ms → 620 ms</span></td>',
    );
    expect(html).toContain('<span class="big">+2.4%</span><span class="small">500.0/s → 512.1/s</span>');
    expect(html).toContain('only in the baseline');
    expect(html).toContain('Allowed change: p95 +10.0%, rps -5.0%.');
    expect(html).toContain('<strong class="bad">regression</strong>');
  });

  it('charts replicas over time when the run managed Kubernetes, and the capacity probes', async () => {
    const stages = [100, 200, 400].map((users, i) => {
      const s = makeStage({ index: i + 1, users, totals: STAGE_TOTALS[i] ?? null, replicas: 2 + i, workers: 4 });
      return {
        ...s,
        samples: s.samples.map((x, j) => ({
          ...x,
          replicasReady: 2 + i + (j > 10 ? 1 : 0),
          replicasDesired: 3 + i,
          hpaCurrent: null,
          hpaDesired: 3 + i,
          hpaCpuPercent: null,
        })),
      };
    });
    const run = withStages(stages, {
      capacity: {
        users: 200,
        breachedAt: 400,
        probes: [
          { stageIndex: 1, users: 100, pass: true },
          { stageIndex: 2, users: 200, pass: true },
          { stageIndex: 3, users: 400, pass: false },
        ],
        reason: '200 users met the SLO; 400 breached it',
      },
      environment: {
        ...makeRunRecord().environment,
        kubernetes: { namespace: 'load<test>', server: 'https://10.0.0.1:6443', inCluster: true, baseline: null },
      },
    });
    const html = await reportHtml(run);
    expect(html).toContain('aria-label="Target replicas over the run: ready, desired and HPA desired"');
    expect(html).toContain('namespace <code>load&lt;test&gt;</code>');
    expect(html).toContain('aria-label="Capacity search: each probe&#39;s users and whether it met the SLO"');
    expect(html).toContain('<strong>200 users</strong> met the SLO; 400 users breached it.');
    // 3 setups (2, 3, 4 replicas): latency, throughput, failures, replicas, capacity, 3 stages.
    expect(svgs(html)).toHaveLength(8);
    const chart = (label: string) => svgs(html).find((c) => c.includes(`aria-label="${label}`)) ?? '';
    for (const l of ['ready', 'desired', 'HPA desired']) expect(chart('Target replicas')).toContain(`>${l}</text>`);
    for (const l of ['pass', 'fail', 'capacity 200', 'breach 400']) expect(chart('Capacity search')).toContain(`>${l}</text>`);
    expect(html).toContain('aria-label="Latency percentiles against users, a panel per setup"');
    assertSelfContained(html, run);
  });

  it('renders a 24-stage run of 60 samples each with a chart per stage (its speed is a benchmark, not a test)', async () => {
    const stages: StageResult[] = [];
    for (let i = 0; i < 24; i++) {
      const users = 50 * (1 + (i % 8));
      const t = makeTotals({ rps: users * 1.9, p50Ms: 30 + users / 10, p95Ms: 60 + users / 4, p99Ms: 90 + users / 2 });
      const s = makeStage({ index: i + 1, users, totals: t, replicas: 1 + Math.floor(i / 8), workers: 4, startOffsetMs: i * 130_000 });
      // 60 samples over a 120 s window (one every 2 s).
      stages.push({ ...s, samples: s.samples.concat(s.samples.slice(-2)).slice(0, 60) });
    }
    expect(stages.every((s) => s.samples.length === 60)).toBe(true);
    const run = withStages(stages);
    const html = await reportHtml(run);
    expect(svgs(html)).toHaveLength(3 + 24);
  });
});

describe('long runs in report.html', () => {
  it('draws a day of 1-s samples with bounded lines, the replicas chart too', async () => {
    const base = makeStage({ index: 1, users: 100, totals: STAGE_TOTALS[0] ?? null });
    const t0 = Date.parse(base.startedAt);
    const samples = Array.from({ length: 86_400 }, (_, i) => ({
      ...(base.samples[0] as NonNullable<(typeof base.samples)[0]>),
      at: new Date(t0 + i * 1000).toISOString(),
      elapsedMs: i * 1000,
      rps: 190 + (i % 13),
      p50Ms: 38 + (i % 5),
      p95Ms: i === 50_000 ? 9_999 : 95 + (i % 11),
      replicasReady: 2 + (i > 40_000 ? 1 : 0),
      replicasDesired: 3,
      hpaDesired: 3,
    }));
    const run = withStages([{ ...base, samples }, makeStage({ index: 2, users: 200, totals: STAGE_TOTALS[1] ?? null })]);
    const html = await reportHtml(run);
    const stage = svgs(html).find((c) => c.includes('aria-label="Stage 1:')) ?? '';
    const longest = Math.max(
      ...[...stage.matchAll(/<path d="(M[^"]*)" stroke="#[0-9a-f]+" stroke-width="2" stroke-linejoin/g)].map((m) => (m[1] ?? '').split(/[ML]/).length - 1),
    );
    expect(longest).toBeGreaterThan(100);
    expect(longest).toBeLessThanOrEqual(STAGE_LINE_POINTS);
    expect(stage).toContain('>10,000</text>'); // the one 9 999 ms spike sets the scale: it was kept
    expect(html).toContain('86,400 samples (drawn as 420 time slices');
    const replicas = svgs(html).find((c) => c.includes('aria-label="Target replicas')) ?? '';
    const steps = Math.max(...[...replicas.matchAll(/<path d="(M[^"]*)"/g)].map((m) => (m[1] ?? '').split(/[MHV]/).length));
    expect(steps).toBeLessThanOrEqual(2 * REPLICAS_LINE_POINTS + 2);
    expect(html).toContain('equal time slices; <code>stages/*/replicas.csv</code> has every sample.');
  });
});
