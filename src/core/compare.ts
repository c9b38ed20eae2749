// Comparison of two runs: did this run get slower (or fail more, or serve less) than an earlier one?
// Stages are matched by their parameters (users, spawn rate, duration, replicas, workers, HPA), not by
// their position, so a reordered or extended matrix still compares what is comparable. Pure: no I/O.
import { ConfigError } from './errors.js';
import type { CompareMetric, Comparison, RunRecord, StageComparison, StageResult, Tolerances, Totals } from './model.js';
import { formatDuration } from './units.js';
import { noiseOf, type Noise } from './stats/noise.js';
import { repeatsOf, type RepeatGroup } from './stats/repeats.js';

/** Canonical order of the metrics in deltas, tables and reasons. */
export const COMPARE_METRICS: readonly CompareMetric[] = ['p50', 'p90', 'p95', 'p99', 'avg', 'max', 'rps', 'failRatio'];

/** Used when no tolerance is given: p95 up to 10 % slower, p99 up to 15 %, rps down to −5 %, failures up to +1 point. */
export const DEFAULT_TOLERANCES: Readonly<Tolerances> = Object.freeze({ p95: 0.1, p99: 0.15, rps: -0.05, failRatio: 0.01 });

/** Float noise: (132 − 120) / 120 must count as exactly +10 %. */
const EPSILON = 1e-9;

type Delta = StageComparison['deltas'][number];

/** `users=400 spawnRate=20 duration=2m replicas=4 workers=8 hpa=2-8@70%` (unmanaged settings left out). */
export function stageKey(s: Pick<StageResult, 'users' | 'spawnRate' | 'plannedDurationMs' | 'replicas' | 'workers' | 'hpa'>): string {
  const parts = [`users=${s.users}`, `spawnRate=${Number(s.spawnRate.toFixed(3))}`, `duration=${formatDuration(s.plannedDurationMs).replace(/ /g, '')}`];
  if (s.replicas !== null) parts.push(`replicas=${s.replicas}`);
  if (s.workers !== null) parts.push(`workers=${s.workers}`);
  if (s.hpa !== null) parts.push(`hpa=${s.hpa.min}-${s.hpa.max}@${s.hpa.cpuPercent}%`);
  return parts.join(' ');
}

/** Keys for every stage in order; a repeated parameter set gets `#2`, `#3`… so the n-th matches the n-th. */
function keyed(stages: readonly StageResult[]): Map<string, StageResult> {
  const seen = new Map<string, number>();
  const out = new Map<string, StageResult>();
  for (const s of stages) {
    const base = stageKey(s);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(n === 1 ? base : `${base} #${n}`, s);
  }
  return out;
}

