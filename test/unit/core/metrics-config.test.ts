// The metrics: section and its flags: parsed, defaulted, merged (flags win), secrets only by name.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/cli.js';
import { ConfigError } from '../../../src/core/errors.js';
import { MatrixError, parseMatrix } from '../../../src/core/matrix.js';
import { buildPlan, withMetricsFlags } from '../../../src/core/plan.js';
import { authHeaders } from '../../../src/adapters/metrics/metrics-output.js';

const base = 'version: 1\nname: m\nstages:\n  - { users: 1 }\n';
const plan = (extra: string) => buildPlan(parseMatrix(base + extra, 'm.yaml'), 'm.yaml');

describe('metrics: in the matrix', () => {
  it('is null without the section, and defaulted with it', () => {
    expect(plan('').metrics).toBeNull();
    expect(plan('metrics:\n  remoteWrite: { url: "http://prom:9090/api/v1/write", bearerTokenEnv: PROM_TOKEN }\n  labels: { env: ci }\n').metrics).toEqual({
      remoteWrite: {
        url: 'http://prom:9090/api/v1/write',
        basicAuth: null,
        bearerTokenEnv: 'PROM_TOKEN',
        timeoutMs: 5_000,
        retries: 3,
        maxQueued: 20_000,
        flushTimeoutMs: 10_000,
      },
      labels: { env: 'ci' },
    });
  });

  it('refuses credentials in the URL, both auth kinds at once, and labels the driver sets itself', () => {
    expect(() => plan('metrics:\n  remoteWrite: { url: "http://u:p@prom/api/v1/write" }\n')).toThrow(MatrixError);
    expect(() => plan('metrics:\n  remoteWrite: { url: "http://prom/w", bearerTokenEnv: A, basicAuth: { username: u, passwordEnv: B } }\n')).toThrow(
      /not both/,
    );
    expect(() => plan('metrics:\n  labels: { run_id: x }\n')).toThrow(/may not be named/);
    expect(() => plan('metrics:\n  remoteWrite: { url: "http://prom/w", password: x }\n')).toThrow(MatrixError);
  });
});

describe('--remote-write-url and --metrics-label', () => {
  it('come from flags or LOCUST_DRIVER_* and win over the file', async () => {
    const opts = await parseCli(['run', '--remote-write-url', 'http://p/w', '--metrics-label', 'env=ci', '--metrics-label', 'team=ml'], {}, '1');
    expect(opts).toMatchObject({ remoteWriteUrl: 'http://p/w', metricsLabels: { env: 'ci', team: 'ml' } });
    const fromEnv = await parseCli(['run'], { LOCUST_DRIVER_REMOTE_WRITE_URL: 'http://p/w', LOCUST_DRIVER_METRICS_LABEL: 'a=1,b=2' }, '1');
    expect(fromEnv).toMatchObject({ remoteWriteUrl: 'http://p/w', metricsLabels: { a: '1', b: '2' } });
    const merged = withMetricsFlags(
      plan('metrics:\n  remoteWrite: { url: "http://file/w", retries: 1 }\n  labels: { env: file, x: y }\n').metrics,
      'http://flag/w',
      { env: 'flag' },
    );
    expect(merged).toMatchObject({ remoteWrite: { url: 'http://flag/w', retries: 1 }, labels: { env: 'flag', x: 'y' } });
    expect(withMetricsFlags(null, null, {})).toBeNull();
  });

  it('refuse a password in the URL and reserved label names', async () => {
    await expect(parseCli(['run', '--remote-write-url', 'http://u:secret@p/w'], {}, '1')).rejects.toThrow(/no user or password/);
    await expect(parseCli(['run', '--remote-write-url', 'http://u:secret@p/w'], {}, '1')).rejects.not.toThrow(/secret/);
    await expect(parseCli(['run', '--metrics-label', 'stage=x'], {}, '1')).rejects.toThrow(ConfigError);
  });
});

describe('authHeaders', () => {
  const rw = { url: 'http://p/w', basicAuth: null, bearerTokenEnv: null, timeoutMs: 1, retries: 0, maxQueued: 10, flushTimeoutMs: 1 };
  it('reads the secret from the environment variable the plan names, and fails clearly when it is unset', () => {
    expect(authHeaders({ ...rw, bearerTokenEnv: 'T' }, { T: 'abc' }, 'm.yaml')).toEqual({ Authorization: 'Bearer abc' });
    expect(authHeaders({ ...rw, basicAuth: { username: 'u', passwordEnv: 'P' } }, { P: 'pw' }, 'm.yaml')).toEqual({
      Authorization: `Basic ${Buffer.from('u:pw').toString('base64')}`,
    });
    expect(() => authHeaders({ ...rw, bearerTokenEnv: 'T' }, {}, 'm.yaml')).toThrow(/T is not set/);
    expect(authHeaders(rw, {}, 'm.yaml')).toEqual({});
  });
});
