// The zod schema of run.json (RunRecord in model.ts). run.json is a public, versioned format:
// `report` re-renders from it, other tools read it, and schema/run.schema.json is generated from
// this file. Unknown keys are tolerated on input (a newer writer may add fields within version 1);
// the fields below are the contract.
import { z } from 'zod';
import type { RunRecord } from './model.js';
import { RepeatGroupsSchema, ScalabilityModelSchema, StageStatsSchema } from './stats/schema.js';

const isoTime = z.iso.datetime().describe('ISO-8601 UTC with milliseconds, e.g. 2026-11-28T10:55:19.123Z');
const count = z.int().nonnegative();
const ms = z.number().nonnegative();
const msOrNull = ms.nullable();

const FailureRowSchema = z.object({
  method: z.string(),
  name: z.string(),
  error: z.string(),
  occurrences: count,
});

const HpaSettingsSchema = z.object({ min: count, max: count, cpuPercent: count });

const SloSpecSchema = z.object({
  p50Ms: msOrNull,
  p90Ms: msOrNull,
  p95Ms: msOrNull,
  p99Ms: msOrNull,
  avgMs: msOrNull,
  maxMs: msOrNull,
  failRatio: z.number().min(0).max(1).nullable(),
  minRps: z.number().nonnegative().nullable(),
});

const SloMetricSchema = z.enum(['p50', 'p90', 'p95', 'p99', 'avg', 'max', 'failRatio', 'minRps']);

const SloVerdictSchema = z.object({
  metric: SloMetricSchema,
  threshold: z.number(),
  observed: z.number().nullable(),
  pass: z.boolean(),
  reason: z.string().describe('e.g. "p95 612 ms > 500 ms"'),
});

const CompareMetricSchema = z.enum(['rps', 'p50', 'p90', 'p95', 'p99', 'avg', 'max', 'failRatio']);

const ComparisonSchema = z.object({
  baselineRunId: z.string(),
  baselineStartedAt: z.string(),
  tolerances: z.partialRecord(CompareMetricSchema, z.number()),
  stages: z.array(
    z.object({
      key: z.string(),
      baselineIndex: z.int().positive().nullable(),
      currentIndex: z.int().positive().nullable(),
      deltas: z.array(
        z.object({
          metric: CompareMetricSchema,
          baseline: z.number().nullable(),
          current: z.number().nullable(),
          change: z.number().nullable(),
          regression: z.boolean(),
          reason: z.string(),
          noise: z
            .number()
            .nonnegative()
            .nullable()
            .optional()
            .describe("95 % noise of the change from both runs' intervals: relative, failRatio in absolute points"),
          bound: z.enum(['tolerance', 'noise']).nullable().optional().describe('Which bound decided: the tolerance, or the measured noise where it was wider'),
        }),
      ),
      regression: z.boolean(),
    }),
  ),
  regression: z.boolean(),
  reason: z.string(),
});

const CapacityResultSchema = z.object({
  users: count.nullable(),
  breachedAt: count.nullable(),
  probes: z.array(z.object({ stageIndex: z.int().positive(), users: count, pass: z.boolean() })),
  reason: z.string(),
});

const StagePlanSchema = z.object({
  index: z.int().positive(),
  name: z.string(),
  slug: z.string(),
  users: count,
  spawnRate: z.number().positive(),
  durationMs: ms,
  cooldownMs: ms,
  sampleEveryMs: ms,
  rampTimeoutMs: ms,
  replicas: count.nullable(),
  hpa: HpaSettingsSchema.nullable(),
  workers: count.nullable(),
  scaleTimeoutMs: ms,
  slo: SloSpecSchema.nullable(),
});

const MetricsPlanSchema = z.object({
  remoteWrite: z
    .object({
      url: z.string(),
      basicAuth: z.object({ username: z.string(), passwordEnv: z.string() }).nullable(),
      bearerTokenEnv: z.string().nullable(),
      timeoutMs: count,
      retries: count,
      maxQueued: count,
      flushTimeoutMs: count,
    })
    .nullable(),
  labels: z.record(z.string(), z.string()),
});

const RunPlanSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  source: z.string().describe('The matrix file as given'),
  locust: z.object({
    url: z.string().nullable().describe('null: the embedded local stack'),
    expectWorkers: count,
    connectTimeoutMs: count,
    requestTimeoutMs: count,
    auth: z.object({ username: z.string(), passwordEnv: z.string() }).nullable(),
  }),
  target: z.object({ host: z.string().nullable(), healthPath: z.string().nullable() }),
  kubernetes: z
    .object({
      namespace: z.string().nullable(),
      target: z.object({ deployment: z.string(), hpa: z.string() }).nullable(),
      workers: z.object({ deployment: z.string() }).nullable(),
      restore: z.boolean(),
      leaseName: z.string(),
      keepSummaries: count,
    })
    .nullable(),
  onBreach: z.enum(['continue', 'stop']),
  // Added after the first release: older run.json files load with the old behaviour.
  transition: z.enum(['restart', 'continue']).default('restart'),
  retry: z
    .object({ attempts: count, masterTimeoutMs: count, onWorkerLoss: z.enum(['invalid', 'retry']) })
    .default({ attempts: 0, masterTimeoutMs: 0, onWorkerLoss: 'invalid' }),
  capacity: z.object({ startUsers: count, maxUsers: count, factor: z.number(), precisionUsers: count }).nullable(),
  metrics: MetricsPlanSchema.nullable().default(null).describe('The metrics: section (secrets only as environment variable names)'),
  stages: z.array(StagePlanSchema),
});

const totalsShape = {
  requests: count,
  failures: count,
  rps: z.number().nonnegative().describe('requests / measured window seconds'),
  failRatio: z.number().min(0).max(1).describe('failures / requests; 0 without requests'),
  avgMs: msOrNull,
  minMs: msOrNull,
  maxMs: msOrNull,
  p50Ms: msOrNull,
  p66Ms: msOrNull,
  p75Ms: msOrNull,
  p80Ms: msOrNull,
  p90Ms: msOrNull,
  p95Ms: msOrNull,
  p98Ms: msOrNull,
  p99Ms: msOrNull,
  p999Ms: msOrNull,
  p9999Ms: msOrNull,
  p100Ms: msOrNull,
};

const TotalsSchema = z.object(totalsShape).describe('Aggregated over the measured window; percentiles are cumulative over the window (null without requests)');

const EndpointTotalsSchema = z.object({ method: z.string(), name: z.string(), ...totalsShape });

const SampleSchema = z.object({
  at: isoTime,
  elapsedMs: ms.describe('Since the window started (the stats reset)'),
  users: count,
  workers: count,
  requests: count,
  failures: count,
  rps: z
    .number()
    .nonnegative()
    .nullable()
    .describe(
      "Locust's rolling current value, null when it had none; with the locust-driver plugin: the requests since the previous sample (the first: since the reset) per second",
    ),
  failPerSec: z.number().nonnegative().nullable(),
  p50Ms: msOrNull,
  p95Ms: msOrNull,
  workerCpuMaxPercent: z.number().nonnegative().nullable(),
  replicasReady: count.nullable().describe("The target Deployment's ready replicas"),
  replicasDesired: count.nullable().describe("The target Deployment's spec.replicas"),
  hpaCurrent: count.nullable(),
  hpaDesired: count.nullable(),
  hpaCpuPercent: z.number().nonnegative().nullable().describe("The HPA's current average CPU utilisation"),
  hpaLastScaleAt: z.iso.datetime().nullable().optional().describe("The HPA's status.lastScaleTime at this poll (whole seconds)"),
  stale: z
    .boolean()
    .default(false)
    .describe("The master answered from its 2 s cache: this row repeats the previous one's numbers (only without the locust-driver plugin)"),
  avgMs: msOrNull.optional().describe("Locust's cumulative mean response time at this poll (× requests: the summed response time)"),
});