export function compareRuns(baseline: RunRecord, current: RunRecord, tolerances: Tolerances): Comparison {
  const metrics = COMPARE_METRICS.filter((m) => tolerances[m] !== undefined);
  const base = keyed(baseline.stages);
  const cur = keyed(current.stages);
  const groups = (r: RunRecord) => new Map<string, RepeatGroup>(repeatsOf(r.stages, stageKey).map((g) => [g.key, g]));
  const baseRepeats = groups(baseline);
  const curRepeats = groups(current);
  const stages: StageComparison[] = [];
  const regressions: string[] = [];
  let compared = 0;
  let notComparable = 0;

  for (const [key, c] of cur) {
    const b = base.get(key);
    if (b === undefined) {
      stages.push({ key, baselineIndex: null, currentIndex: c.index, deltas: [], regression: false });
      continue;
    }
    const problem = whyNotComparable(b, 'baseline') ?? whyNotComparable(c, 'current');
    let deltas: Delta[];
    if (problem !== null || b.totals === null || c.totals === null) {
      notComparable++;
      const why = `not compared: ${problem ?? 'no numbers'}`;
      deltas = metrics.map((metric) => ({
        metric,
        baseline: valueOf(b.totals, metric),
        current: valueOf(c.totals, metric),
        change: null,
        regression: false,
        reason: why,
      }));
    } else {
      compared++;
      const bt = b.totals;
      const ct = c.totals;
      deltas = metrics.map((metric) =>
        judge(
          metric,
          valueOf(bt, metric),
          valueOf(ct, metric),
          tolerances[metric] ?? 0,
          noiseOf(metric, b, c, baseRepeats.get(stageKey(b)), curRepeats.get(stageKey(c))),
        ),
      );
    }
    const regression = deltas.some((d) => d.regression);
    if (regression)
      regressions.push(
        `${label(c)}: ${deltas
          .filter((d) => d.regression)
          .map((d) => d.reason)
          .join('; ')}`,
      );
    stages.push({ key, baselineIndex: b.index, currentIndex: c.index, deltas, regression });
  }
  for (const [key, b] of base) {
    if (!cur.has(key)) stages.push({ key, baselineIndex: b.index, currentIndex: null, deltas: [], regression: false });
  }

  const onlyCurrent = stages.filter((s) => s.baselineIndex === null).length;
  const onlyBaseline = stages.filter((s) => s.currentIndex === null).length;
  const extras: string[] = [];
  if (notComparable > 0) extras.push(`${plural(notComparable, 'matched stage')} not compared (not completed with requests in both runs)`);
  if (onlyCurrent > 0) extras.push(`${plural(onlyCurrent, 'stage')} only in this run`);
  if (onlyBaseline > 0) extras.push(`${plural(onlyBaseline, 'stage')} only in the baseline`);
  const tail = extras.length > 0 ? `; ${extras.join('; ')}` : '';

  let reason: string;
  if (regressions.length > 0) {
    reason = `regression in ${regressions.length} of ${plural(compared, 'compared stage')} against ${baseline.runId}: ${regressions.join('; ')}${tail}`;
  } else if (compared === 0) {
    reason = `nothing to compare: no stage of this run matches a measured stage of ${baseline.runId} by its parameters (users, spawnRate, duration, replicas, workers, hpa)${tail}`;
  } else {
    reason = `no regression: ${plural(compared, 'stage')} compared with ${baseline.runId} within ${toleranceText(tolerances)}${tail}`;
  }
  return {
    baselineRunId: baseline.runId,
    baselineStartedAt: baseline.startedAt,
    tolerances: { ...tolerances },
    stages,
    regression: regressions.length > 0,
    reason,
  };
}

/** Why a stage's numbers cannot be compared, or null when they can. */
function whyNotComparable(s: StageResult, which: 'baseline' | 'current'): string | null {
  const who = which === 'baseline' ? 'in the baseline' : 'in this run';
  if (s.status !== 'completed') return `stage ${s.index} is ${s.status} ${who}${s.reason ? ` (${s.reason})` : ''}`;
  if (s.totals === null || s.totals.requests === 0) return `stage ${s.index} has no requests ${who}`;
  return null;
}

/** Why a stage of a comparison has no numbers (unmatched, or not comparable); null when it was compared. */
export function stageNote(s: StageComparison): string | null {
  if (s.baselineIndex === null) return 'only in this run: no baseline stage with these parameters';
  if (s.currentIndex === null) return 'only in the baseline: no stage of this run with these parameters';
  const skipped = s.deltas.find((d) => d.reason.startsWith('not compared'));
  if (skipped) return skipped.reason;
  if (s.deltas.length === 0) return 'not compared: no metric has a tolerance';
  return null;
}

function valueOf(t: Totals | null, metric: CompareMetric): number | null {
  if (t === null) return null;
  switch (metric) {
    case 'rps':
      return t.rps;
    case 'failRatio':
      return t.failRatio;
    case 'p50':
      return t.p50Ms;
    case 'p90':
      return t.p90Ms;
    case 'p95':
      return t.p95Ms;
    case 'p99':
      return t.p99Ms;
    case 'avg':
      return t.avgMs;
    case 'max':
      return t.maxMs;
  }
}

