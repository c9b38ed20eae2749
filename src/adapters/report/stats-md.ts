// The statistics in summary.md (src/core/stats): the modelled ceiling in one line, a table of each
// stage's 95 % intervals and steady state, and how to read them. Kept apart from summary-md.ts,
// which only places these lines.
import type { RunRecord, StageResult } from '../../core/model.js';
import type { Interval, RepeatStat } from '../../core/stats/types.js';
import { fmtRps } from '../../core/summary.js';
import { DASH, msCell } from './cells.js';

/** "- **Scalability:** modelled ceiling ≈ …", with the model's warnings; nothing without a model. */
export function scalabilityLines(run: RunRecord, esc: (text: string) => string): string[] {
  const m = run.scalability;
  if (!m) return [];
  return [`- **Scalability:** ${esc(m.summary)}`, ...m.warnings.map((w) => `  - ⚠ ${esc(w)}`)];
}

/** The section of intervals and steady state; nothing when no stage has statistics. */
export function statsSection(stages: readonly StageResult[], label: (s: StageResult) => string, esc: (text: string) => string): string[] {
  const withStats = stages.filter((s) => s.stats);
  if (withStats.length === 0) return [];
  const out = ['## Steady state and 95 % intervals', '', '| Stage | RPS (95 %) | Mean ms (95 %) | Sub-windows | Steady state |', '|:---|---:|---:|---:|:---|'];
  for (const s of withStats) {
    const st = s.stats as NonNullable<StageResult['stats']>;
    const steady = st.steady.drifting ? `**drifting:** ${esc(st.steady.verdict)}` : esc(st.steady.verdict);
    out.push(
      `| ${label(s)} | ${withHalfWidth(s.totals?.rps ?? null, st.confidence.rps, fmtRps)} | ${withHalfWidth(s.totals?.avgMs ?? null, st.confidence.avgMs, msCell)} | ${st.subWindows.length} | ${steady} |`,
    );
  }
  return out;
}

/** "195.5 ± 3.1"; the value alone (and "no interval") when there is none. */
function withHalfWidth(value: number | null, i: Interval | null, fmt: (v: number) => string): string {
  if (value === null) return DASH;
  if (i === null) return `${fmt(value)} (no interval)`;
  return `${fmt(value)} ± ${fmt(i.halfWidth)}${i.independent ? '' : ' ⚠'}`;
}

/** The section of repeats: every metric as mean ± 95 % over the repeats, with their range; nothing without repeats. */
export function repeatsSection(run: RunRecord, esc: (text: string) => string): string[] {
  const groups = run.repeats ?? [];
  if (groups.length === 0) return [];
  const out = ['## Repeats', '', '| Stages | Parameters | n | RPS | Mean ms | p50 ms | p95 ms | p99 ms |', '|:---|:---|---:|---:|---:|---:|---:|---:|'];
  for (const g of groups) {
    const m = g.metrics;
    out.push(
      `| ${g.stageIndexes.join(', ')} | ${esc(g.key)} | ${g.stageIndexes.length} | ${repeatCell(m.rps, fmtRps)} | ${repeatCell(m.avgMs, msCell)} | ${repeatCell(m.p50Ms, msCell)} | ${repeatCell(m.p95Ms, msCell)} | ${repeatCell(m.p99Ms, msCell)} |`,
    );
  }
  return out;
}

/** "195.5 ± 3.1 (190.2–199.0)": mean ± 95 % over the repeats, then their range. */
export function repeatCell(st: RepeatStat | undefined, fmt: (v: number) => string): string {
  if (!st) return DASH;
  return `${fmt(st.mean)} ± ${fmt(st.halfWidth)} (${fmt(st.min)}–${fmt(st.max)})`;
}

export const STATS_HOW_TO_READ: readonly string[] = [
  '- **± (95 %)** is the half-width of a 95 % interval by batch means over the sub-windows (the intervals between samples): a rerun would land within it about 19 times in 20. ⚠ marks an interval whose batches stayed correlated (likely too narrow); "no interval" a stage too short for one (fewer than 8 sub-windows).',
  "- **Steady state**: a Mann–Kendall trend test on the sub-windows' throughput and mean latency; **drifting** means a trend unlikely to be chance (p < 0.025 for each) of at least 5 % over the window — the totals then describe a moving target (a cache warming, an autoscaler catching up).",
  "- **Scalability**: the Universal Scalability Law fitted to the stages' throughput against users (σ contention, κ coherency); the ceiling is the model's peak. It only describes: every verdict comes from measured stages.",
  "- A comparison calls a change a regression only when it exceeds both the tolerance and the measured noise (both runs' intervals); its reason says which bound applied.",
];
