// The answers of the companion plugin (locust/locust_driver_plugin.py), parsed into the model.
// Its routes live under /locust-driver/ on the master's web UI; a 404 there means the locustfile
// does not load it (the driver then uses the REST API alone).
import * as z from 'zod';
import { LocustError } from '../../core/errors.js';
import type { LiveStats } from '../../core/model.js';
import type { PluginInfo, PluginSync } from '../../ports.js';

export const PLUGIN_ROUTES = { runner: 'locust-driver/runner', reset: 'locust-driver/reset', flush: 'locust-driver/flush' } as const;

const count = z.number().int().nonnegative();
const nullableMs = z.number().nonnegative().nullable().optional();

const RunnerView = z.object({
  plugin: z.literal('locust-driver'),
  version: z.string(),
  locust_version: z.string().optional(),
  state: z.string(),
  user_count: count,
  worker_count: count,
  workers: z.array(
    z.object({
      id: z.string(),
      state: z.string(),
      user_count: count,
      cpu_percent: z.number().nullable().optional(),
      memory_bytes: z.number().nullable().optional(),
    }),
  ),
  stats: z.object({
    requests: count,
    failures: count,
    current_rps: z.number().nonnegative().nullable().optional(),
    current_fail_per_sec: z.number().nonnegative().nullable().optional(),
    current_p50_ms: nullableMs,
    current_p95_ms: nullableMs,
    // Absent from plugins before it was added: the samples then carry no mean (a verdict says so).
    avg_ms: nullableMs,
  }),
});

const Sync = z.object({
  plugin: z.literal('locust-driver'),
  version: z.string(),
  complete: z.boolean(),
  workers: z.array(z.string()),
  missing: z.array(z.string()),
  attempts: z.number().int().positive(),
  runner: RunnerView,
});

function bad(route: string, body: unknown, error: z.ZodError): never {
  const issue = error.issues[0];
  const where = issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'invalid';
  const text = JSON.stringify(body)?.slice(0, 200) ?? String(body);
  throw new LocustError(
    `the locust-driver plugin's /${route} answered something else than expected (${where}); found: ${text} — update locust/locust_driver_plugin.py next to the locustfile to the driver's version`,
    { code: 'LOCUST_BAD_RESPONSE' },
  );
}

function toLiveStats(v: z.infer<typeof RunnerView>, schema: LiveStats['schema']): LiveStats {
  return {
    state: v.state,
    userCount: v.user_count,
    workers: v.workers.map((w) => ({
      id: w.id,
      state: w.state,
      userCount: w.user_count,
      cpuPercent: w.cpu_percent ?? null,
      memoryBytes: w.memory_bytes ?? null,
    })),
    workerCount: v.worker_count,
    requests: v.stats.requests,
    failures: v.stats.failures,
    currentRps: v.stats.current_rps ?? null,
    currentFailPerSec: v.stats.current_fail_per_sec ?? null,
    currentP50Ms: v.stats.current_p50_ms ?? null,
    currentP95Ms: v.stats.current_p95_ms ?? null,
    avgMs: v.stats.requests > 0 ? (v.stats.avg_ms ?? null) : null,
    schema,
  };
}

/** GET /locust-driver/runner → the plugin's version (detection) and the runner as it is now. */
export function parseRunnerView(body: unknown, schema: LiveStats['schema']): { info: PluginInfo; stats: LiveStats } {
  const p = RunnerView.safeParse(body);
  if (!p.success) bad(PLUGIN_ROUTES.runner, body, p.error);
  return { info: { version: p.data.version }, stats: toLiveStats(p.data, schema) };
}

/** POST /locust-driver/reset or /flush → whether every worker acknowledged, and the runner at that moment. */
export function parsePluginSync(route: string, body: unknown, schema: LiveStats['schema']): PluginSync {
  const p = Sync.safeParse(body);
  if (!p.success) bad(route, body, p.error);
  return { complete: p.data.complete, workers: p.data.workers, missing: p.data.missing, attempts: p.data.attempts, stats: toLiveStats(p.data.runner, schema) };
}