const StageWindowSchema = z.object({
  start: isoTime.describe('Effective start of the measured window (after ramp-up)'),
  end: isoTime.describe('When the users were stopped; the final snapshot covers everything up to here'),
  resetAt: isoTime.describe("When the master's stats were reset"),
  durationMs: ms,
  edges: z
    .enum(['plugin', 'reports'])
    .default('reports')
    .describe("How the edges were found: the locust-driver plugin's acknowledged reset and flush (exact), or estimated from the workers' reports (REST only)"),
  rampOverlapMs: msOrNull.default(null).describe('At most this much of the window lies before the ramp was seen complete (0: none); null in older run.json'),
  uncertaintyMs: z
    .object({ start: ms, end: ms })
    .nullable()
    .default(null)
    .describe('How far each edge may be off: the counted requests begin within start ± uncertaintyMs.start and end within end ± uncertaintyMs.end'),
});

const StageAutoscaleSchema = z.object({
  firstScaleUpMs: msOrNull.describe("From full load to the first increase of the HPA's desired replicas"),
  readyMs: msOrNull.describe("From full load until the first scale-up's replicas were all Ready"),
  sloRecoveryMs: msOrNull.describe('From full load until p95 was back under the objective (after it had been above)'),
  settledMs: msOrNull.describe('From full load until the replicas stopped changing for the settle time'),
  peakReplicas: count.nullable(),
  finalReplicas: count.nullable(),
  rpsPerReplica: z.number().nonnegative().nullable().describe('Window throughput per ready replica (replica-seconds)'),
  events: z.array(
    z.object({
      kind: z.string(),
      at: isoTime,
      from: count.optional(),
      to: count.optional(),
      byHpa: z.boolean().optional().describe("scale: placed at the HPA's status.lastScaleTime rather than at the sample that showed it"),
    }),
  ),
  pending: z.array(z.string()).describe('What had not happened by the end of the stage'),
  resolutionMs: ms.describe('Events are placed at the first sample that shows them: at most this late'),
});