/**
 * One metric of one stage. Latencies regress when their relative change exceeds the (positive)
 * tolerance, throughput when it drops by more than the (negative) one. The failure ratio is judged in
 * absolute points — current > baseline + tolerance — because a relative change of a small ratio
 * (37 → 40 failures in 60 000 requests is +8 %) is noise, and from a baseline of 0 it has no meaning.
 */
function judge(metric: CompareMetric, baseline: number | null, current: number | null, tolerance: number, noise: Noise | null = null): Delta {
  const d = judgeTolerance(metric, baseline, current, tolerance);
  return noise === null || d.change === null ? d : againstNoise(d, tolerance, noise);
}

/**
 * The tolerance's verdict, then the noise's: a change inside the measured noise (the 95 % interval
 * of the difference) is no regression whatever the tolerance; the reason says which bound applied.
 */
function againstNoise(d: Delta, tolerance: number, noise: Noise): Delta {
  const change = d.change as number;
  const pp = d.metric === 'failRatio';
  const n = pp ? `±${(noise.value * 100).toFixed(2)} pp` : `±${(noise.value * 100).toFixed(1)} %`;
  const via =
    noise.via === 'proxy'
      ? ", the mean latency's interval as proxy"
      : noise.via === 'binomial'
        ? ', binomial'
        : noise.via === 'repeats'
          ? ', from the repeats'
          : '';
  const beyondNoise = Math.abs(change) > noise.value + EPSILON && (d.metric === 'rps' ? change < 0 : change > 0);
  const bound = noise.value > Math.abs(tolerance) ? 'noise' : 'tolerance';
  const regression = d.regression && beyondNoise;
  let reason: string;
  if (bound === 'tolerance') reason = `${d.reason} (noise ${n}${via})`;
  else {
    const head = d.reason.replace(/ [<>≤≥] [+-][\d.]+ (%|pp)$/, '');
    reason = `${head} ${regression ? 'beyond' : 'within'} the noise ${n}${via} (wider than the tolerance ${pp ? `${signed(tolerance * 100)} pp` : `${signed(tolerance * 100)} %`})`;
  }
  return { ...d, regression, reason, noise: noise.value, bound };
}

function judgeTolerance(metric: CompareMetric, baseline: number | null, current: number | null, tolerance: number): Delta {
  if (baseline === null || current === null) {
    const missing = baseline === null && current === null ? 'in either run' : baseline === null ? 'in the baseline' : 'in this run';
    return { metric, baseline, current, change: null, regression: false, reason: `${metric} not measured ${missing}` };
  }
  const values = `${fmtValue(metric, baseline)} → ${fmtValue(metric, current)}${unit(metric)}`;
  if (metric === 'failRatio') {
    const change = current - baseline;
    const regression = change > tolerance + EPSILON;
    const reason = `${metric} ${signed(change * 100, 2)} pp (${values}) ${regression ? '>' : '≤'} ${signed(tolerance * 100)} pp`;
    return { metric, baseline, current, change, regression, reason };
  }
  if (baseline === 0) {
    const change = current === 0 ? 0 : null;
    return { metric, baseline, current, change, regression: false, reason: `${metric} ${values}${change === null ? ' (no relative change from 0)' : ''}` };
  }
  const change = (current - baseline) / baseline;
  const pct = `${signed(change * 100, 1)} %`;
  const limit = `${signed(tolerance * 100)} %`;
  if (metric === 'rps') {
    const regression = change < tolerance - EPSILON;
    return { metric, baseline, current, change, regression, reason: `${metric} ${pct} (${values}) ${regression ? '<' : '≥'} ${limit}` };
  }
  const regression = change > tolerance + EPSILON;
  return { metric, baseline, current, change, regression, reason: `${metric} ${pct} (${values}) ${regression ? '>' : '≤'} ${limit}` };
}

