// transition: continue with windows under 10 s needs the plugin on the master: refused before any
// load without it (exit 2, naming the file, the field and the fixes), run as planned with it.
import { describe, expect, it } from 'vitest';
import { plan, setup, st } from '../../../fakes/run-setup.js';
import { exitCode } from '../../../../src/core/exit-code.js';
import { pluginRequirement } from '../../../../src/core/run/plugin-requirement.js';
import { runPreflight } from '../../../../src/core/run/preflight.js';
import { ConfigError } from '../../../../src/core/errors.js';
import { ManualClock } from '../../../fakes/manual-clock.js';
import { FakeLocust } from '../../../fakes/fake-locust.js';
import { MemorySink } from '../../../fakes/memory-sink.js';

const short = plan([st(1, 10, { durationMs: 3_000 }), st(2, 20, { durationMs: 3_000 })], { transition: 'continue' });

describe('what needs the plugin', () => {
  it('only short windows read while the users keep running', () => {
    const url = 'http://m:8089/';
    expect(pluginRequirement(short, { version: '1' }, url)).toBeNull();
    expect(pluginRequirement({ ...short, transition: 'restart' }, null, url)).toBeNull();
    expect(pluginRequirement(plan([st(1, 10, { durationMs: 10_000 })], { transition: 'continue' }), null, url)).toBeNull();
    const e = pluginRequirement(plan([st(1, 10), st(2, 20, { durationMs: 5_000 })], { transition: 'continue' }), null, url);
    expect(e?.message).toMatch(/^m\.yaml: stages\[1\]\.duration: stage 2 lasts 5s, but transition: continue without the locust-driver plugin/);
    expect(e?.message).toMatch(
      /master at http:\/\/m:8089\/ has no plugin .* add `import locust_driver_plugin` to the locustfile .* lengthen duration to 10s or use transition: restart$/,
    );
    expect(pluginRequirement(short, null, url)?.message).toMatch(/stages\[0\]\.duration: 2 stages last less \(stage 1: 3s\)/);
  });

  it('without the plugin: the run fails with exit 2 before any /swarm', async () => {
    const { lg, end } = setup();
    const { record, error } = await end(short);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/transition: continue without the locust-driver plugin needs windows of at least 10s/);
    expect(exitCode({ error })).toBe(2);
    expect(lg.calls.some((c) => c.startsWith('swarm'))).toBe(false);
  });

  it('with the plugin: 3 s windows handed over, each measured', async () => {
    const { go } = setup(2, { plugin: true });
    const record = await go(short);
    expect(record.status).toBe('completed');
    // The plugin's goal: each window is `duration` long within ±0.25 s (here: the fake flush's round trip).
    for (const s of record.stages) {
      expect(s.status).toBe('completed');
      expect(Math.abs((s.window?.durationMs ?? 0) - 3_000)).toBeLessThanOrEqual(250);
    }
    expect(record.stages).toHaveLength(2);
  });

  it('preflight refuses it the same way without the plugin, and passes with it, starting nothing', async () => {
    const check = async (plugin: boolean) => {
      const clock = new ManualClock();
      const lg = new FakeLocust(clock, { workers: 2, rpsPerUser: 1, plugin });
      const deps = { lg, clock, sink: new MemorySink(), emit: () => {}, signal: new AbortController().signal };
      const o = {
        runId: 'p',
        plan: short,
        host: null,
        healthUrl: null,
        embedded: false,
        expectWorkers: 2,
        connectTimeoutMs: 30_000,
        driverVersion: '0',
        nodeVersion: 'v24',
      };
      const done = await clock.run(runPreflight(deps, o).catch((e: unknown) => e));
      expect(lg.calls.some((c) => c.startsWith('swarm'))).toBe(false);
      return done;
    };
    const refused = await check(false);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/transition: continue without the locust-driver plugin/);
    expect(await check(true)).toEqual(expect.arrayContaining([expect.stringMatching(/^locust-driver plugin 1 loaded/)]));
  });
});
