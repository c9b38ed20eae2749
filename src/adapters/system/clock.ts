import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../ports.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    delay(Math.max(0, ms), undefined, signal ? { signal } : undefined).then(
      () => undefined,
      (e: unknown) => {
        throw signal?.aborted ? signal.reason : e;
      },
    ),
};
