// report.html in a real headless Chromium (Debian's /usr/bin/chromium, driven by puppeteer-core):
// opened as file:// with the network off and every non-file:/data: request refused, the page must
// load without a console error, warning or page error, show every chart with a real size and the
// SLO breach, and leave a full-page screenshot in test-results/ for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../src/adapters/report/html/index.js';
import { evaluateSlo } from '../../src/core/slo.js';
import { findBest, findKnee } from '../../src/core/summary.js';
import type { Comparison, RunRecord, Sample, SloSpec, StageResult } from '../../src/core/model.js';
import { makeRunRecord, makeStage, makeTotals, RUN_START, STAGE3_FAILURES, STAGE_TOTALS } from '../fakes/run-record.js';
import { ROOT } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUT = path.join(ROOT, 'test-results');
const HOSTILE = 'u400 <script>alert("x")</script> & \'quoted\' — ünïcödé ✓';

const SLO: SloSpec = { p50Ms: null, p90Ms: null, p95Ms: 300, p99Ms: null, avgMs: null, maxMs: null, failRatio: 0.001, minRps: null };

/** The target's replicas at each sample: an HPA that scales from `from` to `to` during the first half. */
function withReplicas(samples: Sample[], from: number, to: number): Sample[] {
  return samples.map((x, i) => {
    const ready = Math.min(to, from + Math.floor(i / 8));
    const desired = Math.min(to, from + Math.floor(i / 6));
    return { ...x, replicasReady: ready, replicasDesired: desired, hpaCurrent: ready, hpaDesired: desired, hpaCpuPercent: 60 + (i % 5) };
  });
}

/** A matrix of two setups (2 and 4 replicas, 4 workers each), an SLO with a breach, an aborted last stage, a baseline. */
function realisticRun(): RunRecord {
  const spec: { users: number; replicas: number; totals: ReturnType<typeof makeTotals> }[] = [
    { users: 100, replicas: 2, totals: STAGE_TOTALS[0] ?? makeTotals() },
    { users: 200, replicas: 2, totals: STAGE_TOTALS[1] ?? makeTotals() },
    { users: 400, replicas: 2, totals: STAGE_TOTALS[2] ?? makeTotals() },
    { users: 200, replicas: 4, totals: makeTotals({ requests: 46_100, rps: 395.8, p50Ms: 36, p90Ms: 70, p95Ms: 88, p99Ms: 120 }) },
    { users: 400, replicas: 4, totals: makeTotals({ requests: 92_000, rps: 790.2, p50Ms: 40, p90Ms: 82, p95Ms: 104, p99Ms: 150 }) },
    {
      users: 800,
      replicas: 4,
      totals: makeTotals({
        requests: 121_000,
        failures: 240,
        failRatio: 240 / 121_000,
        rps: 1_040.6,
        avgMs: 190,
        p50Ms: 160,
        p90Ms: 380,
        p95Ms: 510,
        p99Ms: 900,
        maxMs: 2_900,
      }),
    },
  ];
  const stages: StageResult[] = spec.map((s, i) => {
    const stage = makeStage(
      { index: i + 1, users: s.users, totals: s.totals, replicas: s.replicas, workers: 4, failures: i === 2 ? STAGE3_FAILURES : [] },
      { hpa: { min: s.replicas, max: s.replicas * 2, cpuPercent: 70 }, prepareMs: 12_400 },
    );
    return {
      ...stage,
      name: i === 2 ? HOSTILE : stage.name,
      slo: evaluateSlo(SLO, s.totals),
      samples: withReplicas(stage.samples, s.replicas, s.replicas + (s.users >= 400 ? 2 : 0)),
    };
  });
  const aborted = makeStage(
    {
      index: 7,
      users: 1600,
      totals: null,
      status: 'aborted',
      reason: 'interrupted by SIGTERM during the ramp-up (1210 of 1600 users running)',
      replicas: 4,
      workers: 4,
    },
    { hpa: { min: 4, max: 8, cpuPercent: 70 } },
  );
  stages.push(aborted);
  const comparison: Comparison = {
    baselineRunId: '20261121-100000-inference-capacity',
    baselineStartedAt: '2026-11-21T10:00:00.000Z',
    tolerances: { p95: 0.1, rps: -0.05, failRatio: 0.5 },
    regression: true,
    reason: 'p95 of stage 3 rose 21.6% (allowed 10.0%)',
    stages: stages
      .filter((s) => s.totals !== null)
      .map((s) => {
        const t = s.totals ?? makeTotals();
        const base = { rps: t.rps * 1.02, p95: s.index === 3 ? 510 : (t.p95Ms ?? 0) * 0.97, failRatio: t.failRatio };
        const p95Change = t.p95Ms === null ? null : t.p95Ms / base.p95 - 1;
        const regressed = s.index === 3;
        return {
          key: `users=${s.users} spawnRate=20 duration=2m replicas=${s.replicas} workers=4`,
          baselineIndex: s.index,
          currentIndex: s.index,
          regression: regressed,
          deltas: [
            { metric: 'rps' as const, baseline: base.rps, current: t.rps, change: t.rps / base.rps - 1, regression: false, reason: 'rps within tolerance' },
            {
              metric: 'p95' as const,
              baseline: base.p95,
              current: t.p95Ms,
              change: p95Change,
              regression: regressed,
              reason: regressed ? 'p95 620 ms vs 510 ms: +21.6% > +10.0%' : 'p95 within tolerance',
            },
            {
              metric: 'failRatio' as const,
              baseline: base.failRatio,
              current: t.failRatio,
              change: null,
              regression: false,
              reason: 'failures within tolerance',
            },
          ],
        };
      }),
  };
  return makeRunRecord({
    runId: '20261128-100000-inference-capacity',
    status: 'aborted',
    verdict: 'fail',
    error: 'interrupted by SIGTERM: stopped the load, restored the cluster, wrote what was measured',
    stages,
    finishedAt: new Date(RUN_START + 7 * 160_000).toISOString(),
    summary: { best: findBest(stages), knee: findKnee(stages) },
    environment: {
      driver: '0.1.0',
      node: 'v24.22.3',
      locust: { version: '2.47.0', url: 'http://locust-master:8089', embedded: false, schema: 'modern', api: null, plugin: null },
      kubernetes: { namespace: 'loadtest', server: 'https://10.96.0.1:443', inCluster: true, baseline: null },
      workers: 4,
    },
    comparison,
  });
}

