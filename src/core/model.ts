// The domain model shared by the core, the ports and the adapters. Plain data only.
import type { RepeatGroup, ScalabilityModel, StageStats } from './stats/types.js';
import type { StageAutoscale } from './autoscale/stage.js';

/** Locust's cumulative percentile columns, as its CSV names them. */
export const PERCENTILES = ['50', '66', '75', '80', '90', '95', '98', '99', '99.9', '99.99', '100'] as const;
export type PercentileKey = (typeof PERCENTILES)[number];

/** One row of Locust's `/stats/requests/csv` (an endpoint or the Aggregated row), numbers parsed. */
export interface EndpointStats {
  method: string; // '' for the Aggregated row
  name: string; // 'Aggregated' for the Aggregated row
  requests: number;
  failures: number;
  medianMs: number | null; // null where Locust prints N/A (no requests)
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  avgContentBytes: number | null;
  rps: number; // Locust's own whole-window average
  failPerSec: number;
  percentiles: Record<PercentileKey, number | null>;
}

/** The window's numbers, read from the uncached CSV endpoints after the workers' last report. */
export interface WindowStats {
  endpoints: EndpointStats[]; // without the Aggregated row, in Locust's order
  aggregated: EndpointStats;
  failures: FailureRow[];
  exceptionCount: number;
  /** The CSV bodies exactly as Locust served them, kept for stats.csv / failures.csv / exceptions.csv. */
  raw: { stats: string; failures: string; exceptions: string };
}

