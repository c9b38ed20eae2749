import { describe, expect, it } from 'vitest';
import { estimateWindowEnd, estimateWindowStart, liveReadOrStop, readWindowNow } from '../../../src/core/window.js';

describe('estimateWindowStart', () => {
  it("puts the start one report interval before each worker's first report, weighted by its requests", () => {
    // reset at 10 000; worker A reports at ~10 500 (covers 7 500..10 500), worker B at ~12 000 (9 000..12 000)
    const obs = [
      { at: 10_100, count: 0 },
      { at: 10_200, count: 0 },
      { at: 10_400, count: 0 },
      { at: 10_600, count: 300 },
      { at: 11_900, count: 300 },
      { at: 12_100, count: 600 },
      { at: 13_000, count: 600 },
    ];
    const est = estimateWindowStart(10_000, obs);
    expect(est.jumps).toEqual([
      { at: 10_500, requests: 300 },
      { at: 12_000, requests: 300 },
    ]);
    expect(est.startMs).toBe(8_250); // mean of 7 500 and 9 000
  });

  it("ignores later reports (a worker's second report is not a first report)", () => {
    const obs = [
      { at: 10_100, count: 100 },
      { at: 13_300, count: 100 },
      { at: 13_400, count: 200 }, // 3.35 s after the reset: past one interval + slack
    ];
    expect(estimateWindowStart(10_000, obs).jumps).toHaveLength(1);
  });

  it('falls back to the reset time with no traffic, and never moves the start after the reset', () => {
    expect(estimateWindowStart(5_000, [{ at: 5_100, count: 0 }]).startMs).toBe(5_000);
    expect(estimateWindowStart(5_000, []).startMs).toBe(5_000);
  });

  it('clamps to one interval before the reset and tolerates a stale first read that went down', () => {
    const est = estimateWindowStart(10_000, [
      { at: 10_050, count: 900 }, // a read that still showed pre-reset numbers
      { at: 10_150, count: 0 },
      { at: 13_100, count: 50 },
    ]);
    expect(est.startMs).toBeGreaterThanOrEqual(7_000);
    expect(est.startMs).toBeLessThanOrEqual(10_000);
  });
});

describe('estimateWindowEnd', () => {
  it('takes the reports of the last interval, also when two workers landed in one poll', () => {
    // both workers report together at 4 s (one jump of 60), each reported 3 s before too
    const obs = [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 3950, 4050, 4100].map((at) => ({ at, count: at < 1000 ? 0 : at < 4000 ? 60 : 120 }));
    // merged: one jump for two workers, complete because it brought a full interval's requests
    expect(estimateWindowEnd(3_000, obs, 2)).toEqual({ endMs: 4_000, complete: true, nextEndMs: 7_000 });
    // one worker of two reported, and not the other yet: not complete
    const half = [
      { at: 0, count: 0 },
      { at: 450, count: 0 },
      { at: 550, count: 30 }, // worker B
      { at: 950, count: 30 },
      { at: 1050, count: 60 }, // worker A
      { at: 3950, count: 60 },
      { at: 4050, count: 90 }, // worker A again; B's next report (due at 3.5 s) is late
    ];
    expect(estimateWindowEnd(3_000, half, 2).complete).toBe(false);
  });

  it('keeps the same last reports between two reports (anchored at the newest, not at now)', () => {
    const obs = [
      { at: 0, count: 0 },
      { at: 1_000, count: 30 }, // worker A
      { at: 2_500, count: 60 }, // worker B
      ...[2_600, 3_000, 3_800].map((at) => ({ at, count: 60 })), // A's next report is due at ~3.95 s
    ];
    expect(estimateWindowEnd(9_999, obs, 2)).toEqual({
      endMs: Math.round((500 + 1_750) / 2),
      complete: true,
      nextEndMs: Math.round((500 + 1_750) / 2) + 1_500,
    });
  });

  it('counts a worker once although its reports, seen through polls, came less than 3 s apart (measured on 2.47.0)', () => {
    // polls every 100 ms; worker A reports at -2.8 s and again at +0.11 s (2.91 s later), B at -0.1 s
    const at = Array.from({ length: 34 }, (_, i) => -3_150 + i * 100); // up to +0.15 s
    const obs = at.map((t) => ({ at: t, count: 45 + (t > -2_800 ? 13 : 0) + (t > -100 ? 12 : 0) + (t > 110 ? 11 : 0) }));
    const est = estimateWindowEnd(0, obs, 2);
    expect(est.complete).toBe(true);
    expect(Math.abs(est.endMs - (12 * -100 + 11 * 100) / 23)).toBeLessThanOrEqual(60); // B's and A's newest only
    expect(readWindowNow(0, est, 100)).toBe(true);
  });

  it("takes two workers' reports that landed together as both, once no other report follows within the span's slack (measured on 2.47.0)", () => {
    // 100 ms polls; A and B report 100 ms apart at -3.0 s, then together at +0.09 s with fewer requests
    // than the interval before (so the share rule says "not yet"); nothing else comes
    const at = Array.from({ length: 45 }, (_, i) => -3_300 + i * 100); // up to +1.1 s
    const obs = at.map((t) => ({ at: t, count: 100 + (t >= -3_000 ? 28 : 0) + (t >= -2_900 ? 27 : 0) + (t >= 100 ? 44 : 0) }));
    const upTo = (ms: number) => obs.filter((o) => o.at <= ms);
    expect(estimateWindowEnd(0, upTo(400), 2).complete).toBe(false); // B's report might still be on its way
    const est = estimateWindowEnd(0, upTo(800), 2);
    expect(est).toMatchObject({ complete: true, endMs: 50 });
    expect(readWindowNow(0, est, 100)).toBe(true);
  });

  it('weights each last report by its requests, and is the planned end without any', () => {
    const obs = [
      { at: 1000, count: 0 },
      { at: 2000, count: 30 }, // worker A, 30 requests
      { at: 3000, count: 120 }, // worker B, 90 requests
      { at: 3100, count: 120 },
    ];
    expect(estimateWindowEnd(9_999, obs, 2)).toEqual({ endMs: 2_250, complete: true, nextEndMs: 2_250 + 750 });
    expect(
      estimateWindowEnd(
        9_999,
        [
          { at: 1, count: 5 },
          { at: 2, count: 5 },
        ],
        2,
      ).endMs,
    ).toBe(9_999);
  });
});