const StageResultSchema = z.object({
  index: z.int().positive(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(['completed', 'failed', 'aborted', 'skipped', 'invalid']),
  reason: z.string().nullable().describe('Why the stage did not complete; null when it did'),
  users: count,
  spawnRate: z.number().positive(),
  replicas: count.nullable().describe('Target replicas asked for; null when not managed'),
  workers: count.nullable().describe('Locust workers asked for; null when not managed'),
  hpa: HpaSettingsSchema.nullable().describe('HPA settings asked for; null when not managed'),
  prepareMs: msOrNull.describe('How long scaling and waiting for readiness took; null without Kubernetes'),
  slo: z.array(SloVerdictSchema).describe('One verdict per threshold; empty without an SLO'),
  plannedDurationMs: ms,
  startedAt: isoTime,
  finishedAt: isoTime,
  rampMs: msOrNull,
  window: StageWindowSchema.nullable(),
  totals: TotalsSchema.nullable(),
  endpoints: z.array(EndpointTotalsSchema),
  failures: z.array(FailureRowSchema),
  exceptionCount: count,
  workersSeen: z.object({ min: count, max: count }).nullable(),
  workerCpuMaxPercent: z.number().nonnegative().nullable(),
  samples: z.array(SampleSchema),
  attempt: z.int().positive().default(1).describe('Which attempt produced this result (more than 1 after a fault)'),
  retries: z
    .array(z.object({ at: isoTime, reason: z.string() }))
    .default([])
    .describe('Earlier attempts that a master or worker fault interrupted, and why'),
  stats: StageStatsSchema.nullable().optional(),
  autoscale: StageAutoscaleSchema.nullable().optional().describe('How the HPA reacted when the stage let it scale (hpa min < max)'),
});

const HighlightSchema = z.object({
  stageIndex: z.int().positive(),
  stageName: z.string(),
  users: count,
  rps: z.number().nonnegative(),
  p95Ms: msOrNull,
  reason: z.string(),
});

export const RunRecordSchema = z
  .object({
    schemaVersion: z.literal(1),
    runId: z.string().min(1),
    name: z.string(),
    startedAt: isoTime,
    finishedAt: isoTime.nullable(),
    status: z.enum(['running', 'completed', 'aborted', 'failed']),
    verdict: z.enum(['pass', 'fail', 'none']),
    error: z.string().nullable(),
    plan: RunPlanSchema,
    environment: z.object({
      driver: z.string(),
      node: z.string(),
      locust: z.object({
        version: z.string().nullable(),
        url: z.string(),
        embedded: z.boolean(),
        schema: z.enum(['legacy', 'modern']).nullable(),
        api: z
          .object({ basis: z.enum(['version', 'probe']), stateMethod: z.enum(['GET', 'POST']) })
          .nullable()
          .default(null)
          .describe("How the master's API was told (its version, or an OPTIONS /stop probe) and the method /stop and /stats/reset take"),
        plugin: z
          .object({ version: z.string() })
          .nullable()
          .default(null)
          .describe('The locust-driver companion plugin (locust/locust_driver_plugin.py) when the locustfile loads it; null when it is absent'),
      }),
      kubernetes: z
        .object({
          namespace: z.string(),
          server: z.string(),
          inCluster: z.boolean(),
          baseline: z
            .object({ targetReplicas: count.nullable(), hpaSnapshot: z.unknown(), hpaExisted: z.boolean(), workerReplicas: count.nullable() })
            .nullable()
            .default(null)
            .describe('The cluster as the run found it, what restore puts back (a resumed run restores this)'),
        })
        .nullable(),
      workers: count.nullable(),
    }),
    stages: z.array(StageResultSchema),
    summary: z.object({ best: HighlightSchema.nullable(), knee: HighlightSchema.nullable() }),
    capacity: CapacityResultSchema.nullable(),
    comparison: ComparisonSchema.nullable(),
    resumes: z
      .array(z.object({ at: isoTime, fromStage: z.int().positive() }))
      .default([])
      .describe('Every run --resume of this run: when, and the first stage it ran again'),
    stopFailure: z
      .object({ at: isoTime, url: z.string(), usersAtZero: z.boolean(), tried: z.array(z.string()) })
      .nullable()
      .default(null)
      .describe('Set when the driver could not stop the users by any way the API has: unless usersAtZero, the load may still be running at url'),
    current: z
      .object({ stage: z.int().positive(), attempt: z.int().positive(), phase: z.enum(['prepare', 'ramp', 'measure', 'stop', 'collect']), since: isoTime })
      .nullable()
      .default(null)
      .describe(
        'While a stage runs: which one and its phase, rewritten as it changes (a run killed mid-stage shows where it stopped); null between stages and at the end',
      ),
    remoteWrite: z
      .object({ sent: count, dropped: count })
      .nullable()
      .default(null)
      .describe(
        'With metrics.remoteWrite: samples the receiver accepted, and samples dropped (buffer full, refused, or still unsent when the run ended); null without remote write',
      ),
    scalability: ScalabilityModelSchema.nullable().optional(),
    repeats: RepeatGroupsSchema.optional(),
  })
  .meta({
    title: 'locust-driver run record (run.json)',
    description: 'Everything one locust-driver run measured. schemaVersion 1.',
  });

// Compile-time proof that the schema and the RunRecord type agree, both ways.
type Parsed = z.infer<typeof RunRecordSchema>;
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const _sameType: Equals<Parsed, RunRecord> = true;
const _fromType: Parsed = {} as RunRecord;
const _toType: RunRecord = {} as Parsed;

/** The JSON Schema published as schema/run.schema.json (input side: what a run.json may contain). */
export function runJsonSchema(): object {
  return z.toJSONSchema(RunRecordSchema, { io: 'input' });
}
