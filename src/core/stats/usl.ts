// The Universal Scalability Law fitted to a run's stages: X(N) = λN / (1 + σ(N−1) + κN(N−1)), with
// λ the throughput of one user (or replica), σ the contention (the serialised share) and κ the
// coherency cost (crosstalk growing with N²). The fit is Levenberg–Marquardt from
// ml-levenberg-marquardt, standard errors from the Jacobian at the optimum. The model only describes;
// verdicts still come only from measured stages.
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { RunRecord, StageResult } from '../model.js';
import type { ScalabilityModel } from './types.js';

/** Fewer points than this: a warning (three parameters need a spread of N to be told apart). */
export const FEW_POINTS = 6;

type Fit = NonNullable<ScalabilityModel['fit']>;

/** X(N) for the given parameters. */
export function uslThroughput(n: number, lambda: number, sigma: number, kappa: number): number {
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/** The run's model, or null when fewer than two completed stages have requests (nothing to model). */
export function scalabilityOf(record: Pick<RunRecord, 'stages'>): ScalabilityModel | null {
  const done = record.stages.filter((s) => s.status === 'completed' && s.totals !== null && s.totals.requests > 0 && s.users > 0);
  if (done.length < 2) return null;
  const replicas = new Set(done.map((s) => s.replicas).filter((r) => r !== null));
  let against: ScalabilityModel['against'] = 'users';
  if (replicas.size > 1) {
    const perReplica = new Set(done.map((s) => (s.replicas ? s.users / s.replicas : Number.NaN)));
    if (perReplica.size !== 1 || done.some((s) => !s.replicas)) {
      return noFit('users', done, 'no model: both users and replicas change between stages (hold one, or the users per replica, to model the other)');
    }
    against = 'replicas';
  }
  const nOf = (s: StageResult) => (against === 'users' ? s.users : (s.replicas as number));
  const points = done.map((s) => ({ n: nOf(s), rps: (s.totals as NonNullable<StageResult['totals']>).rps, stageIndex: s.index }));
  const distinct = new Set(points.map((p) => p.n)).size;
  if (distinct < 3) return noFit(against, done, `no model: ${distinct} distinct ${against} counts, at least 3 needed (6 or more for a usable one)`, points);
  return fitModel(against, points, done);
}

function noFit(against: ScalabilityModel['against'], done: StageResult[], why: string, points?: ScalabilityModel['points']): ScalabilityModel {
  return {
    against,
    points: points ?? done.map((s) => ({ n: s.users, rps: s.totals?.rps ?? 0, stageIndex: s.index })),
    fit: null,
    warnings: [],
    summary: why,
  };
}

/** Fits the points (n > 0); the stages (optional) add the closed-workload and drift warnings. */
export function fitModel(against: ScalabilityModel['against'], points: ScalabilityModel['points'], stages: readonly StageResult[] = []): ScalabilityModel {
  const fit = fitUsl(
    points.map((p) => p.n),
    points.map((p) => p.rps),
  );
  const warnings = warningsFor(against, points, fit, stages);
  const unit = against;
  const summary =
    fit.peakN !== null && fit.peakRps !== null
      ? `modelled ceiling ≈ ${round3(fit.peakRps)} req/s at ≈ ${Math.round(fit.peakN)} ${unit} (USL σ ${fmt(fit.sigma)}, κ ${fmt(fit.kappa)}, R² ${fit.r2.toFixed(3)})`
      : `no modelled ceiling: κ ≈ 0, throughput still rising at the largest ${unit.slice(0, -1)} count measured (USL σ ${fmt(fit.sigma)}, R² ${fit.r2.toFixed(3)})`;
  return { against, points, fit, warnings, summary };
}

/**
 * Least squares on scaled parameters — λ/λ₀, σ, κ·N_max² — so all three are of order 1 and the
 * damping treats them alike; several starts, the best kept (the surface has shallow valleys).
 */
export function fitUsl(ns: readonly number[], xs: readonly number[]): Fit {
  const nMax = Math.max(...ns);
  const lambda0 = Math.max(...ns.map((n, i) => (xs[i] as number) / n));
  const scale = nMax * nMax;
  const y = xs.map((x) => x / lambda0);
  const model =
    ([a, s, q]: number[]) =>
    (n: number) =>
      ((a as number) * n) / (1 + (s as number) * (n - 1) + ((q as number) / scale) * n * (n - 1));
  const jac =
    ([a, s, q]: number[]) =>
    (n: number) => {
      const d = 1 + (s as number) * (n - 1) + ((q as number) / scale) * n * (n - 1);
      const f = ((a as number) * n) / (d * d);
      return [n / d, -f * (n - 1), (-f * n * (n - 1)) / scale];
    };
  let best: { p: number[]; ssr: number } | null = null;
  for (const s0 of [0.01, 0.1, 0.4]) {
    for (const q0 of [0.001, 0.1, 1, 5]) {
      const r = levenbergMarquardt({ x: ns, y }, model, {
        initialValues: [1, s0, q0],
        minValues: [1e-9, 0, 0],
        maxValues: [100, 1, 1e4],
        maxIterations: 300,
        errorTolerance: 1e-12,
        jacobianFunction: jac,
      });
      const f = model(r.parameterValues);
      const ssr = ns.reduce((acc, n, i) => acc + (f(n) - (y[i] as number)) ** 2, 0);
      if (best === null || ssr < best.ssr) best = { p: r.parameterValues, ssr };
    }
  }
  const [a, sigma, q] = (best as { p: number[] }).p as [number, number, number];
  const lambda = a * lambda0;
  const kappa = q / scale;
  const predict = (n: number) => uslThroughput(n, lambda, sigma, kappa);
  const ssr = ns.reduce((acc, n, i) => acc + (predict(n) - (xs[i] as number)) ** 2, 0);
  const mean = xs.reduce((a2, b) => a2 + b, 0) / xs.length;
  const sst = xs.reduce((acc, x) => acc + (x - mean) ** 2, 0);
  const r2 = sst > 0 ? 1 - ssr / sst : 1;
  const se = standardErrors(ns, lambda, sigma, kappa, ssr);
  const peakN = kappa > 1e-12 && sigma < 1 ? Math.sqrt((1 - sigma) / kappa) : null;
  const peakRps = peakN !== null ? predict(peakN) : null;
  const top = Math.max(nMax, Math.min(peakN !== null ? peakN * 1.3 : nMax, nMax * 2));
  const curve = Array.from({ length: 61 }, (_, i) => {
    const n = 1 + ((top - 1) * i) / 60;
    return { n, rps: predict(n) };
  });
  return { lambda, sigma, kappa, lambdaSe: se?.[0] ?? null, sigmaSe: se?.[1] ?? null, kappaSe: se?.[2] ?? null, r2, peakN, peakRps, curve };
}

/** √diag(s² (JᵀJ)⁻¹) in the original parameters; null without residual degrees of freedom or with a singular JᵀJ. */
function standardErrors(ns: readonly number[], lambda: number, sigma: number, kappa: number, ssr: number): [number, number, number] | null {
  const dof = ns.length - 3;
  if (dof <= 0) return null;
  const m = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ] as [number[], number[], number[]];
  for (const n of ns) {
    const d = 1 + sigma * (n - 1) + kappa * n * (n - 1);
    const f = (lambda * n) / (d * d);
    const g = [n / d, -f * (n - 1), -f * n * (n - 1)];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) (m[i] as number[])[j] = ((m[i] as number[])[j] as number) + (g[i] as number) * (g[j] as number);
  }
  const inv = invert3(m);
  if (inv === null) return null;
  const s2 = ssr / dof;
  const out = [0, 1, 2].map((i) => Math.sqrt(Math.max(0, s2 * ((inv[i] as number[])[i] as number))));
  return out as [number, number, number];
}

