// The interfaces the core and the run loop need from the outside world. Adapters implement them;
// tests implement them with fakes (test/fakes/).
import type { HpaSettings, LiveStats, RunRecord, StageResult, WindowStats } from './core/model.js';
import type { RunEvent } from './core/events.js';

/** A distributed Locust master, driven through its web API. */
export interface LoadGenerator {
  /** Base URL of the master's web API (for logs and reports; never carries credentials). */
  readonly url: string;
  /**
   * The master's release and API, decided once per run (the web UI page's version, else an OPTIONS
   * probe); every later call uses it. Throws a LocustError (LOCUST_UNSUPPORTED) for a release the
   * driver cannot drive or an API no known release has.
   */
  detect(signal?: AbortSignal): Promise<MasterApi>;
  /** `GET /stats/requests` (memoized 2 s by Locust for every caller). */
  stats(signal?: AbortSignal): Promise<LiveStats>;
  /** `POST /swarm` (form-encoded, never `run_time`); throws when Locust answers `success: false`. */
  swarm(users: number, spawnRate: number, host: string | null, signal?: AbortSignal): Promise<void>;
  /** `/stats/reset` (GET up to 2.46, POST in 2.47): zeroes the master's numbers (workers keep their unsent deltas). */
  resetStats(signal?: AbortSignal): Promise<void>;
  /**
   * `/stop` (GET up to 2.46, POST in 2.47): blocks until every worker reports 0 users. When the
   * master refuses or errors, the other method and then a swarm of 0 users are tried; a StopFailedError
   * says none worked (the load may still be running). An unreachable master throws as any call does.
   */
  stop(signal?: AbortSignal): Promise<void>;
  /** Uncached: the per-endpoint CSV, the failures CSV and the exceptions CSV, parsed and raw. */
  window(signal?: AbortSignal): Promise<WindowStats>;
  /** Uncached: the Aggregated request count from the CSV endpoint (cheap; used to see worker reports land). */
  aggregatedCount(signal?: AbortSignal): Promise<number>;
  /**
   * The companion plugin (locust/locust_driver_plugin.py): one GET of its runner route, once per run;
   * null when the master answers 404 there (the locustfile does not load it). The three calls below
   * are made only after it was found.
   */
  detectPlugin(signal?: AbortSignal): Promise<PluginInfo | null>;
  /** Plugin: the runner as it is now (state, users, workers, the master's totals), not through the 2 s cache. */
  runnerNow(signal?: AbortSignal): Promise<LiveStats>;
  /** Plugin: every worker drops its unsent numbers, then the master resets; resolves once all acknowledged (or timed out: complete false). */
  resetAll(signal?: AbortSignal): Promise<PluginSync>;
  /** Plugin: every worker reports now; resolves once the master has every report (or timed out: complete false). */
  flush(signal?: AbortSignal): Promise<PluginSync>;
  close(): Promise<void>;
}

/** The companion plugin as its runner route tells it. */
export interface PluginInfo {
  version: string;
}

/** The answer of the plugin's reset or flush. */
export interface PluginSync {
  /** Every worker asked acknowledged in time (a reset: and none reported in between). */
  complete: boolean;
  workers: string[];
  /** The workers that did not acknowledge in time. */
  missing: string[];
  attempts: number;
  /** The runner at the moment the last acknowledgement was handled. */
  stats: LiveStats;
}

export interface MasterApi {
  /** The release, when the web UI page tells; null when the API was told by a probe. */
  version: string | null;
  basis: 'version' | 'probe';
  /** The method /stop and /stats/reset take (GET up to 2.46, POST from 2.47). */
  stateMethod: 'GET' | 'POST';
}

/** Wall-clock time and waiting, injected so the stage logic is tested without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with `signal.reason` when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Where reports go. Every call leaves the folder consistent (files are replaced atomically). */
export interface ReportSink {
  /** The run folder, for the log line that says where the reports are. */
  readonly dir: string;
  /** A stage just ended: write its folder, then run.json and the summaries so far. */
  stageFinished(run: RunRecord, stage: StageResult, window: WindowStats | null): Promise<void>;
  /** The run state changed (started, finished, failed): rewrite run.json and the summaries. */
  runUpdated(run: RunRecord): Promise<void>;
  /** A stage's phase changed: rewrite run.json only (cheap: it happens while the window is measured). */
  progress(run: RunRecord): Promise<void>;
}

export type EventSink = (event: RunEvent) => void;

/** A Deployment's size and rollout state, as `kubectl rollout status` reads it. */
export interface DeploymentState {
  name: string;
  specReplicas: number;
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

/** An HPA as the driver needs it; `snapshot` is its whole spec, kept opaque to restore it exactly. */
export interface HpaState {
  name: string;
  min: number;
  max: number;
  cpuPercent: number | null;
  currentReplicas: number | null;
  desiredReplicas: number | null;
  currentCpuPercent: number | null;
  /** status.lastScaleTime: when the HPA last changed the replicas (ISO, whole seconds), null: never. */
  lastScaleTime: string | null;
  snapshot: unknown;
}

/** One permission the run needs, checked with a SelfSubjectAccessReview. */
export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
}

export type LeaseResult = { acquired: true } | { acquired: false; holder: string; renewTime: string | null };

/** The Kubernetes API, narrowed to what the driver does. Errors are KubeError. */
export interface Cluster {
  readonly namespace: string;
  /** The API server URL (no credentials). */
  readonly server: string;
  readonly inCluster: boolean;
  getDeployment(name: string, signal?: AbortSignal): Promise<DeploymentState | null>;
  /** Through the scale subresource. */
  scaleDeployment(name: string, replicas: number, signal?: AbortSignal): Promise<void>;
  getHpa(name: string, signal?: AbortSignal): Promise<HpaState | null>;
  /** Creates the HPA for `deployment`, or sets min/max/CPU on the existing one. */
  setHpa(name: string, deployment: string, hpa: HpaSettings, signal?: AbortSignal): Promise<'created' | 'updated'>;
  /** Puts an HPA back as it was: its saved spec, or deletes it when it did not exist (snapshot null). */
  restoreHpa(name: string, snapshot: unknown, signal?: AbortSignal): Promise<void>;
  canI(checks: AccessCheck[], signal?: AbortSignal): Promise<{ check: AccessCheck; allowed: boolean; reason: string | null }[]>;
  acquireLease(name: string, holder: string, durationS: number, signal?: AbortSignal): Promise<LeaseResult>;
  renewLease(name: string, holder: string, durationS: number, signal?: AbortSignal): Promise<boolean>;
  releaseLease(name: string, holder: string, signal?: AbortSignal): Promise<void>;
  /** The data of the newest ConfigMap carrying these labels (e.g. the last run summary of a matrix), or null. */
  latestConfigMapData(labels: Record<string, string>, key: string, signal?: AbortSignal): Promise<string | null>;
  /** Saves a labelled ConfigMap; prunes the oldest with the same labels beyond `keep`. */
  saveSummary(name: string, labels: Record<string, string>, data: Record<string, string>, keep: number, signal?: AbortSignal): Promise<{ pruned: number }>;
}