function fmtValue(metric: CompareMetric, v: number): string {
  if (metric === 'failRatio') return `${(v * 100).toFixed(2)} %`;
  if (metric === 'rps') return v >= 10_000 ? String(Math.round(v)) : v.toFixed(1);
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(1)));
}

function unit(metric: CompareMetric): string {
  if (metric === 'failRatio') return '';
  return metric === 'rps' ? ' req/s' : ' ms';
}

/** Always with a sign: exactly `digits` decimals when given (+23.4, -5.0), else up to two (+10, +0.5). */
function signed(v: number, digits?: number): string {
  const rounded = digits === undefined ? Number(v.toFixed(2)) : Number(v.toFixed(digits));
  const text = digits === undefined ? String(Math.abs(rounded)) : Math.abs(rounded).toFixed(digits);
  return `${rounded < 0 ? '-' : '+'}${text}`;
}

/** "p95 +10 %, p99 +15 %, rps -5 %, failRatio +1 pp" */
export function toleranceText(t: Tolerances): string {
  const parts = COMPARE_METRICS.filter((m) => t[m] !== undefined).map((m) => {
    const v = t[m] ?? 0;
    return m === 'failRatio' ? `${m} ${signed(v * 100)} pp` : `${m} ${signed(v * 100)} %`;
  });
  return parts.length > 0 ? `tolerances ${parts.join(', ')}` : 'no tolerances';
}

function label(s: StageResult): string {
  return `stage ${s.index} · ${s.name}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const METRIC_NAMES = new Map<string, CompareMetric>(COMPARE_METRICS.map((m) => [m.toLowerCase(), m]));

/**
 * `--tolerance` values → Tolerances. Each spec is `metric=value` (or `metric:value`), several may be
 * joined with commas: `p95=10%`, `rps=-5%`, `failRatio=0.5%`, `p99=0.15`. The sign is optional:
 * latencies and failRatio allow a rise, rps a drop. No spec at all → DEFAULT_TOLERANCES; the specs
 * given replace the defaults (list every metric to judge).
 */
export function parseTolerances(specs: readonly string[]): Tolerances {
  const items = specs
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return { ...DEFAULT_TOLERANCES };
  const out: Tolerances = {};
  for (const item of items) {
    const m = /^([A-Za-z0-9]+)\s*[=:]\s*(.+)$/.exec(item);
    if (m === null) throw new ConfigError(`--tolerance "${item}": write metric=value, e.g. p95=10% or rps=-5% (metrics: ${COMPARE_METRICS.join(', ')})`);
    const metric = METRIC_NAMES.get((m[1] ?? '').toLowerCase());
    if (metric === undefined) throw new ConfigError(`--tolerance "${item}": unknown metric "${m[1] ?? ''}" (use one of ${COMPARE_METRICS.join(', ')})`);
    const value = parseToleranceValue(m[2] ?? '');
    if (value === null) {
      throw new ConfigError(`--tolerance "${item}": "${m[2] ?? ''}" is not a tolerance: use a percentage like 10% or -5%, or a ratio from 0 to 1 like 0.1`);
    }
    out[metric] = metric === 'rps' ? -Math.abs(value) : Math.abs(value);
  }
  return out;
}

/** "10%" → 0.1, "-5 %" → -0.05, "+0.5%" → 0.005, "0.1" → 0.1 (a bare number is a ratio, at most 1). */
function parseToleranceValue(text: string): number | null {
  const t = text.trim();
  const pct = /^([+-]?)(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const v = Number(pct[2]) / 100;
    return pct[1] === '-' ? -v : v;
  }
  const ratio = /^([+-]?)(\d+(?:\.\d+)?|\.\d+)$/.exec(t);
  if (ratio) {
    const v = Number(ratio[2]);
    if (v > 1) return null;
    return ratio[1] === '-' ? -v : v;
  }
  return null;
}