/** The inverse of a symmetric 3×3 matrix by its adjugate; null when (nearly) singular. */
function invert3(m: number[][]): number[][] | null {
  const e = (i: number, j: number) => (m[i] as number[])[j] as number;
  const c00 = e(1, 1) * e(2, 2) - e(1, 2) * e(2, 1);
  const c01 = -(e(1, 0) * e(2, 2) - e(1, 2) * e(2, 0));
  const c02 = e(1, 0) * e(2, 1) - e(1, 1) * e(2, 0);
  const det = e(0, 0) * c00 + e(0, 1) * c01 + e(0, 2) * c02;
  const norm = Math.abs(e(0, 0) * e(1, 1) * e(2, 2));
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-14 * norm || det === 0) return null;
  const c10 = -(e(0, 1) * e(2, 2) - e(0, 2) * e(2, 1));
  const c11 = e(0, 0) * e(2, 2) - e(0, 2) * e(2, 0);
  const c12 = -(e(0, 0) * e(2, 1) - e(0, 1) * e(2, 0));
  const c20 = e(0, 1) * e(1, 2) - e(0, 2) * e(1, 1);
  const c21 = -(e(0, 0) * e(1, 2) - e(0, 2) * e(1, 0));
  const c22 = e(0, 0) * e(1, 1) - e(0, 1) * e(1, 0);
  return [
    [c00 / det, c10 / det, c20 / det],
    [c01 / det, c11 / det, c21 / det],
    [c02 / det, c12 / det, c22 / det],
  ];
}

