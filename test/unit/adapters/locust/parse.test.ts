// The parsers against real captures of Locust 2.12.1 and 2.47.0 (test/fixtures/locust/, made by
// capture.sh: 2 workers, 10 users, GET /index.html ×5, GET /does-not-exist ×1 (404), a task that
// raises ValueError 20 % of the time), hand-made variants of the versions in between, and
// properties over arbitrary input. The expected numbers were read from the fixture files.
import { readFileSync } from 'node:fs';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocustError } from '../../../../src/core/errors.js';
import { PERCENTILES } from '../../../../src/core/model.js';
import { formatCsv } from '../../../../src/adapters/locust/csv.js';
import {
  parseExceptionsCsv,
  parseExceptionsJson,
  parseFailuresCsv,
  parseLiveStats,
  parseStatsCsv,
  parseSwarmResponse,
  parseVersionFromHtml,
  unescapeHtml,
} from '../../../../src/adapters/locust/parse.js';

type Version = '2.12.1' | '2.47.0';
const text = (v: Version, file: string): string => readFileSync(new URL(`../../../fixtures/locust/${v}/${file}`, import.meta.url), 'utf8');
const json = (v: Version, file: string): unknown => JSON.parse(text(v, file));
/** A deep copy as a mutable record, for hand-made variants of real bodies. */
const record = (v: Version, file: string): Record<string, unknown> => json(v, file) as Record<string, unknown>;
const rows = (body: Record<string, unknown>): Array<Record<string, unknown>> => body['stats'] as Array<Record<string, unknown>>;

function expectLocustError(fn: () => unknown, pattern?: RegExp): LocustError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LocustError);
    if (pattern) expect((e as LocustError).message).toMatch(pattern);
    return e as LocustError;
  }
  throw new Error('expected a LocustError, got a value');
}

// --------------------------------------------------------------------------------------------
describe('parseLiveStats on real captures', () => {
  it('2.12.1 before any test: legacy schema, method null, workers counted from the list', () => {
    const s = parseLiveStats(json('2.12.1', 'stats-ready.json'));
    expect(s).toMatchObject({
      state: 'ready',
      userCount: 0,
      workerCount: 2,
      requests: 0,
      failures: 0,
      currentRps: 0,
      currentFailPerSec: 0,
      currentP50Ms: 0,
      currentP95Ms: 0,
      schema: 'legacy',
    });
    expect(s.workers.map((w) => [w.state, w.userCount])).toEqual([
      ['ready', 0],
      ['ready', 0],
    ]);
    expect(s.workers[0]).toEqual({
      id: expect.stringMatching(/^vm_[0-9a-f]{26}acf8d7$/),
      state: 'ready',
      userCount: 0,
      cpuPercent: 0,
      memoryBytes: 51494912,
    });
  });

  it('2.12.1 running: 10 users on 2 workers, Aggregated counts, legacy _50/_95 percentiles', () => {
    const s = parseLiveStats(json('2.12.1', 'stats-running.json'));
    expect(s).toEqual({
      state: 'running',
      userCount: 10,
      workers: [
        { id: expect.stringMatching(/acf8d7$/), state: 'running', userCount: 5, cpuPercent: 4.2, memoryBytes: 52908032 },
        { id: expect.stringMatching(/eab07b$/), state: 'running', userCount: 5, cpuPercent: 4.0, memoryBytes: 52842496 },
      ],
      workerCount: 2,
      requests: 384,
      failures: 56,
      avgMs: 16.442403429691055, // the Aggregated row's avg_response_time
      currentRps: 36.125, // the Aggregated row's current_rps: 2.12.1 has no top-level current_rps
      currentFailPerSec: 5.25,
      currentP50Ms: 4,
      currentP95Ms: 23,
      schema: 'legacy',
    });
  });

  it('2.12.1 stopped: final counts after the late worker report, workers back to ready', () => {
    const s = parseLiveStats(json('2.12.1', 'stats-stopped.json'));
    expect(s).toMatchObject({ state: 'stopped', userCount: 0, workerCount: 2, requests: 411, failures: 63 });
    expect(s.currentP95Ms).toBe(6);
    expect(s.workers.every((w) => w.state === 'ready' && w.userCount === 0)).toBe(true);
  });

  it('2.47.0 before any test: modern schema, worker_count from Locust, memory 0 until the first heartbeat', () => {
    const s = parseLiveStats(json('2.47.0', 'stats-ready.json'));
    expect(s).toMatchObject({
      state: 'ready',
      userCount: 0,
      workerCount: 2,
      requests: 0,
      failures: 0,
      currentRps: 0,
      currentP50Ms: 0,
      currentP95Ms: 0,
      schema: 'modern',
    });
    expect(s.workers.map((w) => w.memoryBytes)).toEqual([0, 0]);
  });

  it('2.47.0 running: top-level current_rps and the percentile dict', () => {
    const s = parseLiveStats(json('2.47.0', 'stats-running.json'));
    expect(s).toEqual({
      state: 'running',
      userCount: 10,
      workers: [
        { id: expect.stringMatching(/863278$/), state: 'running', userCount: 5, cpuPercent: 0, memoryBytes: 55820288 },
        { id: expect.stringMatching(/84b874$/), state: 'running', userCount: 5, cpuPercent: 0, memoryBytes: 55857152 },
      ],
      workerCount: 2,
      requests: 296,
      failures: 54,
      avgMs: 3.6251045810811657, // the Aggregated row's avg_response_time
      currentRps: 33.333333333333336,
      currentFailPerSec: 5.5,
      currentP50Ms: 3,
      currentP95Ms: 6,
      schema: 'modern',
    });
  });

  it('2.47.0 stopped: final counts equal the CSV taken at the same time', () => {
    const s = parseLiveStats(json('2.47.0', 'stats-stopped.json'));
    expect(s).toMatchObject({ state: 'stopped', userCount: 0, workerCount: 2, requests: 408, failures: 69 });
    expect(s.currentP95Ms).toBe(6);
    expect(parseStatsCsv(text('2.47.0', 'stats.csv')).aggregated.requests).toBe(s.requests);
    expect(parseStatsCsv(text('2.12.1', 'stats.csv')).aggregated.requests).toBe(parseLiveStats(json('2.12.1', 'stats-stopped.json')).requests);
  });
});

