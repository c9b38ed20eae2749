import { describe, expect, it } from 'vitest';
import { CliOutput, parseCli, withMatrixSettings, type CliOptions } from '../../src/cli.js';
import { ConfigError } from '../../src/core/errors.js';

const parse = (argv: string[], env: Record<string, string> = {}) => parseCli(argv, env, '1.2.3');

describe('command line', () => {
  it("has defaults for run: logs for people (a Job's log too), JSON one setting away", async () => {
    const o = await parse(['run']);
    expect(o).toMatchObject({
      command: 'run',
      matrix: 'matrix.yaml',
      master: null,
      out: './results',
      logFormat: 'pretty',
      localWorkers: 2,
      connectTimeoutMs: null,
    });
    expect(await parse(['run', '--log-format', 'json'])).toMatchObject({ logFormat: 'json' });
    expect(await parse(['run'], { LOCUST_DRIVER_LOG_FORMAT: 'json' })).toMatchObject({ logFormat: 'json' });
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

  it('reads --resume (bare, =auto, or the variable) and wants a --run-id with it', async () => {
    expect(await parse(['run'])).toMatchObject({ resume: 'no' });
    expect(await parse(['run', '--resume', '--run-id', 'r1'])).toMatchObject({ resume: 'yes', runId: 'r1' });
    expect(await parse(['run', '--resume=auto', '--run-id', 'r1'])).toMatchObject({ resume: 'auto' });
    expect(await parse(['run'], { LOCUST_DRIVER_RESUME: 'auto', LOCUST_DRIVER_RUN_ID: 'job-1-uid' })).toMatchObject({ resume: 'auto', runId: 'job-1-uid' });
    // the run id may come from the matrix's run: section, so the check is made with it
    const bare = await parse(['run', '--resume']);
    expect(() => withMatrixSettings(bare as CliOptions, undefined, 'm.yaml')).toThrow(/--resume needs --run-id <id> \(or run.runId in m.yaml\)/);
    expect(withMatrixSettings(bare as CliOptions, { runId: 'nightly' }, 'm.yaml')).toMatchObject({ resume: 'yes', runId: 'nightly' });
    await expect(parse(['run', '--resume=maybe', '--run-id', 'r1'])).rejects.toThrow(/--resume "maybe": use --resume .* or --resume=auto/);
  });

  it('reads --baseline and repeated --tolerance for run, and their variables', async () => {
    expect(await parse(['run'])).toMatchObject({ baseline: null, tolerances: [], runs: [] });
    expect(await parse(['run', '--baseline', 'latest', '--tolerance', 'p95=10%', '--tolerance', 'rps=-5%'])).toMatchObject({
      baseline: 'latest',
      tolerances: ['p95=10%', 'rps=-5%'],
    });
    expect(await parse(['run', '--tolerance', 'p99=20%'])).toMatchObject({ tolerances: ['p99=20%'] });
    const env = { LOCUST_DRIVER_BASELINE: 'results/nightly-1', LOCUST_DRIVER_TOLERANCE: 'p95=5%,rps=-2%' };
    expect(await parse(['run'], env)).toMatchObject({ baseline: 'results/nightly-1', tolerances: ['p95=5%,rps=-2%'] });
    expect(await parse(['run', '--baseline', 'results/x/run.json'], env)).toMatchObject({ baseline: 'results/x/run.json' });
  });

  it('rejects a bad tolerance or an empty baseline before anything runs', async () => {
    await expect(parse(['run', '--tolerance', 'p97=10%'])).rejects.toThrow(/--tolerance "p97=10%": unknown metric "p97"/);
    await expect(parse(['compare', 'a', 'b', '--tolerance', 'p95'])).rejects.toThrow(/write metric=value/);
    await expect(parse(['run', '--baseline', ''])).rejects.toThrow(/--baseline needs a run folder, a run.json or latest/);
    await expect(parse(['run'], { LOCUST_DRIVER_TOLERANCE: 'rps=much' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('takes the runs of compare and the folder of report as positional arguments', async () => {
    expect(await parse(['compare', 'results/a', 'results/b/run.json', '--tolerance', 'p95=20%'])).toMatchObject({
      command: 'compare',
      runs: ['results/a', 'results/b/run.json'],
      tolerances: ['p95=20%'],
    });
    expect(await parse(['report', 'results/a'])).toMatchObject({ command: 'report', runs: ['results/a'] });
    await expect(parse(['compare', 'results/a'])).rejects.toThrow(/Not enough non-option arguments.*see locust-driver --help/);
    await expect(parse(['compare', 'a', 'b', 'c'])).rejects.toBeInstanceOf(ConfigError);
    await expect(parse(['report'])).rejects.toBeInstanceOf(ConfigError);
  });

  it('answers --help and --version without running anything', async () => {
    const v = await parse(['--version']);
    expect(v).toBeInstanceOf(CliOutput);
    expect((v as CliOutput).text).toBe('1.2.3');
    const h = await parse(['--help']);
    expect((h as CliOutput).text).toMatch(/locust-driver <command> \[options\][\s\S]*run[\s\S]*validate[\s\S]*--master/);
    expect((h as CliOutput).text).toMatch(/report <run-dir>[\s\S]*compare <run-a> <run-b>[\s\S]*--baseline[\s\S]*--tolerance/);
  });

  it('answers --help and --version whatever the LOCUST_DRIVER_* variables hold', async () => {
    const env = { LOCUST_DRIVER_FOO: '1', LOCUST_DRIVER_LOG_LEVEL: 'loud', LOCUST_DRIVER_LOCAL_WORKERS: 'many', LOCUST_DRIVER_RESUME: 'maybe' };
    for (const argv of [['--help'], ['-h'], ['run', '--help'], ['compare', '--help'], ['--version'], ['run', '--version']]) {
      expect(await parse(argv, env), argv.join(' ')).toBeInstanceOf(CliOutput);
    }
    // after `--` it is an argument, not a request for help: the variables count again
    await expect(parse(['run', '--', '--help'], env)).rejects.toThrow(/LOCUST_DRIVER_FOO is not a locust-driver setting/);
  });

  it("takes every run setting from the matrix's run: section where no flag or variable gives it", async () => {
    const settings = {
      out: '/data/results',
      runId: 'nightly',
      logLevel: 'debug' as const,
      logFormat: 'json' as const,
      localWorkers: 4,
      locustBin: '/opt/locust',
      baseline: 'latest',
      tolerance: ['p95=20%'],
      resume: 'auto' as const,
    };
    const fromFile = withMatrixSettings((await parse(['run'])) as CliOptions, settings, 'm.yaml');
    expect(fromFile).toMatchObject({
      out: '/data/results',
      runId: 'nightly',
      logLevel: 'debug',
      logFormat: 'json',
      localWorkers: 4,
      locustBin: '/opt/locust',
      baseline: 'latest',
      tolerances: ['p95=20%'],
      resume: 'auto',
    });
    // flags win, and so do variables; the defaults lose to the file
    const flags = (await parse(['run', '--out', 'here', '--run-id=mine', '--log-format', 'pretty', '--tolerance', 'rps=-1%'], {
      LOCUST_DRIVER_LOCAL_WORKERS: '3',
    })) as CliOptions;
    expect(withMatrixSettings(flags, settings, 'm.yaml')).toMatchObject({
      out: 'here',
      runId: 'mine',
      logFormat: 'pretty',
      tolerances: ['rps=-1%'],
      localWorkers: 3,
      logLevel: 'debug',
      baseline: 'latest',
    });
    // without a run: section nothing changes
    const plain = (await parse(['run'])) as CliOptions;
    expect(withMatrixSettings(plain, undefined, 'm.yaml')).toEqual(plain);
  });

  it('names the file and the field of a bad tolerance in the run: section', async () => {
    const opts = (await parse(['run'])) as CliOptions;
    expect(() => withMatrixSettings(opts, { tolerance: ['p95=lots'] }, 'm.yaml')).toThrow(/^m\.yaml run\.tolerance: /);
  });
});