function warningsFor(against: ScalabilityModel['against'], points: ScalabilityModel['points'], fit: Fit, stages: readonly StageResult[]): string[] {
  const w: string[] = [];
  const nMax = Math.max(...points.map((p) => p.n));
  if (points.length < FEW_POINTS)
    w.push(`only ${points.length} points: σ and κ are loosely determined (about ${FEW_POINTS} or more stages across the range make a usable model)`);
  if (fit.peakN === null || (fit.kappaSe !== null && fit.kappa < 2 * fit.kappaSe)) {
    w.push('κ ≈ 0 (not told from 0 by the data): no coherency cost measured, so the peak is unknown — measure at higher load');
  }
  const sorted = [...points].sort((a, b) => a.n - b.n);
  const first = sorted[0] as (typeof points)[number];
  const per0 = first.rps / first.n;
  const superlinear = sorted.find((p) => p.n > first.n && p.rps / p.n > per0 * 1.05);
  if (superlinear) {
    w.push(
      `superlinear: throughput per ${against.slice(0, -1)} rises from ${fmt(per0)} req/s at ${first.n} to ${fmt(superlinear.rps / superlinear.n)} at ${superlinear.n} (warming caches, or the smallest stage was not saturated); the USL assumes σ ≥ 0 and fits it poorly`,
    );
  }
  if (fit.peakN !== null && fit.peakN > 2 * nMax)
    w.push(`the peak (≈ ${Math.round(fit.peakN)}) lies beyond twice the largest measured ${against} count (${nMax}): an extrapolation`);
  if (fit.r2 < 0.9) w.push(`poor fit (R² ${fit.r2.toFixed(2)}): the stages do not follow the USL; read the measured points, not the curve`);
  // Closed workload: each user waits Z between requests, N = X (R + Z) (Little's law). A Z that
  // differs between stages means the load changed in kind, not only in size.
  if (against === 'users') {
    const zs = stages
      .filter((s) => s.totals && s.totals.avgMs !== null && s.totals.rps > 0)
      .map((s) => s.users / (s.totals?.rps ?? 1) - (s.totals?.avgMs ?? 0) / 1000);
    const rs = stages.map((s) => (s.totals?.avgMs ?? 0) / 1000);
    const zMean = zs.reduce((a, b) => a + b, 0) / Math.max(1, zs.length);
    const rMean = rs.reduce((a, b) => a + b, 0) / Math.max(1, rs.length);
    if (zs.length >= 2 && zMean > 0.25 * rMean && zMean > 0.02) {
      const spread = (Math.max(...zs) - Math.min(...zs)) / zMean;
      if (spread > 0.25) {
        w.push(
          `closed workload: the users' wait between requests (N/X − R) ranges ${fmt(Math.min(...zs))}–${fmt(Math.max(...zs))} s between stages; with a changing wait time σ and κ mix the service's scaling with the load's`,
        );
      }
    }
  }
  const drifting = stages.filter((s) => s.stats?.steady.drifting);
  if (drifting.length > 0)
    w.push(
      `stage${drifting.length === 1 ? '' : 's'} ${drifting.map((s) => s.index).join(', ')} still drifting: ${drifting.length === 1 ? 'its' : 'their'} throughput is not a steady point`,
    );
  return w;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? String(Math.round(v)) : a >= 0.01 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

function round3(v: number): string {
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}
