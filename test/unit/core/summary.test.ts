import { describe, expect, it } from 'vitest';
import type { EndpointStats, StageResult } from '../../../src/core/model.js';
import { findBest, findKnee, toEndpointTotals, toTotals } from '../../../src/core/summary.js';
import { makeRunRecord, makeStage, makeTotals } from '../../fakes/run-record.js';

function row(overrides: Partial<EndpointStats> = {}): EndpointStats {
  return {
    method: 'POST',
    name: '/predict',
    requests: 1_200,
    failures: 30,
    medianMs: 41,
    avgMs: 47.25,
    minMs: 2.5,
    maxMs: 912.3,
    avgContentBytes: 312,
    rps: 19.2, // Locust's own figure, over a slightly different span
    failPerSec: 0.48,
    percentiles: {
      '50': 41,
      '66': 50,
      '75': 58,
      '80': 63,
      '90': 80,
      '95': 120,
      '98': 180,
      '99': 240,
      '99.9': 600,
      '99.99': 900,
      '100': 910,
    },
    ...overrides,
  };
}

/** A completed stage with just the numbers the highlights look at. */
function stage(index: number, users: number, rps: number, p95Ms: number | null, extra: Partial<StageResult> = {}): StageResult {
  return makeStage({ index, users, totals: makeTotals({ rps, p95Ms, requests: Math.round(rps * 117) }) }, extra);
}

describe('toTotals', () => {
  it('computes rps over our own window, not Locust’s', () => {
    const t = toTotals(row(), 60_000);
    expect(t.rps).toBe(20);
    expect(t.requests).toBe(1_200);
    expect(t.failures).toBe(30);
    expect(t.failRatio).toBeCloseTo(0.025, 10);
  });

  it('maps every Locust percentile column to its field', () => {
    const t = toTotals(row(), 60_000);
    expect([t.p50Ms, t.p66Ms, t.p75Ms, t.p80Ms, t.p90Ms, t.p95Ms, t.p98Ms, t.p99Ms]).toEqual([41, 50, 58, 63, 80, 120, 180, 240]);
    expect(t.p999Ms).toBe(600);
    expect(t.p9999Ms).toBe(900);
    expect(t.p100Ms).toBe(910);
    expect([t.avgMs, t.minMs, t.maxMs]).toEqual([47.25, 2.5, 912.3]);
  });

  it('gives a fail ratio of 0 and null latencies when there were no requests', () => {
    const none = row({
      requests: 0,
      failures: 0,
      medianMs: null,
      avgMs: null,
      minMs: null,
      maxMs: null,
      rps: 0,
      percentiles: { '50': null, '66': null, '75': null, '80': null, '90': null, '95': null, '98': null, '99': null, '99.9': null, '99.99': null, '100': null },
    });
    const t = toTotals(none, 60_000);
    expect(t.failRatio).toBe(0);
    expect(t.rps).toBe(0);
    expect(t.p50Ms).toBeNull();
    expect(t.p95Ms).toBeNull();
    expect(t.avgMs).toBeNull();
  });

  it('does not divide by a zero-length window', () => {
    expect(toTotals(row(), 0).rps).toBe(19.2);
  });

  it('keeps method and name for endpoint totals', () => {
    const e = toEndpointTotals(row({ method: 'GET', name: '/healthz' }), 60_000);
    expect(e.method).toBe('GET');
    expect(e.name).toBe('/healthz');
    expect(e.rps).toBe(20);
  });
});

describe('findBest', () => {
  it('picks the completed stage with the highest throughput', () => {
    const best = findBest([stage(1, 100, 195.5, 90), stage(2, 200, 389.7, 110), stage(3, 400, 512.1, 620)]);
    expect(best).toMatchObject({ stageIndex: 3, stageName: 'u400', users: 400, rps: 512.1, p95Ms: 620 });
    expect(best?.reason).toBe('highest throughput: 512.1 req/s at 400 users');
  });

  it('breaks a tie in favour of fewer users', () => {
    const best = findBest([stage(1, 800, 500, 900), stage(2, 400, 500, 300), stage(3, 600, 500, 600)]);
    expect(best?.stageIndex).toBe(2);
    expect(best?.users).toBe(400);
  });

  it('breaks a full tie in favour of the earlier stage', () => {
    expect(findBest([stage(1, 400, 500, 300), stage(2, 400, 500, 300)])?.stageIndex).toBe(1);
  });

  it('ignores failed, aborted and skipped stages however fast they looked', () => {
    const stages = [
      stage(1, 100, 200, 90),
      stage(2, 200, 900, 80, { status: 'failed', reason: 'target answered 502' }),
      stage(3, 400, 950, 80, { status: 'aborted', reason: 'interrupted by SIGINT' }),
      makeStage({ index: 4, users: 800, totals: null, status: 'skipped', reason: 'SLO breach with onBreach: stop' }),
    ];
    expect(findBest(stages)?.stageIndex).toBe(1);
  });

  it('ignores completed stages that served no request', () => {
    const empty = makeStage({ index: 1, users: 100, totals: makeTotals({ requests: 0, rps: 0, p95Ms: null }) });
    expect(findBest([empty])).toBeNull();
  });

  it('returns null without stages', () => {
    expect(findBest([])).toBeNull();
  });

  it('names the replicas and workers when Kubernetes is managed', () => {
    const best = findBest([stage(1, 400, 812.4, 120, { replicas: 4, workers: 8 })]);
    expect(best?.reason).toBe('highest throughput: 812.4 req/s at 400 users (with 4 replicas, 8 workers)');
  });
});

