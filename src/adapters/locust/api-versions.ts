// What changed in Locust's web API, in which release — the one place that knows. The driver decides
// the API of the master once per run (from the version its web UI page shows, or else from one
// OPTIONS probe) instead of retrying after each failure. Every row names its evidence: responses
// captured from real masters by test/fixtures/locust/capture.sh (test/fixtures/locust/<version>/),
// or the reference (../shared/reference/locust-api.md) where the capture does not show it.
//
// Shapes of /stats/requests (the percentile fields, worker_count, current_rps) are not in here: they
// are told apart by the fields each answer has (parse.ts), which needs no version and cannot drift.

/** The oldest release the driver supports and tests (Debian bookworm packages it). */
export const OLDEST_SUPPORTED = '2.12.1';
/** The newest release in locust/test-versions.txt; newer 2.x releases are run with its API. */
export const NEWEST_TESTED = '2.47.0';

export interface ApiChange {
  /** First release with the change (inclusive). */
  since: string;
  /** First release without it again, when the change was undone. */
  until?: string;
  change: string;
  evidence: string;
}

/** The changes the driver acts on, oldest first. */
export const API_CHANGES: readonly ApiChange[] = [
  {
    since: '2.18.1',
    until: '2.27.0',
    change: 'every HTTP error is answered as a 500 whose body starts with the real one ("405 Method Not Allowed: …")',
    evidence: 'test/fixtures/locust/{2.20.1,2.24.1}/stop-wrong-method.*, reset-wrong-method.*',
  },
  {
    since: '2.43.4',
    change: 'top-level total_rps changed meaning (the driver reads the Aggregated row instead)',
    evidence: 'test/fixtures/locust/{2.43.3,2.43.4}/stats-running.json',
  },
  {
    since: '2.47.0',
    change: '/stop and /stats/reset take POST only (GET is refused with 405 and does nothing)',
    evidence: 'test/fixtures/locust/*/options-stop.headers (Allow: GET up to 2.43.4, POST in 2.47.0)',
  },
];

export interface LocustApi {
  /** The release the master runs, when its web UI page tells. */
  version: string | null;
  /** How the API was decided: from that version, or from the methods OPTIONS /stop allows. */
  basis: 'version' | 'probe';
  /** The method /stop and /stats/reset take. */
  stateMethod: 'GET' | 'POST';
  /** Whether HTTP errors come wrapped in a 500 (2.18.1–2.26.x; assumed when the version is unknown). */
  wrapsErrors: boolean;
}

/** [major, minor, patch] of "2.47.0", "2.34.1.dev12", "2.0b3"; null when it is not a version. */
export function versionTuple(v: string): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

export function compareVersions(a: string, b: string): number {
  const x = versionTuple(a) ?? [0, 0, 0];
  const y = versionTuple(b) ?? [0, 0, 0];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

function inEffect(c: ApiChange, v: string): boolean {
  return compareVersions(v, c.since) >= 0 && (c.until === undefined || compareVersions(v, c.until) < 0);
}

const change = (since: string): ApiChange => API_CHANGES.find((c) => c.since === since) as ApiChange;

export const SUPPORTED_RANGE = `Locust ${OLDEST_SUPPORTED} or newer 2.x (tested up to ${NEWEST_TESTED})`;

/** The API of a release, or why the driver cannot drive it. */
export function apiForVersion(version: string): LocustApi | { unsupported: string } {
  const t = versionTuple(version);
  if (!t || t[0] !== 2 || compareVersions(version, OLDEST_SUPPORTED) < 0) {
    return { unsupported: `it runs Locust ${version}; locust-driver supports ${SUPPORTED_RANGE} — run the master (and its workers) on a supported release` };
  }
  return {
    version,
    basis: 'version',
    stateMethod: inEffect(change('2.47.0'), version) ? 'POST' : 'GET',
    wrapsErrors: inEffect(change('2.18.1'), version),
  };
}

/**
 * The API from the `Allow` header of `OPTIONS /stop` (Flask answers it for every route without
 * running the view, also behind --web-login): GET up to 2.46.x, POST from 2.47.0. Null when the
 * header says neither — not a Locust master the driver knows.
 */
export function apiFromAllow(allow: string | null): LocustApi | null {
  const methods = new Set((allow ?? '').split(',').map((m) => m.trim().toUpperCase()));
  const stateMethod = methods.has('POST') ? 'POST' : methods.has('GET') ? 'GET' : null;
  if (!stateMethod) return null;
  return { version: null, basis: 'probe', stateMethod, wrapsErrors: true };
}
