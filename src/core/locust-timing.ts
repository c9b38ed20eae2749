// Locust's timing, in one place: the floors a stage cannot go below and the planned ramp with its
// margins. The plan (validate's expected time), the stage's waits and the run loop all read it here,
// so the time validate prints and the waits the driver makes cannot drift apart. Values from the
// Locust reference (../shared/reference/locust-api.md) and measured on 2.12.1 … 2.47.0.

/**
 * Locust's own floors on a stage's cost: the 2 s stats cache before a ramp is visible, ~1 s for the
 * blocking /stop, and the 3 s worker report interval before numbers are final (which overlaps the
 * cooldown).
 */
export const LOCUST_TIMING = {
  statsCacheMs: 2_000,
  workerReportMs: 3_000,
  finalReportWaitMs: 3_500,
  /** Locust's rolling "current" values cover about the last 10 s. */
  currentWindowMs: 10_000,
  stopMs: 1_000,
} as const;

/**
 * Windows at least this long are read while the users run, both edges found from the workers'
 * reports (each needs about one report interval of watching); transition: continue needs it.
 */
export const LIVE_READ_MIN_MS = 10_000;

/** What is added to the planned ramp, and why. */
export const RAMP_MARGIN_MS = {
  /** A fresh swarm: Locust marks the ramp complete when every worker's spawning_complete arrives, measured ~0.5 s after the planned ramp. */
  report: 700,
  /** A re-targeted swarm (transition: continue) is not polled (the cache would show the old count): its planned ramp plus this before the reset. */
  continue: 250,
  /** In the expected time: the report and the 2 s cache through which the ramp's end is seen. */
  expected: LOCUST_TIMING.statsCacheMs,
} as const;

/** users / spawnRate: the ramp Locust plans from `fromUsers` to `users` users, ms. */
export function plannedRampMs(s: { users: number; spawnRate: number }, fromUsers = 0): number {
  return Math.round((Math.abs(s.users - fromUsers) / s.spawnRate) * 1000);
}