describe('findKnee', () => {
  it('finds none for a service that scales linearly with flat latency', () => {
    const linear = [stage(1, 100, 198, 45), stage(2, 200, 395, 47), stage(3, 400, 790, 50), stage(4, 800, 1_570, 55)];
    expect(findKnee(linear)).toBeNull();
  });

  it('finds the stage where a saturating service’s p95 climbs and throughput stalls', () => {
    const knee = findKnee(makeRunRecord().stages);
    expect(knee).toMatchObject({ stageIndex: 3, users: 400, p95Ms: 620 });
    expect(knee?.reason).toBe(
      'p95 rose from 95 ms at 100 users to 620 ms at 400 users (6.5×) while throughput grew only 1.3× (389.7 → 512.1 req/s) for 2× the users',
    );
  });

  it('reports the first climb, not the worst one', () => {
    const stages = [stage(1, 100, 200, 40), stage(2, 200, 400, 42), stage(3, 300, 600, 70), stage(4, 400, 610, 900)];
    const knee = findKnee(stages);
    expect(knee?.stageIndex).toBe(3);
    expect(knee?.reason).toBe(
      'p95 rose from 40 ms at 100 users to 70 ms at 300 users (1.8×) and throughput grew 1.5× (400.0 → 600.0 req/s) for 1.5× the users',
    );
  });

  it('compares latency against the lowest p95 at fewer users, not just the previous stage', () => {
    // Each step is below 1.5× the previous one, but 100 → 160 ms is 1.6× the 100-user level.
    const creeping = [stage(1, 100, 200, 100), stage(2, 200, 400, 140), stage(3, 300, 600, 160)];
    expect(findKnee(creeping)?.stageIndex).toBe(3);
  });

  it('finds a throughput stall even when p95 stays flat', () => {
    const stages = [stage(1, 100, 200, 50), stage(2, 200, 390, 52), stage(3, 400, 450, 60)];
    const knee = findKnee(stages);
    expect(knee?.stageIndex).toBe(3);
    expect(knee?.reason).toBe('throughput grew only 1.2× (390.0 → 450.0 req/s) for 2× the users between 200 and 400 users; p95 52 ms → 60 ms');
  });

  it('does not call millisecond noise a knee', () => {
    const fast = [stage(1, 100, 200, 2), stage(2, 200, 400, 4), stage(3, 400, 800, 6)];
    expect(findKnee(fast)).toBeNull();
  });

  it('orders by users whatever the run order', () => {
    const stages = [stage(1, 400, 512, 620), stage(2, 100, 195, 95), stage(3, 200, 390, 110)];
    expect(findKnee(stages)?.stageIndex).toBe(1);
  });

  it('compares a repeated user count with fewer users, never with its twin', () => {
    // Stage 3 is 20 % slower than its twin (noise at equal load), but scaled fine from 100 users.
    const stages = [stage(1, 100, 200, 50), stage(2, 200, 400, 55), stage(3, 200, 320, 58), stage(4, 200, 400, 200)];
    expect(findKnee(stages)?.stageIndex).toBe(4);
  });

  it('ignores failed and aborted stages', () => {
    const stages = [
      stage(1, 100, 200, 50),
      stage(2, 200, 120, 4_000, { status: 'failed', reason: 'error ratio 40 %' }),
      stage(3, 300, 150, 3_000, { status: 'aborted', reason: 'interrupted by SIGTERM' }),
      stage(4, 400, 800, 60),
    ];
    expect(findKnee(stages)).toBeNull();
  });

  it('needs two comparable stages', () => {
    expect(findKnee([])).toBeNull();
    expect(findKnee([stage(1, 100, 200, 50)])).toBeNull();
    expect(findKnee([stage(1, 100, 200, 50), stage(2, 100, 200, 400)])).toBeNull();
    expect(findKnee([stage(1, 100, 200, 50), stage(2, 200, 100, 400, { status: 'failed' })])).toBeNull();
  });

  it('compares only stages with the same replicas and workers, and reports the earliest knee', () => {
    const stages = [
      stage(1, 200, 400, 60, { replicas: 1, workers: 4 }),
      stage(2, 400, 480, 400, { replicas: 1, workers: 4 }),
      stage(3, 800, 500, 1_500, { replicas: 1, workers: 4 }),
      stage(4, 200, 400, 55, { replicas: 4, workers: 4 }),
      stage(5, 400, 800, 58, { replicas: 4, workers: 4 }),
      stage(6, 800, 1_000, 300, { replicas: 4, workers: 4 }),
    ];
    const knee = findKnee(stages);
    expect(knee?.stageIndex).toBe(2);
    expect(knee?.reason).toMatch(/^with 1 replica, 4 workers: p95 rose from 60 ms at 200 users to 400 ms at 400 users/);

    // Without the single-replica series, more users on 4 replicas do not compare with 1 replica.
    const onlyFour = findKnee(stages.slice(3));
    expect(onlyFour?.stageIndex).toBe(6);
  });
});
