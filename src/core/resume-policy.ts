// What --resume and --baseline latest decide, given what was found: pure, so the policy is tested
// without a results folder or a cluster (app.ts does the reading).
import { ConfigError } from './errors.js';
import type { RunPlan, RunRecord } from './model.js';
import { RunRecordSchema } from './run-schema.js';

export type ResumeMode = 'yes' | 'auto' | 'no';

/**
 * The interrupted run to continue, or null to start afresh.
 *
 * @param found the run.json already in `<out>/<runId>`, or null when there is none
 * @param where that file, its folder and the run id, for the messages
 */
export function resumeDecision(
  mode: ResumeMode,
  found: RunRecord | null,
  plan: RunPlan,
  where: { runJson: string; dir: string; runId: string },
): RunRecord | null {
  if (mode === 'no') return null;
  if (found === null) {
    if (mode === 'auto') return null;
    throw new ConfigError(`--resume: ${where.runJson} does not exist — check --run-id and --out (or drop --resume to start the run)`);
  }
  if (found.status === 'completed' && mode === 'yes')
    throw new ConfigError(`--resume: run ${where.runId} in ${where.dir} already completed; start a new run with another --run-id`);
  if (!sameMatrix(found.plan, plan)) {
    throw new ConfigError(
      `--resume: ${plan.source} no longer matches the matrix run ${where.runId} was started with (its stages, capacity, transition or kubernetes changed); resume with the same matrix, or start a new run`,
    );
  }
  return found;
}

/** Whether a run started with plan `a` may be continued with plan `b`: what it measures is unchanged. */
export function sameMatrix(a: RunPlan, b: RunPlan): boolean {
  // Key order differs between a built plan and one read back through the schema: compare canonically.
  const key = (p: RunPlan) => canonicalJson({ stages: p.stages, capacity: p.capacity, transition: p.transition, kubernetes: p.kubernetes });
  return key(a) === key(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * --baseline latest in a cluster: the run.json held by the newest completed run summary ConfigMap.
 * `invalid` when the ConfigMap holds something else (then the results folder is looked in).
 */
export function baselineFromSummary(text: string | null): RunRecord | 'invalid' | null {
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  const parsed = RunRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : 'invalid';
}