describe('readWindowNow', () => {
  // two workers reporting together every 3 s: the end the read gets moves in 3 s steps
  const together = (lastReportAt: number) =>
    [lastReportAt - 6_000, lastReportAt - 3_000, lastReportAt].flatMap((r, i) => [
      { at: r - 50, count: 60 * i },
      { at: r + 50, count: 60 * (i + 1) },
    ]);

  it('reads once the end reached the planned one, less the poll error', () => {
    const est = estimateWindowEnd(12_000, together(11_950), 2);
    expect(est).toMatchObject({ endMs: 11_950, complete: true });
    expect(readWindowNow(12_000, est, 100)).toBe(true);
  });

  it('reads short of the planned end when the next report would overshoot by more', () => {
    const est = estimateWindowEnd(12_000, together(11_400), 2); // 0.6 s short; next at 14.4 s
    expect(est.nextEndMs).toBe(14_400);
    expect(readWindowNow(12_000, est, 100)).toBe(true);
  });

  it('waits for the next report when it comes closer to the planned end', () => {
    const est = estimateWindowEnd(12_000, together(10_000), 2); // 2 s short; next at 13 s
    expect(readWindowNow(12_000, est, 100)).toBe(false);
  });

  it('reads short when the workers report together, as the next step is then a whole interval (measured on 2.47.0)', () => {
    // 100 ms polls; A and B report 150 ms apart at -1.03 s and -0.88 s before a 10 s window's planned
    // end, each 3 s before that too. Predicting only A's next report (+0.48 s) made the read wait,
    // then B dropped out of the span when A's report came, and the read came with B's at +2.07 s:
    // a 12 s window. Read now: 9 s, the closer of the two.
    const at = Array.from({ length: 42 }, (_, i) => -4_100 + i * 100); // up to 0 ms
    const obs = at.map((t) => ({ at: t, count: 30 + (t >= -4_030 ? 12 : 0) + (t >= -3_880 ? 12 : 0) + (t >= -1_030 ? 12 : 0) + (t >= -880 ? 13 : 0) }));
    const est = estimateWindowEnd(0, obs, 2);
    expect(est.complete).toBe(true);
    expect(Math.abs(est.endMs - -950)).toBeLessThanOrEqual(60);
    expect(Math.abs((est.nextEndMs as number) - (est.endMs + 3_000))).toBeLessThanOrEqual(60);
    expect(readWindowNow(0, est, 100)).toBe(true);
  });

  it('never reads before every worker is in', () => {
    const one = [
      { at: 8_450, count: 0 },
      { at: 8_550, count: 30 }, // worker B
      { at: 8_950, count: 30 },
      { at: 9_050, count: 60 }, // worker A
      { at: 11_950, count: 60 },
      { at: 12_050, count: 90 }, // A again; B's next report (due at 11.5 s) is late
    ];
    const est = estimateWindowEnd(12_000, one, 2);
    expect(est.complete).toBe(false);
    expect(readWindowNow(12_000, est, 100)).toBe(false);
  });
});

describe("liveReadOrStop (the run's last stage, no plugin)", () => {
  const est = (endMs: number, nextEndMs: number | null, complete = true) => ({ endMs, nextEndMs, complete });
  it('reads when the reports end the window within ±0.5 s of the plan', () => {
    expect(liveReadOrStop(10_000, est(9_500, 11_000))).toBe('read');
    expect(liveReadOrStop(10_000, est(10_500, 13_500))).toBe('read');
  });
  it('waits for workers not yet in, and for a next report due within ±0.5 s', () => {
    expect(liveReadOrStop(10_000, est(10_000, 11_000, false))).toBe('wait');
    expect(liveReadOrStop(10_000, est(8_500, 10_000))).toBe('wait');
    expect(liveReadOrStop(10_000, est(8_600, 9_600))).toBe('wait');
  });
  it('stops when neither now nor the next report is within ±0.5 s (the stop ends the window exactly)', () => {
    expect(liveReadOrStop(10_000, est(9_050, 12_050))).toBe('stop'); // reports landing together: 9 s or 12 s
    expect(liveReadOrStop(10_000, est(10_600, 13_600))).toBe('stop');
    expect(liveReadOrStop(10_000, est(8_000, null))).toBe('stop');
  });
});
