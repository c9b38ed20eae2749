// The stop phase: stops the swarm without wedging the master — never within moments of a /swarm
// that has not ramped — and only once (a stop that failed every way is not tried again).
import { StopFailedError } from '../errors.js';
import { LOCUST_TIMING } from '../locust-timing.js';
import type { StageRun } from './context.js';

export async function stopSwarm(run: StageRun, stopSignal?: AbortSignal): Promise<void> {
  const { t } = run;
  const { clock, emit, lg } = run.deps;
  if (t.stoppedAt !== null) return;
  if (run.stopFailed) throw run.stopFailed;
  // A /swarm still in flight (or whose answer was lost) may have started the users: stop those too.
  if (t.swarmAt === null && t.swarmSentAt !== null) t.swarmAt = t.swarmSentAt;
  if (t.swarmAt === null) return;
  if (!t.runningSeen) {
    const wait = t.swarmAt + LOCUST_TIMING.workerReportMs - clock.now();
    if (wait > 0) await clock.sleep(wait);
  }
  t.endAt ??= clock.now();
  emit({ kind: 'stopping', stage: run.stage, of: run.opts.of });
  t.stopAskedAt = clock.now();
  try {
    await lg.stop(stopSignal);
  } catch (e) {
    if (e instanceof StopFailedError) run.stopFailed = e;
    throw e;
  }
  t.stoppedAt = clock.now();
}