export interface FailureRow {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

export type RunnerState = 'ready' | 'spawning' | 'running' | 'stopping' | 'stopped' | 'cleanup' | 'missing';

export interface WorkerInfo {
  id: string;
  state: RunnerState | (string & {}); // a newer release may add states
  userCount: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** `/stats/requests` (memoized 2 s by Locust) normalised across Locust 2.x versions. */
export interface LiveStats {
  state: RunnerState | (string & {}); // a newer release may add states
  userCount: number;
  workers: WorkerInfo[];
  /** Workers that are ready, spawning or running (Locust's `worker_count`, or counted from `workers`). */
  workerCount: number;
  requests: number; // Aggregated, cumulative since the test start or the last reset
  failures: number;
  /** The Aggregated row's cumulative mean response time, ms (null without requests; absent from older fakes). */
  avgMs?: number | null;
  /** Rolling ~10 s values; null when Locust has no data yet (never treat null or 0 as "fast"). */
  currentRps: number | null;
  currentFailPerSec: number | null;
  currentP50Ms: number | null;
  currentP95Ms: number | null;
  /** Which response shape the master served: 'legacy' (< 2.20/2.28 field names) or 'modern'. */
  schema: 'legacy' | 'modern';
}

/** An HPA's bounds as the matrix asks for them (autoscaling/v2, CPU utilisation target). */
export interface HpaSettings {
  min: number;
  max: number;
  cpuPercent: number;
}

/** The `kubernetes:` section, resolved. */
export interface KubernetesPlan {
  /** null: the pod's own namespace in a cluster, else the kubeconfig context's, else default. */
  namespace: string | null;
  target: { deployment: string; hpa: string } | null;
  workers: { deployment: string } | null;
  /** Put replicas and the HPA back as they were when the run ends, fails or is interrupted. */
  restore: boolean;
  /** The Lease that keeps a second driver off the same master. */
  leaseName: string;
  /** How many run-summary ConfigMaps of this matrix to keep. */
  keepSummaries: number;
}

/** Service-level objectives for a stage: every threshold given must hold (latencies in ms). */
export interface SloSpec {
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  avgMs: number | null;
  maxMs: number | null;
  /** Highest allowed failures / requests, 0..1. */
  failRatio: number | null;
  /** Lowest allowed throughput, requests/s over the window. */
  minRps: number | null;
}

export type SloMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'avg' | 'max' | 'failRatio' | 'minRps';

/** One threshold judged on the master's aggregated numbers for the stage's window. */
export interface SloVerdict {
  metric: SloMetric;
  threshold: number;
  observed: number | null;
  pass: boolean;
  /** e.g. "p95 612 ms > 500 ms" or "p95 120 ms ≤ 500 ms". */
  reason: string;
}

/** Capacity search: the largest user count that meets the SLO. */
export interface CapacityPlan {
  startUsers: number;
  maxUsers: number;
  /** Growth factor until the first breach (geometric). */
  factor: number;
  /** Bisect until the bracket is at most this many users wide. */
  precisionUsers: number;
}

export interface CapacityResult {
  /** Largest user count that met the SLO (null: even the first probe breached). */
  users: number | null;
  /** Smallest user count that breached (null: none did up to maxUsers). */
  breachedAt: number | null;
  probes: { stageIndex: number; users: number; pass: boolean }[];
  reason: string;
}

/** One stage of the expanded plan: everything needed to run it. Times in milliseconds. */
export interface StagePlan {
  index: number; // 1-based
  name: string;
  slug: string; // file-system safe, unique within the run: used for stages/<NN>-<slug>/
  users: number;
  spawnRate: number;
  durationMs: number;
  cooldownMs: number;
  sampleEveryMs: number;
  rampTimeoutMs: number;
  /** Kubernetes settings for this stage (null: leave as is). */
  replicas: number | null;
  hpa: HpaSettings | null;
  workers: number | null;
  scaleTimeoutMs: number;
  /** The thresholds this stage is judged by (top-level slo: merged with the stage's own); null: none. */
  slo: SloSpec | null;
}

export interface RetryPlan {
  attempts: number;
  masterTimeoutMs: number;
  onWorkerLoss: 'invalid' | 'retry';
}

/** The `metrics:` section, resolved. Secrets are named (environment variables), never held. */
export interface MetricsPlan {
  remoteWrite: {
    url: string;
    basicAuth: { username: string; passwordEnv: string } | null;
    bearerTokenEnv: string | null;
    timeoutMs: number;
    retries: number;
    maxQueued: number;
    flushTimeoutMs: number;
  } | null;
  labels: Record<string, string>;
}

/** What the remote write did: samples accepted by the receiver, and dropped (buffer full, refused, or unsent at the end). */
export interface MetricsOutcome {
  sent: number;
  dropped: number;
}

export interface RunPlan {
  version: 1;
  name: string;
  source: string; // the matrix file as given
  locust: {
    url: string | null;
    expectWorkers: number;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    auth: { username: string; passwordEnv: string } | null;
  };
  target: { host: string | null; healthPath: string | null };
  kubernetes: KubernetesPlan | null;
  /** What happens when a stage breaches its SLO: go on, or skip the remaining stages. */
  onBreach: 'continue' | 'stop';
  /** Between stages: stop the users and start afresh, or re-target the running swarm. */
  transition: 'restart' | 'continue';
  /** Stages interrupted by a master or worker fault: how often to run them again, how long to wait. */
  retry: RetryPlan;
  /** With capacity:, `stages` holds the template of a probe; the probes are planned as the run goes. */
  capacity: CapacityPlan | null;
  /** Prometheus output (null: no metrics: section). */
  metrics: MetricsPlan | null;
  stages: StagePlan[];
}

/** Headline numbers of a window, the stable `totals` of run.json (plus the remaining percentiles). */
export interface Totals {
  requests: number;
  failures: number;
  rps: number;
  failRatio: number;
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p50Ms: number | null;
  p66Ms: number | null;
  p75Ms: number | null;
  p80Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p98Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  p9999Ms: number | null;
  p100Ms: number | null;
}

export interface EndpointTotals extends Totals {
  method: string;
  name: string;
}

/** One row of samples.csv: what the master showed at one poll during the measured window. */
export interface Sample {
  at: string; // ISO-8601 UTC
  elapsedMs: number; // since the window started (the stats reset)
  users: number;
  workers: number;
  requests: number; // cumulative in the window, as the (cached) JSON showed it
  failures: number;
  rps: number | null; // Locust's rolling current values
  failPerSec: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  workerCpuMaxPercent: number | null;
  /** What the cluster did (null when Kubernetes is not managed or the value was not there). */
  replicasReady: number | null;
  replicasDesired: number | null;
  hpaCurrent: number | null;
  hpaDesired: number | null;
  hpaCpuPercent: number | null;
  /** The HPA's status.lastScaleTime at this poll (ISO, whole seconds; absent in older run.json). */
  hpaLastScaleAt?: string | null;
  /**
   * The master answered from its 2 s cache: the same numbers as the previous sample, nothing new
   * (only without the plugin, whose view is never cached).
   */
  stale: boolean;
  /** Locust's cumulative mean response time at this poll, ms: × requests gives the summed time (src/core/stats). Absent in older run.json. */
  avgMs?: number | null;
}

export type StageStatus = 'completed' | 'failed' | 'aborted' | 'skipped' | 'invalid';

export interface StageWindow {
  /** Effective start: where the counted samples begin (see core/window.ts), ISO-8601 UTC with ms. */
  start: string;
  /** When the users were stopped; the final snapshot covers everything up to here. */
  end: string;
  /** When the master's stats were reset (the nominal start). */
  resetAt: string;
  durationMs: number;
  /**
   * How the edges were found: by the companion plugin (an acknowledged reset, a flush: exact), or
   * from the workers' reports as the REST API shows them (estimated; see core/window.ts).
   */
  edges: 'plugin' | 'reports';
  /** At most this much of the window lies before the ramp was seen complete (0: none); null in older run.json. */
  rampOverlapMs: number | null;
  /** How far each edge may be off, ms (the counted requests begin and end within start/end ± these); null in older run.json. */
  uncertaintyMs: { start: number; end: number } | null;
}

export interface StageResult {
  index: number;
  name: string;
  slug: string;
  status: StageStatus;
  reason: string | null;
  users: number;
  spawnRate: number;
  replicas: number | null; // asked for; null when not managed
  workers: number | null;
  hpa: HpaSettings | null;
  /** How long the prepare step (scaling and waiting for readiness) took; null without Kubernetes. */
  prepareMs: number | null;
  /** One verdict per threshold (empty without an SLO or without numbers). */
  slo: SloVerdict[];
  plannedDurationMs: number;
  startedAt: string;
  finishedAt: string;
  rampMs: number | null; // from POST /swarm until the master reported running with every user
  window: StageWindow | null;
  totals: Totals | null;
  endpoints: EndpointTotals[];
  failures: FailureRow[];
  exceptionCount: number;
  workersSeen: { min: number; max: number } | null;
  workerCpuMaxPercent: number | null;
  samples: Sample[];
  /** 1-based: which attempt produced this result (more than 1 after a fault). */
  attempt: number;
  /** The earlier attempts that a fault interrupted, and why. */
  retries: StageRetry[];
  /** Sub-window series, steady state, 95 % intervals (src/core/stats); absent or null without a window. */
  stats?: StageStats | null;
  /** How the HPA reacted, when the stage let it scale (min < max); absent or null otherwise (src/core/autoscale). */
  autoscale?: StageAutoscale | null;
}

export interface StageRetry {
  at: string;
  reason: string;
}

export type RunStatus = 'running' | 'completed' | 'aborted' | 'failed';

export interface Highlight {
  stageIndex: number;
  stageName: string;
  users: number;
  rps: number;
  p95Ms: number | null;
  reason: string;
}

/** The cluster as the run found it: what restore puts back (kept in run.json so a resumed run can). */
export interface ClusterBaseline {
  targetReplicas: number | null;
  /** The target's HPA before the run: its snapshot, or null when there was none. */
  hpaSnapshot: unknown;
  hpaExisted: boolean;
  workerReplicas: number | null;
}

export interface RunRecord {
  schemaVersion: 1;
  runId: string;
  name: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  verdict: 'pass' | 'fail' | 'none';
  error: string | null;
  plan: RunPlan;
  environment: {
    driver: string;
    node: string;
    locust: {
      version: string | null;
      url: string;
      embedded: boolean;
      schema: 'legacy' | 'modern' | null;
      /** How the API was told and the method /stop and /stats/reset take; null before preflight. */
      api: { basis: 'version' | 'probe'; stateMethod: 'GET' | 'POST' } | null;
      /** The companion plugin (locust/locust_driver_plugin.py) when the locustfile loads it; null when absent or not yet checked. */
      plugin: { version: string } | null;
    };
    kubernetes: { namespace: string; server: string; inCluster: boolean; baseline: ClusterBaseline | null } | null;
    workers: number | null;
  };
  stages: StageResult[];
  summary: { best: Highlight | null; knee: Highlight | null };
  /** With capacity:, the answer and the probes. */
  capacity: CapacityResult | null;
  /** With --baseline, how this run compares with the earlier one. */
  comparison: Comparison | null;
  /** Every `run --resume` of this run: when, and the first stage it ran again. */
  resumes: { at: string; fromStage: number }[];
  /** Set when the users could not be stopped (the run failed with exit 3; see StopFailedError). */
  stopFailure: { at: string; url: string; usersAtZero: boolean; tried: string[] } | null;
  /** While a stage runs: which, and its phase (run.json is rewritten as it changes); null between stages and at the end. */
  current: { stage: number; attempt: number; phase: StagePhase; since: string } | null;
  /** With metrics.remoteWrite: what was sent and dropped (set by the metrics adapter; null without remote write). */
  remoteWrite: MetricsOutcome | null;
  /** The Universal Scalability Law fitted to the completed stages (src/core/stats/usl.ts); absent or null when not fitted. */
  scalability?: ScalabilityModel | null;
  /** Stages run more than once with the same parameters, every metric over the repeats (src/core/stats/repeats.ts); absent in older files. */
  repeats?: RepeatGroup[];
}

/** The phases of a stage (src/core/stage/), as run.json shows them while it runs. */
export type StagePhase = 'prepare' | 'ramp' | 'measure' | 'stop' | 'collect';

export type CompareMetric = 'rps' | 'p50' | 'p90' | 'p95' | 'p99' | 'avg' | 'max' | 'failRatio';

/** Allowed relative change per metric: `p95: 0.10` = up to 10 % slower; `rps: -0.05` = up to 5 % less. */
export type Tolerances = Partial<Record<CompareMetric, number>>;

export interface StageComparison {
  /** The stage's parameters that matched it: users, spawn rate, duration, replicas, workers, hpa. */
  key: string;
  baselineIndex: number | null;
  currentIndex: number | null;
  deltas: {
    metric: CompareMetric;
    baseline: number | null;
    current: number | null;
    change: number | null;
    regression: boolean;
    reason: string;
    /** The measured noise of the change (src/core/stats/noise.ts), relative (failRatio: absolute); absent without intervals. */
    noise?: number | null;
    /** Which bound decided: the tolerance, or the noise where it was wider; absent without intervals. */
    bound?: 'tolerance' | 'noise' | null;
  }[];
  regression: boolean;
}

export interface Comparison {
  baselineRunId: string;
  baselineStartedAt: string;
  tolerances: Tolerances;
  stages: StageComparison[];
  regression: boolean;
  reason: string;
}
