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
    ]),
  );
}
