// The statistics of run.json, as plain data (schema: ./schema.ts; computed by ./stage-stats.ts and ./usl.ts).
import type { SubWindow } from './sub-windows.js';
import type { Trend } from './steady-state.js';
import type { Interval } from './confidence.js';
import type { RepeatGroup, RepeatStat } from './repeats.js';

export type { SubWindow, Trend, Interval, RepeatGroup, RepeatStat };

/** A stage's numbers beyond its totals: the sub-window series, whether it was steady, its intervals. */
export interface StageStats {
  /** Aggregated over the endpoints, one entry per interval between fresh samples. */
  subWindows: SubWindow[];
  steady: {
    /** Trend of sub-window throughput and mean latency; null with too few sub-windows (or no latency in the samples). */
    throughput: Trend | null;
    latency: Trend | null;
    /** Either series drifts: the stage's totals describe a moving target. */
    drifting: boolean;
    /** "throughput rose 18 % over the window"; "steady", or why it was not tested. */
    verdict: string;
  };
  confidence: {
    /** 95 % interval of the throughput, requests/s; null when too few sub-windows. */
    rps: Interval | null;
    /** 95 % interval of the mean latency, ms. */
    avgMs: Interval | null;
    /** How each interval was made (batch size, autocorrelation), or why there is none. */
    method: string;
  };
}

/** The Universal Scalability Law fitted to the stages: X(N) = λN / (1 + σ(N−1) + κN(N−1)). */
export interface ScalabilityModel {
  /** What N is: the stages' users (replicas fixed), or their replicas (users per replica held). */
  against: 'users' | 'replicas';
  points: { n: number; rps: number; stageIndex: number }[];
  /** null when no fit was made (see reason). */
  fit: {
    lambda: number;
    sigma: number;
    kappa: number;
    /** Standard errors from the Jacobian at the optimum (s² (JᵀJ)⁻¹); null when the matrix is singular. */
    lambdaSe: number | null;
    sigmaSe: number | null;
    kappaSe: number | null;
    r2: number;
    /** √((1−σ)/κ); null when κ ≈ 0 (no peak within the model). */
    peakN: number | null;
    peakRps: number | null;
    /** The fitted curve, for the report: N from 1 to beyond the last point. */
    curve: { n: number; rps: number }[];
  } | null;
  warnings: string[];
  /** "modelled ceiling ≈ 812 req/s at ≈ 46 users", or why there is no model. */
  summary: string;
}
