// The zod schema of the statistics in run.json (types: ./types.ts), used by ../run-schema.ts.
import { z } from 'zod';

const SubWindowSchema = z.object({
  fromMs: z.number().nonnegative(),
  toMs: z.number().nonnegative(),
  requests: z.int().nonnegative(),
  failures: z.int().nonnegative(),
  rps: z.number().nonnegative(),
  responseMs: z.number().nonnegative().nullable(),
  meanMs: z.number().nonnegative().nullable(),
});

const TrendSchema = z.object({
  s: z.number().describe('Mann–Kendall S'),
  p: z.number().min(0).max(1).describe('Two-sided p-value of the Mann–Kendall test'),
  slopePerSec: z.number().describe("Sen's slope, units of the series per second"),
  from: z.number().describe("The Sen line's value at the first sub-window"),
  to: z.number().describe('… and at the last'),
  relativeDrift: z.number().nullable().describe('(to − from) / from'),
  drifting: z.boolean().describe('p < 0.025 (0.05 shared by the two series) and |relativeDrift| ≥ 5 %'),
});

const IntervalSchema = z.object({
  estimate: z.number(),
  low: z.number(),
  high: z.number(),
  halfWidth: z.number().nonnegative(),
  relativeHalfWidth: z.number().nonnegative().nullable(),
  batches: z.int().positive(),
  batchSize: z.int().positive().describe('Sub-windows per batch'),
  lag1: z.number().describe('Lag-1 autocorrelation of the batch means'),
  independent: z.boolean().describe('False: still correlated at the fewest batches allowed (the interval is likely too narrow)'),
});

export const StageStatsSchema = z
  .object({
    subWindows: z.array(SubWindowSchema).describe('Aggregated: the differences of consecutive fresh samples (cached repeats skipped)'),
    steady: z.object({
      throughput: TrendSchema.nullable(),
      latency: TrendSchema.nullable(),
      drifting: z.boolean(),
      verdict: z.string().describe('e.g. "throughput rose 18 % over the window", or "steady"'),
    }),
    confidence: z.object({
      rps: IntervalSchema.nullable().describe('95 % interval of the throughput (batch means)'),
      avgMs: IntervalSchema.nullable().describe('95 % interval of the mean latency (batch means)'),
      method: z.string().describe('Batch size and autocorrelation, or why there is no interval'),
    }),
  })
  .describe('Steady state and 95 % intervals from the sub-window series; null when the stage has none');

export const ScalabilityModelSchema = z
  .object({
    against: z.enum(['users', 'replicas']),
    points: z.array(z.object({ n: z.number().positive(), rps: z.number().nonnegative(), stageIndex: z.int().positive() })),
    fit: z
      .object({
        lambda: z.number(),
        sigma: z.number(),
        kappa: z.number(),
        lambdaSe: z.number().nullable(),
        sigmaSe: z.number().nullable(),
        kappaSe: z.number().nullable(),
        r2: z.number(),
        peakN: z.number().nullable(),
        peakRps: z.number().nullable(),
        curve: z.array(z.object({ n: z.number(), rps: z.number() })),
      })
      .nullable(),
    warnings: z.array(z.string()),
    summary: z.string(),
  })
  .describe('The Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)) fitted to the completed stages; null with fewer than 3 distinct N');

const RepeatStatSchema = z.object({
  n: z.int().min(2),
  mean: z.number(),
  sd: z.number().nonnegative(),
  low: z.number(),
  high: z.number(),
  halfWidth: z.number().nonnegative(),
  min: z.number(),
  max: z.number(),
});

export const RepeatGroupsSchema = z
  .array(
    z.object({
      key: z.string().describe('The parameters the repeats share'),
      stageIndexes: z.array(z.int().positive()),
      metrics: z.partialRecord(z.enum(['rps', 'avgMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'maxMs', 'failRatio']), RepeatStatSchema),
    }),
  )
  .describe('Stages run more than once with the same parameters: every metric as mean, 95 % interval (t over the repeats) and spread (sd, min, max)');
