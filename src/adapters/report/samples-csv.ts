// samples.csv: the stage's time series, one row per poll of the master during the measured window.
import type { Sample } from '../../core/model.js';
import { ms, perSecond, round, toCsv } from './csv-format.js';

export const SAMPLE_COLUMNS = [
  'at',
  'elapsed_s',
  'users',
  'workers',
  'requests',
  'failures',
  'rps',
  'fail_per_s',
  'p50_ms',
  'p95_ms',
  'worker_cpu_max_pct',
  'replicas_ready',
  'replicas_desired',
  'hpa_current',
  'hpa_desired',
  'hpa_cpu_pct',
  // 1: the master answered from its 2 s cache, the row repeats the previous one (REST only, no plugin)
  'stale',
] as const;

export function samplesCsv(samples: readonly Sample[]): string {
  return toCsv(
    SAMPLE_COLUMNS,
    samples.map((s) => [
      s.at,
      round(s.elapsedMs / 1000, 3),
      s.users,
      s.workers,
      s.requests,
      s.failures,
      perSecond(s.rps),
      perSecond(s.failPerSec),
      ms(s.p50Ms),
      ms(s.p95Ms),
      round(s.workerCpuMaxPercent, 1),
      s.replicasReady,
      s.replicasDesired,
      s.hpaCurrent,
      s.hpaDesired,
      round(s.hpaCpuPercent, 1),
      s.stale ? 1 : 0,
    ]),
  );
}

export const REPLICA_COLUMNS = ['at', 'elapsed_s', 'target_ready', 'target_desired', 'hpa_current', 'hpa_desired', 'hpa_cpu_pct', 'locust_workers'] as const;

/** replicas.csv: what the cluster did during the window (the target, its HPA, the connected workers). */
export function replicasCsv(samples: readonly Sample[]): string {
  return toCsv(
    REPLICA_COLUMNS,
    samples.map((s) => [
      s.at,
      round(s.elapsedMs / 1000, 3),
      s.replicasReady,
      s.replicasDesired,
      s.hpaCurrent,
      s.hpaDesired,
      round(s.hpaCpuPercent, 1),
      s.workers,
    ]),
  );
}
