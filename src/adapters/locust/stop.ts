// A stop that cannot fail silently. Users left running load the system under test while nobody
// measures, so when the master refuses or errors on /stop the driver tries every way the API has to
// bring the users to 0 — the release's method (twice: a stop is idempotent), the other method, a
// swarm of 0 users (verified by reading the user count, then /stop once more) — and, if none works
// within a bounded time, throws a StopFailedError that says so loudly: the run ends with exit 3
// instead of waiting with the users running.
import { setTimeout as sleep } from 'node:timers/promises';
import { LocustError, StopFailedError } from '../../core/errors.js';

export interface StopWays {
  /** /stop with this method (blocks until the workers report 0 users). */
  stop(method: 'GET' | 'POST'): Promise<void>;
  /** POST /swarm user_count=0: re-targets a running test to 0 users (every release accepts it). */
  swarmZero(): Promise<void>;
  /** The users the master reports now (through Locust's 2 s cache). */
  userCount(): Promise<number>;
}

export interface StopPolicy {
  /** How long the users may take to reach 0 after the swarm of 0 (the ramp-down, the cache, a report). */
  verifyMs: number;
  pollMs: number;
  /** The pause before the second try of a stop that failed. */
  retryMs: number;
  signal?: AbortSignal | undefined;
}

export const STOP_POLICY: StopPolicy = { verifyMs: 12_000, pollMs: 1_000, retryMs: 1_000 };

/** Stops the users; the method that worked is returned so the client keeps using it. */
export async function stopUsers(ways: StopWays, method: 'GET' | 'POST', where: string, policy: StopPolicy = STOP_POLICY): Promise<'GET' | 'POST'> {
  const tried: string[] = [];
  const failures: LocustError[] = [];
  const attempt = async (what: string, f: () => Promise<void>): Promise<boolean> => {
    try {
      await f();
      return true;
    } catch (e) {
      if (policy.signal?.aborted) throw e;
      // Bad credentials fail every way alike, and the message says what to fix.
      if (!(e instanceof LocustError) || e.code === 'LOCUST_AUTH') throw e;
      tried.push(`${what}: ${e.message}`);
      failures.push(e);
      return false;
    }
  };
  if (await attempt(`${method} /stop`, () => ways.stop(method))) return method;
  const timedOut = failures[0]?.message.includes('no answer within') === true;
  // A stop that timed out was taken (and is still blocking on the master): another one would too.
  if (!timedOut) {
    // A stop is idempotent: a passing 5xx or a reset (an ingress, a restarting pod) is cured by a
    // second try; the other method covers a master whose release was told wrong.
    // (A 405 is no passing error: that method is refused, nothing happened.)
    if (failures[0]?.status !== 405) {
      await pause(policy.retryMs, policy.signal);
      if (await attempt(`${method} /stop again`, () => ways.stop(method))) return method;
    }
    const other = method === 'POST' ? 'GET' : 'POST';
    if (await attempt(`${other} /stop`, () => ways.stop(other))) return other;
  }
  // A master that does not answer at all is down, not refusing: the run loop waits for it and stops
  // what is left once it is back, as for any other outage.
  if (failures.every((f) => f.code === 'LOCUST_UNREACHABLE')) throw failures[0] as LocustError;

  let zeroed = false;
  if (await attempt('POST /swarm user_count=0', () => ways.swarmZero())) {
    const deadline = Date.now() + policy.verifyMs;
    let users = -1;
    for (;;) {
      const ok = await attempt('reading the user count', async () => {
        users = await ways.userCount();
      });
      if (ok && users === 0) {
        zeroed = true;
        break;
      }
      if (Date.now() + policy.pollMs > deadline) {
        if (ok) tried.push(`the master still reports ${users} users ${Math.round(policy.verifyMs / 1000)} s after the swarm of 0`);
        break;
      }
      await pause(policy.pollMs, policy.signal);
    }
  }
  // The users are down: a master that answers again takes its /stop now and can run the next stage.
  if (zeroed && (await attempt(`${method} /stop after the swarm of 0`, () => ways.stop(method)))) return method;
  throw new StopFailedError(where, zeroed, tried);
}

const pause = (ms: number, signal: AbortSignal | undefined) => sleep(ms, undefined, signal ? { signal } : undefined);
