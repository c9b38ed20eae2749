import { describe, expect, it } from 'vitest';
import { CliOutput, parseCli } from '../../src/cli.js';
import { ConfigError } from '../../src/core/errors.js';

const parse = (argv: string[], env: Record<string, string> = {}, tty = false) => parseCli(argv, env, '1.2.3', tty);

describe('command line', () => {
  it('has defaults for run, and pretty logs only on a terminal', async () => {
    const o = await parse(['run']);
    expect(o).toMatchObject({ command: 'run', matrix: 'matrix.yaml', master: null, out: './results', logFormat: 'json', localWorkers: 2, connectTimeoutMs: null });
    expect(await parse(['run'], {}, true)).toMatchObject({ logFormat: 'pretty' });
  });

  it('reads LOCUST_DRIVER_* variables, flags winning', async () => {
    const env = { LOCUST_DRIVER_MASTER: 'http://m:8089', LOCUST_DRIVER_OUT: '/results', LOCUST_DRIVER_CONNECT_TIMEOUT: '2m' };
    expect(await parse(['run'], env)).toMatchObject({ master: 'http://m:8089', out: '/results', connectTimeoutMs: 120_000 });
    expect(await parse(['run', '--master', 'http://other:8089'], env)).toMatchObject({ master: 'http://other:8089' });
  });

  it('rejects unknown flags, variables and bad values with one clear line (exit 2)', async () => {
    await expect(parse(['run', '--mastr', 'x'])).rejects.toThrow(/Unknown argument: mastr.*see locust-driver --help/);
    await expect(parse(['run'], { LOCUST_DRIVER_FOO: '1' })).rejects.toThrow(/environment variable LOCUST_DRIVER_FOO is not a locust-driver setting/);
    await expect(parse(['run', '--master', 'locust:8089'])).rejects.toThrow(/--master "locust:8089" is not an http\(s\) URL/);
    await expect(parse(['run', '--connect-timeout', '10'])).rejects.toThrow(/--connect-timeout "10" is not a duration/);
    await expect(parse(['run', '--local-workers', '0'])).rejects.toThrow(/--local-workers must be a whole number from 1 to 64/);
    await expect(parse([])).rejects.toBeInstanceOf(ConfigError);
    await expect(parse(['frobnicate'])).rejects.toBeInstanceOf(ConfigError);
  });

  it('answers --help and --version without running anything', async () => {
    const v = await parse(['--version']);
    expect(v).toBeInstanceOf(CliOutput);
    expect((v as CliOutput).text).toBe('1.2.3');
    const h = await parse(['--help']);
    expect((h as CliOutput).text).toMatch(/locust-driver <command> \[options\][\s\S]*run[\s\S]*validate[\s\S]*--master/);
  });
});
