// A stage's autoscaling result: when its HPA may move the replicas (min < max), the reaction
// timeline from the samples the stage took (the HPA's desired replicas, the Deployment's ready
// replicas, p95) and the throughput each ready replica carried in the window.
import type { Sample, StagePlan, Totals } from '../model.js';
import { scaleReaction, throughputPerReplica, type ScaleObservation, type ScaleReaction } from './timeline.js';

/** The reaction (timeline.ts) with its events as ISO times, and what each ready replica carried. */
export interface StageAutoscale extends Omit<ScaleReaction, 'events'> {
  /** Window requests per second per ready replica (replica-seconds, time-weighted). */
  rpsPerReplica: number | null;
  events: { kind: string; at: string; from?: number; to?: number; byHpa?: boolean }[];
  /** Reaction times are placed at the first sample that shows them: at most this much late. */
  resolutionMs: number;
}

/** Default quiet time after the last change before the replicas count as settled. */
export const DEFAULT_SETTLE_MS = 30_000;

export function stageAutoscale(
  stage: StagePlan,
  samples: Sample[],
  fullLoadAt: number | null,
  window: { start: number; end: number } | null,
  totals: Totals | null,
  settleMs = DEFAULT_SETTLE_MS,
): StageAutoscale | null {
  if (stage.hpa === null || stage.hpa.min >= stage.hpa.max || fullLoadAt === null) return null;
  const obs: ScaleObservation[] = samples.map((s) => ({
    at: Date.parse(s.at),
    desired: s.hpaDesired,
    ready: s.replicasReady,
    p95Ms: s.p95Ms,
    lastScaleAt: s.hpaLastScaleAt ? Date.parse(s.hpaLastScaleAt) : null,
  }));
  const r = scaleReaction(obs, { fullLoadAt, p95SloMs: stage.slo?.p95Ms ?? null, settleMs });
  const perReplica = window && totals ? throughputPerReplica(totals.requests, window.start, window.end, obs) : null;
  return {
    ...r,
    rpsPerReplica: perReplica,
    events: r.events.map((e) => ({
      kind: e.kind,
      at: new Date(e.at).toISOString(),
      ...(e.from !== undefined ? { from: e.from } : {}),
      ...(e.to !== undefined ? { to: e.to } : {}),
      ...(e.byHpa ? { byHpa: true } : {}),
    })),
    resolutionMs: stage.sampleEveryMs,
  };
}
