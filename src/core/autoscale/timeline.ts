// How the autoscaler reacted in one stage, from what the driver saw of the HPA and the Deployment
// while the load ran: the timeline (full load → first change of desired replicas → each later change
// → the new replicas Ready → p95 back under the objective → settled) and the reaction times the
// results and the autoscaler thresholds read. Pure: the samples in, the timeline out.

/** One look at the cluster and the load (a stage's sample, or the HPA's own status). */
export interface ScaleObservation {
  at: number; // epoch ms
  /** The HPA's desiredReplicas (null: no HPA, or not reported yet). */
  desired: number | null;
  /** The Deployment's ready replicas. */
  ready: number | null;
  /** p95 over Locust's rolling window at this look, ms (null: no requests yet). */
  p95Ms: number | null;
  /** The HPA's status.lastScaleTime at this look, epoch ms (whole seconds); null: none or unknown. */
  lastScaleAt?: number | null;
}

export type ScaleEventKind = 'full-load' | 'scale' | 'ready' | 'slo-recovered' | 'settled';

export interface ScaleEvent {
  kind: ScaleEventKind;
  at: number;
  /** scale: desired replicas before and after; ready: the replicas that became ready. */
  from?: number;
  to?: number;
  /** scale: placed by the HPA's own lastScaleTime (exact to its whole second), not by the sample that showed it. */
  byHpa?: boolean;
}

export interface ScaleReaction {
  events: ScaleEvent[];
  /** ms from full load, null when it did not happen within the stage (see `pending`). */
  firstScaleUpMs: number | null;
  readyMs: number | null;
  sloRecoveryMs: number | null;
  settledMs: number | null;
  peakReplicas: number | null;
  finalReplicas: number | null;
  /** What had not happened by the stage's end, in words (empty when everything did). */
  pending: string[];
}

export interface ReactionOptions {
  /** When the users were all running (the ramp seen complete). */
  fullLoadAt: number;
  /** The stage's p95 objective, if it has one. */
  p95SloMs: number | null;
  /** Settled: no change of desired or ready replicas for this long, and ready = desired. */
  settleMs: number;
}

/**
 * The reaction, judged from time-ordered observations. Reaction times are bounded by the sampling:
 * an event is placed at the first observation that shows it, so it happened at most one sampling
 * interval earlier (the HPA's lastScaleTime, where the caller has it, places the scale exactly).
 */
export function scaleReaction(obs: ScaleObservation[], o: ReactionOptions): ScaleReaction {
  const events: ScaleEvent[] = [{ kind: 'full-load', at: o.fullLoadAt }];
  const after = obs.filter((x) => x.at >= o.fullLoadAt).sort((a, b) => a.at - b.at);
  const before = obs.filter((x) => x.at < o.fullLoadAt).at(-1);
  let desired: number | null = before?.desired ?? after.find((x) => x.desired !== null)?.desired ?? null;
  let ready: number | null = before?.ready ?? null;
  let lastChange = o.fullLoadAt;
  let firstUp: ScaleEvent | null = null;
  let readyEv: ScaleEvent | null = null;
  let recovered: ScaleEvent | null = null;
  let settled: ScaleEvent | null = null;
  let peak: number | null = desired;
  // p95 was above the objective at some point since full load: only then is there a recovery.
  let breached = false;
  let prevAt = before?.at ?? o.fullLoadAt;
  for (const x of after) {
    if (x.desired !== null && desired !== null && x.desired !== desired) {
      const ev: ScaleEvent = { kind: 'scale', ...placeScale(x, prevAt), from: desired, to: x.desired };
      events.push(ev);
      if (x.desired > desired && firstUp === null) firstUp = ev;
      lastChange = x.at;
      settled = null;
    }
    if (x.desired !== null) desired = x.desired;
    if (x.ready !== null && x.ready !== ready) {
      lastChange = Math.max(lastChange, x.at);
      settled = null;
      // The scale-up's replicas are Ready once as many are ready as it asked for.
      if (firstUp !== null && readyEv === null && x.ready >= (firstUp.to as number)) {
        readyEv = { kind: 'ready', at: x.at, to: x.ready };
        events.push(readyEv);
      }
      ready = x.ready;
    }
    peak = maxOf(peak, x.desired, x.ready);
    prevAt = x.at;
    if (o.p95SloMs !== null && x.p95Ms !== null) {
      if (x.p95Ms > o.p95SloMs) {
        breached = true;
        recovered = null;
      } else if (breached && recovered === null && firstUp !== null) {
        recovered = { kind: 'slo-recovered', at: x.at };
      }
    }
    if (settled === null && firstUp !== null && ready !== null && ready === desired && x.at - lastChange >= o.settleMs) {
      settled = { kind: 'settled', at: lastChange + o.settleMs };
    }
  }
  if (recovered) events.push(recovered);
  if (settled) events.push(settled);
  events.sort((a, b) => a.at - b.at);
  const since = (e: ScaleEvent | null) => (e === null ? null : e.at - o.fullLoadAt);
  const pending: string[] = [];
  if (firstUp === null) pending.push('the HPA did not ask for more replicas');
  else {
    if (readyEv === null) pending.push(`the ${firstUp.to} replicas of the first scale-up were not all Ready`);
    if (settled === null) pending.push(`the replicas had not settled (no change for ${Math.round(o.settleMs / 1000)} s)`);
  }
  if (o.p95SloMs !== null && breached && recovered === null) pending.push(`p95 was not back under ${o.p95SloMs} ms`);
  return {
    events,
    firstScaleUpMs: since(firstUp),
    readyMs: since(readyEv),
    sloRecoveryMs: since(recovered),
    settledMs: since(settled),
    peakReplicas: peak,
    finalReplicas: after.at(-1)?.ready ?? ready,
    pending,
  };
}

/**
 * When a change of desired replicas happened: the HPA writes status.lastScaleTime with the change
 * (truncated to the second), so a lastScaleTime newer than the look before is the change's own time
 * (never earlier than that look, which still showed the old count); without one, the look that
 * showed it.
 */
function placeScale(x: ScaleObservation, prevAt: number): { at: number; byHpa?: true } {
  const t = x.lastScaleAt ?? null;
  if (t === null || t > x.at || t < prevAt - 1_000) return { at: x.at };
  return { at: Math.max(t, prevAt), byHpa: true };
}

function maxOf(...v: (number | null)[]): number | null {
  const n = v.filter((x): x is number => x !== null);
  return n.length ? Math.max(...n) : null;
}

/**
 * Throughput per ready replica over a window: the window's requests over the replica-seconds the
 * ready replicas served (time-weighted, each observation's count held until the next). Null
 * without observations of ready replicas in the window.
 */
export function throughputPerReplica(requests: number, windowStart: number, windowEnd: number, obs: ScaleObservation[]): number | null {
  const inWin = obs.filter((x) => x.ready !== null).sort((a, b) => a.at - b.at);
  if (inWin.length === 0 || windowEnd <= windowStart) return null;
  let replicaMs = 0;
  // The count in force at the window's start: the last observation before it, else the first one.
  let current = (inWin.filter((x) => x.at <= windowStart).at(-1) ?? inWin[0])!.ready as number;
  let t = windowStart;
  for (const x of inWin) {
    if (x.at <= windowStart) continue;
    if (x.at >= windowEnd) break;
    replicaMs += current * (x.at - t);
    t = x.at;
    current = x.ready as number;
  }
  replicaMs += current * (windowEnd - t);
  return replicaMs > 0 ? requests / (replicaMs / 1000) : null;
}
