import { describe, expect, it } from 'vitest';
import { scaleReaction, throughputPerReplica, type ScaleObservation } from '../../../../src/core/autoscale/timeline.js';
import { stageAutoscale } from '../../../../src/core/autoscale/stage.js';
import type { Sample, StagePlan, Totals } from '../../../../src/core/model.js';
import { makePlanStage, makeSamples, makeTotals } from '../../../fakes/run-record.js';

/** A scale-out sampled every second: desired 1 → 3 at 15 s → 4 at 30 s; ready follows; p95 recovers at 35 s. */
function scaleOut(untilS = 70): ScaleObservation[] {
  const out: ScaleObservation[] = [];
  for (let s = -2; s <= untilS; s++) {
    const desired = s < 15 ? 1 : s < 30 ? 3 : 4;
    const ready = s < 25 ? 1 : s < 28 ? 2 : s < 40 ? 3 : 4;
    out.push({ at: s * 1_000, desired, ready, p95Ms: s < 35 ? 450 : 120 });
  }
  return out;
}

describe('scaleReaction', () => {
  it('places every step of a scale-out from full load, as the samples first show it', () => {
    const r = scaleReaction(scaleOut(), { fullLoadAt: 0, p95SloMs: 200, settleMs: 20_000 });
    expect(r.firstScaleUpMs).toBe(15_000);
    expect(r.readyMs).toBe(28_000); // the first scale-up asked for 3
    expect(r.sloRecoveryMs).toBe(35_000);
    expect(r.settledMs).toBe(60_000); // last change (ready 4) at 40 s + 20 s without change
    expect(r.peakReplicas).toBe(4);
    expect(r.finalReplicas).toBe(4);
    expect(r.pending).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['full-load', 'scale', 'ready', 'scale', 'slo-recovered', 'settled']);
    expect(r.events.filter((e) => e.kind === 'scale').map((e) => [e.from, e.to])).toEqual([
      [1, 3],
      [3, 4],
    ]);
  });

  it("places a scale at the HPA's lastScaleTime between two sparse looks, and ignores one older than the look before", () => {
    // sampled every 4 s: the look at 16 s is the first to show desired 3; the HPA says it scaled at 15 s
    const sparse = scaleOut().filter((o) => o.at % 4_000 === 0);
    const exact = sparse.map((o) => ({ ...o, lastScaleAt: o.desired === 1 ? -600_000 : o.desired === 3 ? 15_000 : 30_000 }));
    const r = scaleReaction(exact, { fullLoadAt: 0, p95SloMs: null, settleMs: 20_000 });
    expect(r.firstScaleUpMs).toBe(15_000);
    expect(r.events.filter((e) => e.kind === 'scale').map((e) => [e.at, e.byHpa])).toEqual([
      [15_000, true],
      [30_000, true],
    ]);
    // a lastScaleTime from before the previous look is not this change's: the look places it
    const stale = sparse.map((o) => ({ ...o, lastScaleAt: -600_000 }));
    const s = scaleReaction(stale, { fullLoadAt: 0, p95SloMs: null, settleMs: 20_000 });
    expect(s.events.filter((e) => e.kind === 'scale').map((e) => [e.at, e.byHpa])).toEqual([
      [16_000, undefined],
      [32_000, undefined],
    ]);
  });

  it('says what had not happened when the stage ended first', () => {
    const r = scaleReaction(scaleOut(32), { fullLoadAt: 0, p95SloMs: 200, settleMs: 20_000 });
    expect(r.firstScaleUpMs).toBe(15_000);
    expect(r.settledMs).toBeNull();
    expect(r.sloRecoveryMs).toBeNull();
    expect(r.pending).toEqual(['the replicas had not settled (no change for 20 s)', 'p95 was not back under 200 ms']);
  });

  it('has no reaction when the HPA never asked for more, and no recovery without a breach', () => {
    const flat = Array.from({ length: 30 }, (_, s) => ({ at: s * 1_000, desired: 2, ready: 2, p95Ms: 100 }));
    const r = scaleReaction(flat, { fullLoadAt: 0, p95SloMs: 200, settleMs: 10_000 });
    expect(r.firstScaleUpMs).toBeNull();
    expect(r.sloRecoveryMs).toBeNull();
    expect(r.settledMs).toBeNull();
    expect(r.pending).toEqual(['the HPA did not ask for more replicas']);
    expect(r.peakReplicas).toBe(2);
  });

  it('does not count a scale-up that happened before full load as the reaction', () => {
    const r = scaleReaction(scaleOut(), { fullLoadAt: 20_000, p95SloMs: null, settleMs: 20_000 });
    // desired was already 3 at full load; the next increase (→ 4) came 10 s after it
    expect(r.firstScaleUpMs).toBe(10_000);
  });
});

describe('throughputPerReplica', () => {
  it('divides by the replica-seconds the ready replicas served in the window', () => {
    const obs: ScaleObservation[] = [
      { at: -500, desired: 1, ready: 1, p95Ms: null },
      { at: 10_000, desired: 2, ready: 2, p95Ms: null },
      { at: 25_000, desired: 3, ready: 3, p95Ms: null },
    ];
    expect(throughputPerReplica(600, 0, 20_000, obs)).toBeCloseTo(600 / 30, 6); // 1×10 s + 2×10 s
    expect(throughputPerReplica(600, 0, 20_000, [])).toBeNull();
  });
});

describe('stageAutoscale', () => {
  const plan = (hpa: { min: number; max: number } | null): StagePlan => ({
    ...makePlanStage(1, 40),
    sampleEveryMs: 1_000,
    hpa: hpa && { ...hpa, cpuPercent: 50 },
    slo: { p50Ms: null, p90Ms: null, p95Ms: 200, p99Ms: null, avgMs: null, maxMs: null, failRatio: null, minRps: null },
  });
  const base = makeSamples(0, 2_000, 40, makeTotals())[0]!;
  const samples = (): Sample[] =>
    scaleOut().map((o) => ({
      ...base,
      at: new Date(1_000_000 + o.at).toISOString(),
      elapsedMs: o.at,
      p95Ms: o.p95Ms,
      replicasReady: o.ready,
      replicasDesired: o.desired,
      hpaDesired: o.desired,
    }));

  it('is there only when the HPA may move the replicas, and reads the reaction from the samples', () => {
    expect(stageAutoscale(plan(null), samples(), 1_000_000, null, null)).toBeNull();
    expect(stageAutoscale(plan({ min: 2, max: 2 }), samples(), 1_000_000, null, null)).toBeNull();
    const a = stageAutoscale(plan({ min: 1, max: 4 }), samples(), 1_000_000, { start: 1_000_000, end: 1_020_000 }, { requests: 400 } as Totals, 20_000)!;
    expect(a).toMatchObject({
      firstScaleUpMs: 15_000,
      readyMs: 28_000,
      sloRecoveryMs: 35_000,
      settledMs: 60_000,
      peakReplicas: 4,
      finalReplicas: 4,
      resolutionMs: 1_000,
    });
    // ready 1 until 25 s: 20 replica-seconds in the window
    expect(a.rpsPerReplica).toBeCloseTo(400 / 20, 6);
    expect(a.events[1]).toEqual({ kind: 'scale', at: new Date(1_015_000).toISOString(), from: 1, to: 3 });
  });
});
