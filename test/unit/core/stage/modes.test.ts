import { describe, expect, it } from 'vitest';
import { stageModes } from '../../../../src/core/stage/index.js';

const known = { state: 'stopped' };

describe('how a stage starts and ends', () => {
  it('starts fresh (reading the master) unless the last stage left it known, and never after a prepare step', () => {
    expect(stageModes({ kube: false, durationMs: 20_000 })).toEqual({ entry: 'fresh', exit: 'stop-then-read', reuseKnown: false });
    expect(stageModes({ known, kube: false, durationMs: 20_000 })).toMatchObject({ entry: 'from-known', reuseKnown: true });
    // scaling changed the master's workers: what the last stage left is stale
    expect(stageModes({ known, kube: true, durationMs: 20_000 })).toMatchObject({ entry: 'fresh', reuseKnown: false });
    expect(stageModes({ known: null, kube: false, durationMs: 20_000 }).entry).toBe('fresh');
  });

  it('takes over running users (transition: continue), with or without a known state', () => {
    expect(stageModes({ continuing: true, known, kube: false, durationMs: 20_000 })).toMatchObject({ entry: 'handed-over', reuseKnown: true });
    expect(stageModes({ continuing: true, kube: true, durationMs: 20_000 })).toMatchObject({ entry: 'handed-over', reuseKnown: false });
  });

  it('reads live only where no cooldown follows: a hand-over, or a last stage long enough to find both edges', () => {
    expect(stageModes({ handOff: true, kube: false, durationMs: 12_000 }).exit).toBe('hand-over');
    expect(stageModes({ last: true, kube: false, durationMs: 10_000 }).exit).toBe('read-then-stop');
    expect(stageModes({ last: true, kube: false, durationMs: 9_999 }).exit).toBe('stop-then-read');
    expect(stageModes({ last: false, kube: false, durationMs: 60_000 }).exit).toBe('stop-then-read');
  });
});
