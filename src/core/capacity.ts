// Capacity search: the largest user count that meets the SLO. Grow geometrically from the start
// until the first breach, then bisect between the largest pass and the smallest breach until the
// bracket is within the precision. Every probe is an ordinary stage of the run.
import type { CapacityPlan, CapacityResult, StagePlan, StageResult } from './model.js';

export interface Probe {
  users: number;
  pass: boolean;
  stageIndex: number;
}

/** A probe passes only when it completed with numbers and every SLO threshold held. */
export function probePassed(r: StageResult): boolean {
  return r.status === 'completed' && r.totals !== null && r.slo.length > 0 && r.slo.every((v) => v.pass);
}

function bracket(probes: Probe[]): { lo: number; hi: number | null } {
  const lo = Math.max(0, ...probes.filter((p) => p.pass).map((p) => p.users));
  const fails = probes.filter((p) => !p.pass).map((p) => p.users);
  return { lo, hi: fails.length > 0 ? Math.min(...fails) : null };
}

/** The next user count to probe, or null when the answer is known. */
export function nextProbeUsers(cap: CapacityPlan, probes: Probe[]): number | null {
  if (probes.length === 0) return cap.startUsers;
  const { lo, hi } = bracket(probes);
  if (hi === null) {
    // No breach yet: grow, up to the ceiling.
    if (lo >= cap.maxUsers) return null;
    return Math.min(cap.maxUsers, Math.max(lo + 1, Math.ceil(lo * cap.factor)));
  }
  if (hi - lo <= cap.precisionUsers) return null;
  const mid = Math.floor((lo + hi) / 2);
  return mid <= lo || mid >= hi ? null : mid;
}

/** The probe stage for `users`, from the plan's template (its first stage). */
export function probeStage(template: StagePlan, users: number, index: number): StagePlan {
  const name = `probe users=${users}`;
  return { ...template, index, users, name, slug: `probe-users-${users}` };
}

export function capacityResult(cap: CapacityPlan, probes: Probe[], breach: (stageIndex: number) => string): CapacityResult {
  const { lo, hi } = bracket(probes);
  const users = lo > 0 ? lo : null;
  let reason: string;
  if (hi === null) reason = `the SLO held up to the ceiling: ${lo} users (capacity.users.max) — raise the ceiling to find the limit`;
  else if (users === null) reason = `even ${hi} users (the first probe) breached the SLO: ${breach(probes.find((p) => p.users === hi)!.stageIndex)}`;
  else
    reason = `${users} users meet the SLO; ${hi} breach it (${breach(probes.find((p) => p.users === hi)!.stageIndex)}); known within ${hi - users} users after ${probes.length} probes`;
  return { users, breachedAt: hi, probes: probes.map((p) => ({ stageIndex: p.stageIndex, users: p.users, pass: p.pass })), reason };
}
