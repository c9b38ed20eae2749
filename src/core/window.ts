// Where a measured window really starts.
//
// GET /stats/reset zeroes only the master's numbers. Each worker sends its stats as a delta every
// 3 s, so a worker's first report after the reset also carries the requests it saw since its
// previous report — up to 3 s *before* the reset. Reporting the window as "from the reset" would
// overstate throughput and disagree with what the target received. Instead the driver watches the
// uncached aggregated count right after the reset: every jump is one worker's first report, which
// covers exactly the report interval before it. The effective start is those covered starts,
// weighted by how many requests each jump brought (i.e. by each worker's share of the load).

export interface CountObservation {
  at: number; // epoch ms, when the answer arrived
  count: number; // aggregated request count in the master's stats
}

export interface WindowStartEstimate {
  startMs: number;
  /** Jumps seen (time, requests) — one per worker's first report, or fewer when reports coincided. */
  jumps: { at: number; requests: number }[];
}

/**
 * @param resetAt when the reset took effect (epoch ms)
 * @param observations counts polled after the reset, in time order (the first one may still be 0)
 * @param reportIntervalMs Locust's WORKER_REPORT_INTERVAL (3 s)
 */
export function estimateWindowStart(resetAt: number, observations: CountObservation[], reportIntervalMs = 3_000): WindowStartEstimate {
  const jumps: { at: number; requests: number }[] = [];
  let prev: CountObservation = { at: resetAt, count: 0 };
  for (const o of observations) {
    // Only first reports: every worker reports once within one interval after the reset.
    if (o.at > resetAt + reportIntervalMs + 250) break;
    if (o.count > prev.count) jumps.push({ at: (prev.at + o.at) / 2, requests: o.count - prev.count });
    prev = o.count >= prev.count ? o : prev;
  }
  const total = jumps.reduce((s, j) => s + j.requests, 0);
  if (total === 0) return { startMs: resetAt, jumps };
  const weighted = jumps.reduce((s, j) => s + j.requests * (j.at - reportIntervalMs), 0) / total;
  // A covered start can be neither after the reset nor more than one interval before it.
  const startMs = Math.round(Math.min(resetAt, Math.max(resetAt - reportIntervalMs, weighted)));
  return { startMs, jumps };
}

/**
 * Where a window read while the users keep running really ends.
 *
 * Without a stop, the master's numbers cover each worker only up to that worker's last report. Each
 * worker reports once per interval, so the jumps of the uncached count within the last report
 * interval before the read are exactly those last reports (a jump may carry several workers' reports
 * that landed together). The effective end is their arrival times weighted by the requests each
 * brought, mirroring the start estimate.
 *
 * @param endAt when the window was meant to end (epoch ms); the answer without any jump
 * @param observations counts polled up to the read, in time order; the last one is the count the
 *   window read itself returned
 */
export function estimateWindowEnd(endAt: number, observations: CountObservation[], reportIntervalMs = 3_000): number {
  const last = observations[observations.length - 1];
  if (!last) return endAt;
  // Slightly less than one interval: a worker's two reports are a full interval apart.
  const from = last.at - reportIntervalMs + 150;
  let total = 0;
  let weighted = 0;
  for (let i = 1; i < observations.length; i++) {
    const prev = observations[i - 1] as CountObservation;
    const o = observations[i] as CountObservation;
    if (o.count <= prev.count) continue;
    const at = (prev.at + o.at) / 2;
    if (at < from) continue;
    total += o.count - prev.count;
    weighted += (o.count - prev.count) * at;
  }
  if (total === 0) return endAt;
  return Math.round(Math.min(last.at, weighted / total));
}
