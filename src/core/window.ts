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

/** How much shorter than the report interval the span of the last reports is taken (see estimateWindowEnd). */
const LAST_SET_MARGIN_MS = 400;

/** A last interval bringing this share of the interval before's requests has every worker's report. */
const FULL_SET_SHARE = 0.85;

/**
 * Where a window read while the users keep running really ends.
 *
 * Without a stop, the master's numbers cover each worker only up to that worker's last report. A
 * worker reports once per interval (a little more than 3 s apart), so the jumps of the uncached count
 * within one interval less 400 ms up to the newest jump are distinct workers' last reports (a jump may carry several
 * workers' reports that landed together). The effective end is their arrival times weighted by the
 * requests each brought, mirroring the start estimate. `complete` says whether every worker is in:
 * the caller keeps watching (and reads later) until it is, or until a report interval has passed.
 *
 * @param endAt when the window was meant to end (epoch ms); the answer without any jump
 * @param observations counts polled up to now, in time order (the last one may be the window read's)
 * @param workers how many workers are reporting
 */
export function estimateWindowEnd(endAt: number, observations: CountObservation[], workers: number, reportIntervalMs = 3_000): WindowEndEstimate {
  const last = observations[observations.length - 1];
  if (!last) return { endMs: endAt, complete: false, nextEndMs: null };
  // The set of last reports is anchored at the newest jump, not at now: between two reports the
  // set stays the same (anchored at now, a worker's report would drop out before its next came).
  let newest: number | null = null;
  for (let i = 1; i < observations.length; i++) {
    const prev = observations[i - 1] as CountObservation;
    const o = observations[i] as CountObservation;
    if (o.count > prev.count) newest = (prev.at + o.at) / 2;
  }
  if (newest === null) return { endMs: endAt, complete: false, nextEndMs: null };
  // Within one interval less 400 ms: a worker's reports come a little more than 3 s apart but are
  // seen through polls (±50 ms each) — with 100 ms, measured on 2.47.0, one worker's previous report
  // (2.93 s before its newest) was counted as another worker's last, and the read came 1.5 s late.
  const from = newest - reportIntervalMs + LAST_SET_MARGIN_MS;
  let total = 0;
  let weighted = 0;
  let jumps = 0;
  let before = 0; // requests reported in the interval before: what a full set of reports brings
  // the last reports, oldest first: spanJumps[0] is the one due to be replaced next
  const spanJumps: { at: number; requests: number }[] = [];
  for (let i = 1; i < observations.length; i++) {
    const prev = observations[i - 1] as CountObservation;
    const o = observations[i] as CountObservation;
    if (o.count <= prev.count) continue;
    const at = (prev.at + o.at) / 2;
    if (at < from) {
      if (at >= from - reportIntervalMs) before += o.count - prev.count;
      continue;
    }
    jumps++;
    total += o.count - prev.count;
    weighted += (o.count - prev.count) * at;
    spanJumps.push({ at, requests: o.count - prev.count });
  }
  const oldest = spanJumps[0];
  if (total === 0 || !oldest) return { endMs: endAt, complete: false, nextEndMs: null };
  // Workers whose reports always land together show as one jump: then the requests tell, as a full
  // interval's worth has come in.
  // And however many requests they brought: a worker whose last report is older than the span reports
  // again within one interval of it (up to 10 % over 3 s, measured 3.14 s on 2.12.1), so once that
  // much passes after the newest jump without another, every worker's last report is in the span
  // (measured on 2.47.0: two workers' reports landing together, judged short by the share, kept a
  // live read waiting 3 s).
  const quietMs = LAST_SET_MARGIN_MS + 0.1 * reportIntervalMs;
  const complete = jumps >= workers || (before > 0 && total >= FULL_SET_SHARE * before) || last.at - newest >= quietMs;
  const endMs = Math.round(Math.min(last.at, weighted / total));
  // The oldest of these reports is the next one replaced, one interval later, bringing about as much.
  // But once it is, the span (anchored at that new report) drops every report that came within the
  // margin after the oldest too, and the set is whole again only when those have been replaced as
  // well: workers whose reports land together move the end a whole interval (measured on 2.47.0:
  // two reports 150 ms apart, predicted +0.48 s, got +3 s — a 10 s window read at 12 s).
  const replacedBefore = oldest.at + LAST_SET_MARGIN_MS;
  const replaced = spanJumps.filter((j) => j.at < replacedBefore).reduce((s, j) => s + j.requests, 0);
  const nextEndMs = Math.round(endMs + (replaced * reportIntervalMs) / total);
  return { endMs, complete, nextEndMs };
}

