// summary.csv: one row per stage. The first ten columns keep the original driver's
// auto_summary.csv names and order, so existing spreadsheets and scripts keep working.
import type { RunRecord, StageResult } from '../../core/model.js';
import { ms, percent, perSecond, round, seconds, toCsv, type CsvCell } from './csv-format.js';

export const LEGACY_COLUMNS = ['Replicas', 'Workers', 'Users', 'RPS', 'Median_ms', 'P95_ms', 'P99_ms', 'Failures_Pct', 'Requests', 'Duration_s'] as const;

export const EXTRA_COLUMNS = [
  'Stage',
  'Name',
  'Status',
  'SpawnRate',
  'Failures',
  'Avg_ms',
  'Min_ms',
  'Max_ms',
  'P66_ms',
  'P75_ms',
  'P80_ms',
  'P90_ms',
  'P98_ms',
  'P99.9_ms',
  'P99.99_ms',
  'Max_Workers_CPU_Pct',
  'Ramp_s',
  'Window_Start',
  'Window_End',
  'Reason',
  // src/core/stats: 95 % intervals (batch means) and the steady-state test; empty without them.
  'RPS_CI95_Low',
  'RPS_CI95_High',
  'Avg_ms_CI95_Low',
  'Avg_ms_CI95_High',
  'Steady',
  'Drift',
] as const;

export const SUMMARY_COLUMNS: readonly string[] = [...LEGACY_COLUMNS, ...EXTRA_COLUMNS];

export function summaryCsv(run: RunRecord): string {
  return toCsv(
    SUMMARY_COLUMNS,
    run.stages.map((stage) => row(run, stage)),
  );
}

function row(run: RunRecord, stage: StageResult): CsvCell[] {
  const t = stage.totals;
  return [
    stage.replicas,
    stage.workers ?? run.environment.workers,
    stage.users,
    t === null ? null : perSecond(t.rps),
    ms(t?.p50Ms ?? null),
    ms(t?.p95Ms ?? null),
    ms(t?.p99Ms ?? null),
    t === null ? null : percent(t.failRatio * 100),
    t === null ? null : t.requests,
    seconds(stage.window?.durationMs ?? null),
    stage.index,
    stage.name,
    stage.status,
    round(stage.spawnRate, 2),
    t === null ? null : t.failures,
    ms(t?.avgMs ?? null),
    ms(t?.minMs ?? null),
    ms(t?.maxMs ?? null),
    ms(t?.p66Ms ?? null),
    ms(t?.p75Ms ?? null),
    ms(t?.p80Ms ?? null),
    ms(t?.p90Ms ?? null),
    ms(t?.p98Ms ?? null),
    ms(t?.p999Ms ?? null),
    ms(t?.p9999Ms ?? null),
    round(stage.workerCpuMaxPercent, 1),
    seconds(stage.rampMs),
    stage.window?.start ?? null,
    stage.window?.end ?? null,
    stage.reason,
    ...statsCells(stage),
  ];
}

function statsCells(stage: StageResult): CsvCell[] {
  const st = stage.stats;
  if (!st) return [null, null, null, null, null, null];
  const { rps, avgMs } = st.confidence;
  const tested = st.steady.throughput !== null;
  return [
    rps ? perSecond(rps.low) : null,
    rps ? perSecond(rps.high) : null,
    avgMs ? ms(avgMs.low) : null,
    avgMs ? ms(avgMs.high) : null,
    tested ? (st.steady.drifting ? 'no' : 'yes') : null,
    st.steady.drifting ? st.steady.verdict : null,
  ];
}