/** Evaluates an expression in the page (a string: the project compiles without the DOM types). */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

interface Opened {
  page: Page;
  problems: string[];
  refused: string[];
}

describe('report.html in headless Chromium', () => {
  let browser: Browser;
  let profile: string;
  let work: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh installs it when run as root)`);
    }
    profile = mkdtempSync(path.join(tmpdir(), 'ld-chromium-profile-'));
    work = mkdtempSync(path.join(tmpdir(), 'ld-report-html-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: FLAGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Opens a file offline; every request that is not file: or data: is refused and recorded. */
  async function open(file: string): Promise<Opened> {
    const page = await browser.newPage();
    const problems: string[] = [];
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    page.on('requestfailed', (r) => {
      if (!refused.includes(r.url())) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
    });
    await page.setOfflineMode(true);
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      const url = r.url();
      if (url.startsWith('file:') || url.startsWith('data:')) {
        void r.continue();
      } else {
        refused.push(url);
        void r.abort('blockedbyclient');
      }
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, refused };
  }

  it('the harness notices a page that reaches for the network', async () => {
    const file = path.join(work, 'control.html');
    writeFileSync(file, '<!doctype html><title>control</title><img src="http://example.invalid/x.png" alt="">');
    const { page, refused } = await open(file);
    expect(refused).toEqual(['http://example.invalid/x.png']);
    await page.close();
  });

  it('opens offline with no request, no console error and every chart drawn', async () => {
    const run = realisticRun();
    const html = await reportHtml(run);
    const file = path.join(work, 'report.html');
    writeFileSync(file, html);

    const { page, problems, refused } = await open(file);
    expect(refused).toEqual([]);
    expect(problems).toEqual([]);

    // Charts: latency (faceted by setup), throughput, failures, replicas, one per stage with samples.
    const withSamples = run.stages.filter((s) => s.samples.length > 0).length;
    const boxes = await inPage<{ w: number; h: number; marks: number }[]>(
      page,
      `[...document.querySelectorAll('figure > svg')].map((s) => {
        const b = s.getBoundingClientRect();
        return { w: b.width, h: b.height, marks: s.querySelectorAll('path, rect, line').length };
      })`,
    );
    expect(boxes).toHaveLength(4 + withSamples);
    for (const b of boxes) {
      expect(b.w).toBeGreaterThan(200);
      expect(b.h).toBeGreaterThan(100);
      expect(b.marks).toBeGreaterThan(5);
    }
    // No image failed to load and nothing overflows the page horizontally.
    const layout = await inPage<{ scroll: number; client: number }>(
      page,
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    expect(layout.scroll).toBeLessThanOrEqual(layout.client);

    // The SLO breach is on screen: its row, its reason, the red badge.
    const breach = run.stages[2]?.slo.find((v) => !v.pass);
    expect(breach?.reason).toMatch(/^p95 620 ms > 300 ms$/);
    const visible = await inPage<string[]>(
      page,
      `[...document.querySelectorAll('#slo tr.breach')]
        .filter((r) => {
          const b = r.getBoundingClientRect();
          const st = getComputedStyle(r);
          return b.width > 0 && b.height > 0 && st.visibility === 'visible' && st.display !== 'none';
        })
        .map((r) => r.innerText)`,
    );
    expect(visible.some((t) => t.includes(breach?.reason ?? '?'))).toBe(true);
    const bodyText = await inPage<string>(page, 'document.body.innerText');
    expect(bodyText).toContain(HOSTILE); // shown as text, not run as markup
    expect(bodyText).toContain('interrupted by SIGTERM during the ramp-up');
    expect(bodyText).toContain('p95 620 ms vs 510 ms: +21.6% > +10.0%');
    expect(await inPage<number>(page, "document.querySelectorAll('script').length")).toBe(0);

    mkdirSync(OUT, { recursive: true });
    writeFileSync(path.join(OUT, 'report.html'), html);
    await page.screenshot({ path: path.join(OUT, 'report.png'), fullPage: true });
    await page.setViewport({ width: 420, height: 900 });
    const narrow = await inPage<boolean>(page, 'document.documentElement.scrollWidth <= document.documentElement.clientWidth');
    expect(narrow).toBe(true);
    await page.close();
  });

  it('a capacity run shows its probes and answer, offline and error-free', async () => {
    const stages = [200, 400, 800, 600, 700].map((users, i) =>
      makeStage({ index: i + 1, users, totals: makeTotals({ p95Ms: 60 + users / 4, rps: users * 1.9 }) }),
    );
    const run = makeRunRecord({
      stages,
      summary: { best: findBest(stages), knee: findKnee(stages) },
      verdict: 'pass',
      capacity: {
        users: 700,
        breachedAt: 800,
        probes: stages.map((s) => ({ stageIndex: s.index, users: s.users, pass: s.users <= 700 })),
        reason: '700 users met p95 ≤ 250 ms; 800 users breached it (bracket 100 users ≤ precision 100)',
      },
    });
    const file = path.join(work, 'capacity.html');
    const html = await reportHtml(run);
    writeFileSync(file, html);
    const { page, problems, refused } = await open(file);
    expect(refused).toEqual([]);
    expect(problems).toEqual([]);
    const capacity = await inPage<{ text: string; h: number }>(
      page,
      `(() => {
        const s = document.querySelector('#capacity');
        return { text: s?.innerText ?? '', h: s?.querySelector('svg')?.getBoundingClientRect().height ?? 0 };
      })()`,
    );
    expect(capacity.text).toContain('700 users');
    expect(capacity.h).toBeGreaterThan(100);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(path.join(OUT, 'report-capacity.html'), html);
    await page.screenshot({ path: path.join(OUT, 'report-capacity.png'), fullPage: true });
    await page.close();
  });
});