export interface WindowEndEstimate {
  endMs: number;
  /** Whether every worker's last report is in (see estimateWindowEnd). */
  complete: boolean;
  /** Where the estimate moves once the next report lands, or null without any report. */
  nextEndMs: number | null;
}

/**
 * Whether to read a live window now or wait for the next report. A read can only cover whole
 * reports, so the end it gets moves in steps (a full interval when the workers report together):
 * read once the end reached the planned one (less the poll's own error), or earlier when waiting for
 * the next report would overshoot by more than reading now falls short. Not before every worker is in.
 *
 * @param slackMs how far before the planned end the estimate may be and still count as there (the
 *   poll period: each report's arrival is known only to within it)
 */
export function readWindowNow(plannedEndMs: number, est: WindowEndEstimate, slackMs: number): boolean {
  if (!est.complete) return false;
  if (est.endMs >= plannedEndMs - slackMs) return true;
  return est.nextEndMs !== null && est.nextEndMs - plannedEndMs > plannedEndMs - est.endMs;
}

/** How far (ms) a window read without the plugin may be from its planned length (issue: ±0.5 s). */
export const LIVE_READ_TOLERANCE_MS = 500;

/**
 * What a stage that may still stop its users (the run's last) does once its window's planned end has
 * passed: read live when the workers' last reports end the window within the tolerance of the plan;
 * wait while they are not all in, or while the next report is due to bring the end within it;
 * otherwise stop now — the window then ends at the /stop, exactly, at the price of the wait for the
 * workers' last reports (3.5 s, once per run) — rather than read a window a whole step off (reports
 * landing together move the end 3 s: a 10 s hold read live is 9 s or 12 s long).
 */
export function liveReadOrStop(plannedEndMs: number, est: WindowEndEstimate): 'read' | 'wait' | 'stop' {
  if (!est.complete) return 'wait';
  if (Math.abs(est.endMs - plannedEndMs) <= LIVE_READ_TOLERANCE_MS) return 'read';
  const next = est.nextEndMs;
  return est.endMs < plannedEndMs && next !== null && Math.abs(next - plannedEndMs) <= LIVE_READ_TOLERANCE_MS ? 'wait' : 'stop';
}

/**
 * How far a start placed from the workers' first reports may be off: each report's arrival is known
 * to within one poll, and the interval it covers is 3 s plus up to 10 % (measured 3.14 s on 2.12.1).
 * Without any report in the first interval (no traffic seen, or the polls failed) the start is the
 * reset, off by up to one interval.
 */
export function startUncertaintyMs(reportsSeen: boolean, pollMs: number, reportIntervalMs = 3_000): number {
  return reportsSeen ? Math.round(pollMs + 0.1 * reportIntervalMs) : reportIntervalMs;
}

/** The same for an end read live from the workers' last reports; a read that timed out waiting is off by up to one interval. */
export function liveEndUncertaintyMs(closest: boolean, pollMs: number, reportIntervalMs = 3_000): number {
  return closest ? Math.round(pollMs + 0.1 * reportIntervalMs) : reportIntervalMs;
}

/**
 * At most how much of the window [start, end] lies before the ramp was seen complete (rampSeenAt).
 * Without the plugin the ramp's end is seen through Locust's 2 s cache and the start is estimated,
 * up to one report interval before the reset: the window may reach back into the ramp.
 */
export function rampOverlapMs(start: number, end: number, rampSeenAt: number | null): number {
  if (rampSeenAt === null) return 0;
  return Math.max(0, Math.min(end, rampSeenAt) - start);
}
