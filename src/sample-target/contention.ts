// A known scalability cost for the sample service, so that a run against it has a true answer for
// the Universal Scalability Law fit (src/core/stats/usl.ts) to recover. With n requests in service
// (this one included), each takes
//
//   serviceMs × (1 + σ(n−1) + κn(n−1))
//
// — σ: a share of the work that waits on every other request (contention, a serialised section);
// κ: a cost per pair of requests (coherency, crosstalk). With unlimited slots and users that do not
// wait between requests, N users keep n = N in service, so throughput is exactly the USL:
// X(N) = N / R(N) = (1000/serviceMs)·N / (1 + σ(N−1) + κN(N−1)).
//
// Imports nothing (see main.ts: the service runs from source with Node's type stripping too).

export interface Contention {
  /** σ: contention, 0..1 (0: none). */
  sigma: number;
  /** κ: coherency cost, ≥ 0 (0: none). */
  kappa: number;
}

export const NO_CONTENTION: Contention = { sigma: 0, kappa: 0 };

/** The factor on a request's service time with `inService` requests in service (this one included). */
export function contentionFactor(inService: number, c: Contention): number {
  const n = Math.max(1, inService);
  return 1 + c.sigma * (n - 1) + c.kappa * n * (n - 1);
}

/** Validates --sigma / --kappa; throws an Error with a one-line message. */
export function checkContention(c: Contention): Contention {
  if (!Number.isFinite(c.sigma) || c.sigma < 0 || c.sigma > 1) throw new Error(`sigma must be a number in [0, 1], got ${c.sigma}`);
  if (!Number.isFinite(c.kappa) || c.kappa < 0 || c.kappa > 1) throw new Error(`kappa must be a number in [0, 1], got ${c.kappa}`);
  return c;
}