// --------------------------------------------------------------------------------------------
describe('parseLiveStats on the shapes between 2.12.1 and 2.47.0 (hand-made from the captures)', () => {
  it('2.15.1 – 2.27.x legacy UI: current_response_time_percentile_1/_2', () => {
    const body = record('2.12.1', 'stats-running.json');
    delete body['current_response_time_percentile_50'];
    delete body['current_response_time_percentile_95'];
    body['current_response_time_percentile_1'] = 7;
    body['current_response_time_percentile_2'] = 31;
    body['total_fail_per_sec'] = 5.25; // 2.18.4+
    const s = parseLiveStats(body);
    expect(s).toMatchObject({ schema: 'legacy', currentP50Ms: 7, currentP95Ms: 31, requests: 384, workerCount: 2 });
  });

  it('2.20 – 2.29: the dict (modern) next to total_avg_response_time, no worker_count', () => {
    const body = record('2.47.0', 'stats-running.json');
    delete body['worker_count'];
    delete body['current_rps'];
    delete body['current_fail_per_sec'];
    body['total_avg_response_time'] = 5.1;
    const s = parseLiveStats(body);
    expect(s).toMatchObject({ schema: 'modern', workerCount: 2, currentRps: 33.333333333333336, currentP95Ms: 6 });
  });

  it('2.30.x: rows without avg_response_time; workers counted only when ready, spawning or running', () => {
    const body = record('2.47.0', 'stats-running.json');
    delete body['worker_count'];
    delete body['current_rps'];
    delete body['current_fail_per_sec'];
    for (const row of rows(body)) delete row['avg_response_time'];
    const workers = body['workers'] as Array<Record<string, unknown>>;
    workers.push({ id: 'vm_gone', state: 'missing', user_count: 0, cpu_usage: 0.0, memory_usage: 1 });
    workers.push({ id: 'vm_spawning', state: 'spawning', user_count: 2, cpu_usage: 1.5, memory_usage: 2 });
    const s = parseLiveStats(body);
    expect(s.workerCount).toBe(3);
    expect(s.workers.map((w) => w.state)).toEqual(['running', 'running', 'missing', 'spawning']);
    expect(s).toMatchObject({ requests: 296, failures: 54, currentRps: 33.333333333333336, currentFailPerSec: 5.5 });
  });

  it('uses worker_count as Locust reports it, even when the list disagrees', () => {
    const body = record('2.47.0', 'stats-running.json');
    body['worker_count'] = 1;
    expect(parseLiveStats(body).workerCount).toBe(1);
  });

  it('method null on the Aggregated row (≤ 2.45.x before the first test) with endpoint rows', () => {
    const body = record('2.12.1', 'stats-running.json');
    const agg = rows(body).at(-1);
    if (agg) agg['method'] = null;
    expect(parseLiveStats(body).requests).toBe(384);
  });

  it('takes the real Aggregated row, not a request a user named "Aggregated"', () => {
    const body = record('2.47.0', 'stats-running.json');
    // The real Aggregated row moved to the front, a user's "GET Aggregated" last.
    const list = rows(body);
    const agg = list.pop();
    if (agg) list.unshift(agg);
    list.push({ method: 'GET', name: 'Aggregated', num_requests: 5, num_failures: 5, current_rps: 1 });
    expect(parseLiveStats(body)).toMatchObject({ requests: 296, failures: 54, currentRps: 33.333333333333336 });
    // With no real one, the user's row is better than nothing.
    list.shift();
    expect(parseLiveStats(body)).toMatchObject({ requests: 5, failures: 5 });
  });

  it('a master without a runner (2.47.0 source): state "missing", no rows, null _1/_2', () => {
    const s = parseLiveStats({
      stats: [],
      errors: [],
      total_rps: 0.0,
      total_fail_per_sec: 0.0,
      fail_ratio: 0.0,
      current_response_time_percentile_1: null,
      current_response_time_percentile_2: null,
      state: 'missing',
      user_count: 0,
    });
    expect(s).toEqual({
      state: 'missing',
      userCount: 0,
      workers: [],
      workerCount: 0,
      requests: 0,
      failures: 0,
      avgMs: null,
      currentRps: null,
      currentFailPerSec: null,
      currentP50Ms: null,
      currentP95Ms: null,
      schema: 'legacy',
    });
  });

  it('null percentiles, "_0.50"-style keys, int/float numbers and unknown fields', () => {
    const body = record('2.47.0', 'stats-running.json');
    body['current_response_time_percentiles'] = { 'response_time_percentile_0.50': 9.0, 'response_time_percentile_0.95': null };
    body['some_future_field'] = { nested: [1, 2, 3] };
    body['user_count'] = 10.0;
    const s = parseLiveStats(body);
    expect(s).toMatchObject({ currentP50Ms: 9, currentP95Ms: null, userCount: 10, schema: 'modern' });
  });

  it('missing cpu/memory → null; missing user_count → the sum over the workers', () => {
    const body = record('2.12.1', 'stats-running.json');
    delete body['user_count'];
    for (const w of body['workers'] as Array<Record<string, unknown>>) {
      delete w['cpu_usage'];
      delete w['memory_usage'];
    }
    const s = parseLiveStats(body);
    expect(s.userCount).toBe(10);
    expect(s.workers.map((w) => [w.cpuPercent, w.memoryBytes])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('rejects what is not a /stats/requests body with a LocustError saying what it expected and found', () => {
    for (const bad of [null, 42, 'ok', [], [1, 2], true]) {
      expectLocustError(() => parseLiveStats(bad), /expected a JSON object with "state" \(string\) and "stats" \(array\)/);
    }
    expectLocustError(() => parseLiveStats({ stats: [] }), /state.*found: \{"stats":\[\]\}/);
    expectLocustError(() => parseLiveStats({ state: 'ready' }), /stats/);
    expectLocustError(() => parseLiveStats({ state: 'ready', stats: 'none' }), /stats/);
    expectLocustError(
      () => parseLiveStats({ state: 'ready', stats: [{ name: 'Aggregated', method: '', num_requests: 'many', num_failures: 0 }] }),
      /Aggregated row.*num_requests/,
    );
    // The login page of a misconfigured --web-login master, already parsed as a string.
    expectLocustError(() => parseLiveStats('<!doctype html><title>Login</title>'), /found: <!doctype html>/);
  });

  it('quotes at most 200 characters of the body', () => {
    const e = expectLocustError(() => parseLiveStats({ junk: 'x'.repeat(5000) }));
    expect(e.message).not.toMatch(/x{200}/);
    expect(e.message.length).toBeLessThan(400);
    expect(e.message).toMatch(/…$/);
  });
});

// --------------------------------------------------------------------------------------------
describe('parseStatsCsv', () => {
  it('2.12.1: endpoint rows, the Aggregated row, percentiles, whole-test rates', () => {
    const { endpoints, aggregated } = parseStatsCsv(text('2.12.1', 'stats.csv'));
    expect(endpoints.map((e) => [e.method, e.name, e.requests, e.failures])).toEqual([
      ['GET', '/does-not-exist', 63, 63],
      ['GET', '/index.html', 348, 0],
    ]);
    expect(aggregated).toEqual({
      method: '',
      name: 'Aggregated',
      requests: 411,
      failures: 63,
      medianMs: 4,
      avgMs: 15.662765763993171,
      minMs: 1.8900320000057036,
      maxMs: 1020.9479160000683,
      avgContentBytes: 56.43065693430657,
      rps: 38.43160160129319,
      failPerSec: 5.8909754279354525,
      percentiles: {
        '50': 4,
        '66': 5,
        '75': 5,
        '80': 6,
        '90': 9,
        '95': 18,
        '98': 51,
        '99': 150,
        '99.9': 1000,
        '99.99': 1000,
        '100': 1000,
      },
    });
    expect(aggregated.requests).toBe(endpoints.reduce((n, e) => n + e.requests, 0));
    expect(aggregated.failures).toBe(endpoints.reduce((n, e) => n + e.failures, 0));
  });

  it('2.47.0: the same columns', () => {
    const { endpoints, aggregated } = parseStatsCsv(text('2.47.0', 'stats.csv'));
    expect(endpoints.map((e) => [e.name, e.requests, e.failures, e.percentiles['95']])).toEqual([
      ['/does-not-exist', 69, 69, 7],
      ['/index.html', 339, 0, 6],
    ]);
    expect(aggregated).toMatchObject({ requests: 408, failures: 69, medianMs: 3, maxMs: 18.49537100008547 });
    expect(aggregated.percentiles).toEqual({
      '50': 3,
      '66': 4,
      '75': 4,
      '80': 4,
      '90': 5,
      '95': 6,
      '98': 7,
      '99': 8,
      '99.9': 18,
      '99.99': 18,
      '100': 18,
    });
    expect(aggregated.requests).toBe(endpoints.reduce((n, e) => n + e.requests, 0));
  });

  it.each(['2.12.1', '2.47.0'] as const)('%s before any test: only the Aggregated row, N/A and zero times → null', (v) => {
    const { endpoints, aggregated } = parseStatsCsv(text(v, 'stats-ready.csv'));
    expect(endpoints).toEqual([]);
    expect(aggregated).toEqual({
      method: '',
      name: 'Aggregated',
      requests: 0,
      failures: 0,
      medianMs: null,
      avgMs: null,
      minMs: null,
      maxMs: null,
      avgContentBytes: null,
      rps: 0,
      failPerSec: 0,
      percentiles: Object.fromEntries(PERCENTILES.map((p) => [p, null])),
    });
  });

  it('a header-only CSV, or one without an Aggregated row, gives an aggregate of zeros and nulls', () => {
    const header = text('2.47.0', 'stats.csv').split('\r\n')[0] ?? '';
    expect(parseStatsCsv(`${header}\r\n`)).toEqual(parseStatsCsv(text('2.47.0', 'stats-ready.csv')));
    const noAgg = text('2.47.0', 'stats.csv').split('\r\n').slice(0, 3).join('\r\n');
    const parsed = parseStatsCsv(noAgg);
    expect(parsed.endpoints).toHaveLength(2);
    expect(parsed.aggregated.requests).toBe(0);
  });

  it('finds columns by name: missing percentile columns → null, extra and reordered columns are fine', () => {
    const csv = formatCsv([
      ['Name', 'Type', 'Failure Count', 'Request Count', '50%', '95%', '99.999%', 'Requests/s', 'Something new'],
      ['/a, "quoted"', 'POST', '1', '10', '5', '9', '12', '2.5', 'x'],
      ['Aggregated', '', '1', '10', '5', '9', '12', '2.5', 'y'],
    ]);
    const { endpoints, aggregated } = parseStatsCsv(csv);
    expect(endpoints[0]).toMatchObject({ method: 'POST', name: '/a, "quoted"', requests: 10, failures: 1, rps: 2.5, failPerSec: 0 });
    expect(endpoints[0]?.medianMs).toBeNull();
    expect(endpoints[0]?.percentiles).toMatchObject({ '50': 5, '95': 9, '99': null, '100': null });
    expect(aggregated.percentiles['95']).toBe(9);
  });

  it('rejects garbage with a LocustError', () => {
    expectLocustError(() => parseStatsCsv(text('2.47.0', 'stop-get.html')), /stats\/requests\/csv.*found: <!doctype html>/);
    expectLocustError(() => parseStatsCsv(text('2.47.0', 'stats-running.json')), /expected a CSV with header Type,Name/);
    expectLocustError(() => parseStatsCsv(''), /found: \(an empty body\)/);
    expectLocustError(
      () => parseStatsCsv('Type,Name,Request Count,Failure Count\r\nGET,/a,lots,0\r\n'),
      /number or N\/A in column "Request Count" of data row 2/,
    );
    expectLocustError(() => parseStatsCsv('Type,Name,Request Count,Failure Count\r\nGET,/a,N/A,0\r\n'), /count in column "Request Count"/);
  });
});

// --------------------------------------------------------------------------------------------
describe('parseFailuresCsv', () => {
  const ORIGIN = /http:\/\/127\.0\.0\.1:\d+/;

  it('gives the same 404 row in both versions (2.12.1 repr quotes removed)', () => {
    const old = parseFailuresCsv(text('2.12.1', 'failures.csv'));
    const now = parseFailuresCsv(text('2.47.0', 'failures.csv'));
    expect(old).toEqual([
      {
        method: 'GET',
        name: '/does-not-exist',
        error: expect.stringMatching(/^HTTPError\('404 Client Error: File not found for url: http:\/\/127\.0\.0\.1:\d+\/does-not-exist'\)$/),
        occurrences: 63,
      },
    ]);
    expect(now).toEqual([
      {
        method: 'GET',
        name: '/does-not-exist',
        error: "HTTPError('404 Client Error: File not found for url: /does-not-exist')",
        occurrences: 69,
      },
    ]);
    // Only the URL differs: 2.12.1's requests put the full URL in the message, 2.47.0's client the path.
    expect(old[0]?.error.replace(ORIGIN, '')).toBe(now[0]?.error);
  });

  it('2.12.1 JSON errors[] (escaped and quoted) unescape to the same text as its CSV', () => {
    const body = json('2.12.1', 'stats-stopped.json') as { errors: Array<{ error: string }> };
    const fromJson = unescapeHtml(body.errors[0]?.error ?? '');
    expect(fromJson.slice(1, -1)).toBe(parseFailuresCsv(text('2.12.1', 'failures.csv'))[0]?.error);
    // The same escaped text through the CSV parser: unescaped, then one pair of quotes stripped.
    const escaped = formatCsv([
      ['Method', 'Name', 'Error', 'Occurrences'],
      ['GET', '/q?a=1&amp;b=2', body.errors[0]?.error ?? '', '3'],
    ]);
    expect(parseFailuresCsv(escaped)[0]).toMatchObject({ name: '/q?a=1&b=2', error: fromJson.slice(1, -1) });
  });

  it('strips a repr pair of single quotes too, and only in the old layout', () => {
    const old = formatCsv([
      ['Method', 'Name', 'Error', 'Occurrences'],
      ['GET', '/x', "'ValueError()'", '1'],
      ['GET', '/y', 'CatchResponseError("it\'s bad")', '2'],
    ]);
    expect(parseFailuresCsv(old).map((r) => r.error)).toEqual(['ValueError()', 'CatchResponseError("it\'s bad")']);
    const modern = formatCsv([
      ['Method', 'Name', 'Error', 'Occurrences', 'First Seen', 'Last Seen'],
      ['GET', '/x', '"quoted on purpose"', '1', '2026-11-28T11:36:54Z', '2026-11-28T11:37:03Z'],
    ]);
    expect(parseFailuresCsv(modern)[0]?.error).toBe('"quoted on purpose"');
  });

  it('unescapes only text that reads as html.escape output (no raw quotes or brackets, every & an entity)', () => {
    const csv = formatCsv([
      ['Method', 'Name', 'Error', 'Occurrences'],
      ['GET', '/a&amp;b', "Error('&lt;tag&gt;')", '1'], // raw quote present → not escaped output
    ]);
    expect(parseFailuresCsv(csv)[0]).toMatchObject({ name: '/a&b', error: "Error('&lt;tag&gt;')" });
  });

  it('header only → no rows; garbage → LocustError', () => {
    expect(parseFailuresCsv('Method,Name,Error,Occurrences\r\n')).toEqual([]);
    expect(parseFailuresCsv('Method,Name,Error,Occurrences,First Seen,Last Seen\r\n')).toEqual([]);
    expectLocustError(() => parseFailuresCsv(text('2.47.0', 'stop-get.html')), /failures\/csv/);
    expectLocustError(() => parseFailuresCsv('Method,Name,Error,Occurrences\r\nGET,/a,boom,\r\n'), /Occurrences/);
  });
});

// --------------------------------------------------------------------------------------------
describe('exceptions', () => {
  it('CSV and JSON give the same total in both versions', () => {
    expect(parseExceptionsCsv(text('2.12.1', 'exceptions.csv'))).toBe(13);
    expect(parseExceptionsJson(json('2.12.1', 'exceptions.json'))).toBe(13);
    expect(parseExceptionsCsv(text('2.47.0', 'exceptions.csv'))).toBe(11);
    expect(parseExceptionsJson(json('2.47.0', 'exceptions.json'))).toBe(11);
  });

  it('2.12.1 escapes the JSON traceback, 2.47.0 does not', () => {
    const old = json('2.12.1', 'exceptions.json') as { exceptions: Array<{ traceback: string }> };
    const now = json('2.47.0', 'exceptions.json') as { exceptions: Array<{ traceback: string }> };
    expect(old.exceptions[0]?.traceback).toContain('raise ValueError(&quot;synthetic user exception&quot;)');
    expect(unescapeHtml(old.exceptions[0]?.traceback ?? '')).toContain('raise ValueError("synthetic user exception")');
    expect(now.exceptions[0]?.traceback).toContain('raise ValueError("synthetic user exception")');
  });

  it('sums several rows; header only → 0; garbage → LocustError', () => {
    const csv = formatCsv([
      ['Count', 'Message', 'Traceback', 'Nodes'],
      ['2', 'a', 'tb\nline', 'w1'],
      ['5', 'b, "c"', '', 'w1, w2'],
    ]);
    expect(parseExceptionsCsv(csv)).toBe(7);
    expect(parseExceptionsCsv('Count,Message,Traceback,Nodes\r\n')).toBe(0);
    expectLocustError(() => parseExceptionsCsv('{"exceptions": []}'), /exceptions\/csv/);
    expectLocustError(() => parseExceptionsJson({ exceptions: [{ count: 'x' }] }), /exceptions\.0\.count/);
  });
});

// --------------------------------------------------------------------------------------------
describe('parseSwarmResponse', () => {
  it('reads success and failure answers of both versions (and /stop, which has the same shape)', () => {
    expect(parseSwarmResponse(json('2.12.1', 'swarm-ok.json'))).toEqual({ success: true, message: 'Swarming started' });
    expect(parseSwarmResponse(json('2.47.0', 'swarm-ok.json'))).toEqual({ success: true, message: 'Swarming started' });
    expect(parseSwarmResponse(json('2.47.0', 'swarm-missing.json'))).toEqual({
      success: false,
      message: 'Missing or invalid user_count or spawn_rate from /swarm request',
    });
    expect(parseSwarmResponse(json('2.12.1', 'stop.json'))).toEqual({ success: true, message: 'Test stopped' });
    expect(parseSwarmResponse(json('2.47.0', 'stop.json'))).toEqual({ success: true, message: 'Test stopped' });
    expect(parseSwarmResponse({ success: true })).toEqual({ success: true, message: '' });
  });

  it('rejects other bodies', () => {
    expectLocustError(() => parseSwarmResponse({ message: 'Swarming started' }), /expected a JSON object with "success"/);
    expectLocustError(() => parseSwarmResponse({ success: 'true' }), /success/);
    expectLocustError(() => parseSwarmResponse('Internal Server Error'), /found: Internal Server Error/);
    expectLocustError(() => parseSwarmResponse(undefined), /found: \(nothing\)/);
  });
});

// --------------------------------------------------------------------------------------------
describe('parseVersionFromHtml', () => {
  it('reads the version from both web UIs', () => {
    expect(parseVersionFromHtml(text('2.12.1', 'index.html'))).toBe('2.12.1');
    expect(parseVersionFromHtml(text('2.47.0', 'index.html'))).toBe('2.47.0');
  });

  it('reads the legacy page by its "Version" link or asset suffix alone', () => {
    expect(parseVersionFromHtml('<h2>Version <a href="https://github.com/locustio/locust/releases/tag/2.15.1">2.15.1</a></h2>')).toBe('2.15.1');
    expect(parseVersionFromHtml('<script src="./static/locust.js?v=2.8.6"></script>')).toBe('2.8.6');
    expect(parseVersionFromHtml('<script>window.templateArgs = {"version": "2.34.1.dev12"}</script>')).toBe('2.34.1.dev12');
  });

  it('is null where no version is shown: Debian 2.12.1 (empty version), other pages', () => {
    expect(parseVersionFromHtml(text('2.12.1', 'index.html').replaceAll('2.12.1', ''))).toBeNull();
    expect(parseVersionFromHtml(text('2.47.0', 'index.html').replace('"version": "2.47.0"', '"version": ""'))).toBeNull();
    expect(parseVersionFromHtml(text('2.47.0', 'stop-get.html'))).toBeNull();
    expect(parseVersionFromHtml('')).toBeNull();
    expect(parseVersionFromHtml('Locust auth exception: The session is unavailable')).toBeNull();
  });
});

describe('unescapeHtml', () => {
  it('undoes Python html.escape once', () => {
    expect(unescapeHtml('&quot;a&#x27;b&#39;c&lt;d&gt;e&amp;f')).toBe("\"a'b'c<d>e&f");
    expect(unescapeHtml('&amp;lt;')).toBe('&lt;');
    expect(unescapeHtml('&nbsp; & plain')).toBe('&nbsp; & plain');
  });
});

// --------------------------------------------------------------------------------------------
describe('properties: any input gives a value or a LocustError, quickly', () => {
  function valueOrLocustError(fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof LocustError)) throw e;
    }
  }

  // JSON-ish bodies that reach deep into the parsers: real keys with arbitrary values.
  const loose = fc.oneof(fc.jsonValue(), fc.constant(null), fc.string(), fc.double(), fc.integer());
  const row = fc.record(
    {
      name: fc.oneof(fc.constant('Aggregated'), fc.string(), loose),
      method: fc.oneof(fc.constant(''), fc.constant(null), fc.string(), loose),
      num_requests: fc.oneof(fc.nat(), fc.double(), loose),
      num_failures: fc.oneof(fc.nat(), loose),
      current_rps: fc.oneof(fc.double({ noNaN: true }), fc.constant(null), loose),
    },
    { requiredKeys: [] },
  );
  const worker = fc.record(
    { id: fc.oneof(fc.string(), loose), state: fc.oneof(fc.constantFrom('ready', 'running', 'missing'), loose), user_count: loose },
    { requiredKeys: [] },
  );
  const statsBody = fc.record(
    {
      state: fc.oneof(fc.constantFrom('ready', 'running', 'stopped'), loose),
      stats: fc.oneof(fc.array(fc.oneof(row, loose), { maxLength: 5 }), loose),
      user_count: loose,
      workers: fc.oneof(fc.array(fc.oneof(worker, loose), { maxLength: 3 }), loose),
      worker_count: loose,
      current_rps: loose,
      current_response_time_percentiles: fc.oneof(
        fc.dictionary(
          fc.oneof(fc.constantFrom('response_time_percentile_0.5', 'response_time_percentile_0.95'), fc.string()),
          fc.oneof(fc.nat(), fc.constant(null), loose),
        ),
        loose,
      ),
      current_response_time_percentile_95: loose,
      current_response_time_percentile_2: loose,
    },
    { requiredKeys: [] },
  );

  it('JSON parsers on arbitrary values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), statsBody, fc.jsonValue()), (body) => {
        valueOrLocustError(() => parseLiveStats(body));
        valueOrLocustError(() => parseSwarmResponse(body));
        valueOrLocustError(() => parseExceptionsJson(body));
      }),
      { numRuns: 2000 },
    );
  });

  it('parseLiveStats output is well-typed whenever it returns', () => {
    fc.assert(
      fc.property(statsBody, (body) => {
        try {
          const s = parseLiveStats(body);
          expect(typeof s.state).toBe('string');
          expect(Number.isFinite(s.requests)).toBe(true);
          expect(Number.isFinite(s.workerCount)).toBe(true);
          expect(['legacy', 'modern']).toContain(s.schema);
        } catch (e) {
          expect(e).toBeInstanceOf(LocustError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  // CSV-ish text: real headers with cells from a hostile alphabet.
  const cellText = fc.string({ unit: fc.constantFrom('"', ',', '\r\n', '\n', 'N/A', '1', '.', 'e', '-', 'Aggregated', '&quot;', ' ') });
  const csvBody = fc
    .tuple(
      fc.constantFrom(
        text('2.47.0', 'stats.csv').split('\r\n')[0] ?? '',
        'Method,Name,Error,Occurrences',
        'Method,Name,Error,Occurrences,First Seen,Last Seen',
        'Count,Message,Traceback,Nodes',
        '',
      ),
      fc.array(fc.array(cellText, { maxLength: 25 }), { maxLength: 5 }),
    )
    .map(([header, recs]) => `${header}\r\n${recs.map((r) => r.join(',')).join('\r\n')}`);

  it('text parsers on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), csvBody, fc.string()), (t) => {
        valueOrLocustError(() => parseStatsCsv(t));
        valueOrLocustError(() => parseFailuresCsv(t));
        valueOrLocustError(() => parseExceptionsCsv(t));
        const v = parseVersionFromHtml(t); // never throws
        expect(v === null || typeof v === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('non-string input to the text parsers is a LocustError too', () => {
    expectLocustError(() => parseStatsCsv(42 as unknown as string), /CSV text/);
    expect(parseVersionFromHtml(null as unknown as string)).toBeNull();
  });

  it('stays fast on large adversarial bodies (no regex backtracking)', () => {
    const n = 100_000;
    const header = text('2.47.0', 'stats.csv').split('\r\n')[0] ?? '';
    const started = performance.now();
    expectLocustError(() => parseStatsCsv(`${header}\r\nGET,/a,${'1'.repeat(n)}x,0\r\n`));
    expectLocustError(() => parseStatsCsv(`${header}\r\nGET,/a,1,${'1.'.repeat(n)}\r\n`));
    expect(parseVersionFromHtml(`Version <a ${' '.repeat(n)}`)).toBeNull();
    expect(parseVersionFromHtml(`"version": "1.${'1'.repeat(n)}!"`)).toBeNull();
    expect(parseVersionFromHtml(`window.templateArgs = {${'}'.repeat(n)}`)).toBeNull();
    expect(parseVersionFromHtml(`?v=1${'.1'.repeat(n)}`)).toBeNull();
    expect(parseLiveStats({ state: 'x', stats: new Array(n).fill({ name: 'a' }) }).requests).toBe(0);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
