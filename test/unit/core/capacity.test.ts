import { describe, expect, it } from 'vitest';
import { capacityResult, nextProbeUsers, type Probe } from '../../../src/core/capacity.js';
import { capacityProbeBound as maxProbes } from '../../../src/core/plan.js';

const cap = { startUsers: 10, maxUsers: 1000, factor: 2, precisionUsers: 5 };

/** Runs the search against a service that holds exactly `limit` users. */
function search(limit: number, c = cap): { probes: Probe[]; answer: number | null } {
  const probes: Probe[] = [];
  for (let i = 1; i < 100; i++) {
    const users = nextProbeUsers(c, probes);
    if (users === null) break;
    probes.push({ users, pass: users <= limit, stageIndex: i });
  }
  return { probes, answer: capacityResult(c, probes, () => 'p95 over').users };
}

describe('capacity search', () => {
  it('grows geometrically until the first breach, then bisects to the precision', () => {
    const { probes, answer } = search(237);
    expect(probes.slice(0, 6).map((p) => p.users)).toEqual([10, 20, 40, 80, 160, 320]);
    expect(answer).not.toBeNull();
    expect(237 - answer!).toBeGreaterThanOrEqual(0);
    expect(237 - answer!).toBeLessThanOrEqual(5);
    expect(probes.length).toBeLessThanOrEqual(maxProbes(cap));
  });

  it('lands within the precision for any capacity', () => {
    for (const limit of [10, 11, 33, 99, 500, 999]) {
      const { answer } = search(limit);
      expect(limit - (answer ?? 0)).toBeLessThanOrEqual(5);
      expect(answer ?? 0).toBeLessThanOrEqual(limit);
    }
  });

  it('says so when the SLO holds up to the ceiling, or breaks at the first probe', () => {
    const all = search(5_000);
    expect(all.answer).toBe(1000);
    expect(capacityResult(cap, all.probes, () => '').reason).toMatch(/held up to the ceiling: 1000 users/);
    const none = search(3);
    expect(none.answer).toBeNull(); // within the precision of 0: no probe passed
    const first = capacityResult({ ...cap, precisionUsers: 100 }, [{ users: 10, pass: false, stageIndex: 1 }], () => 'p95 900 ms > 500 ms');
    expect(first.users).toBeNull();
    expect(first.reason).toBe('even 10 users (the first probe) breached the SLO: p95 900 ms > 500 ms');
  });
});
