import { describe, expect, it } from 'vitest';
import { LOCUST_TIMING, plannedRampMs, RAMP_MARGIN_MS } from '../../../src/core/locust-timing.js';
import { expectedRunMs, expectedStageMs } from '../../../src/core/plan.js';
import { plan, st } from '../../fakes/run-setup.js';

describe("Locust's timing", () => {
  it('plans a ramp from any user count, up or down, in whole ms', () => {
    expect(plannedRampMs({ users: 40, spawnRate: 20 })).toBe(2_000);
    expect(plannedRampMs({ users: 10, spawnRate: 3 })).toBe(3_333);
    expect(plannedRampMs({ users: 10, spawnRate: 4 }, 30)).toBe(5_000); // down from 30
    expect(plannedRampMs({ users: 30, spawnRate: 4 }, 30)).toBe(0);
  });

  it("is what validate's expected time is made of: ramp + margin, window, and the stop's floors or the cooldown", () => {
    const s = st(1, 40, { spawnRate: 20, durationMs: 30_000, cooldownMs: 10_000 });
    expect(expectedStageMs(s, false)).toBe(2_000 + RAMP_MARGIN_MS.expected + 30_000 + 10_000);
    // the last stage is read while the users run: only the stop follows
    expect(expectedStageMs(s, true)).toBe(2_000 + RAMP_MARGIN_MS.expected + 30_000 + LOCUST_TIMING.stopMs);
    // transition: continue ramps each stage from the one before; one stop at the end
    const cont = plan([st(1, 10, { durationMs: 12_000 }), st(2, 30, { durationMs: 12_000 })], { transition: 'continue' });
    expect(expectedRunMs(cont)).toBe(1_000 + RAMP_MARGIN_MS.expected + 12_000 + 2_000 + 12_000 + LOCUST_TIMING.stopMs + LOCUST_TIMING.finalReportWaitMs);
  });
});
