// A timestamping HTTP proxy in front of the Locust master's web API (127.0.0.1 only): the driver
// talks to it, it forwards every request unchanged and records when each one arrived and was
// answered, and — when it knows the driver's pid — the driver's CPU time at that moment
// (/proc/<pid>/stat). That gives the time from process start to the first POST /swarm, how long
// /stop blocks, when the final CSV reads happen, and the driver's CPU time within each phase.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export const now = () => performance.timeOrigin + performance.now();

let clkTck = null;
/** Clock ticks per second of /proc/<pid>/stat's utime/stime. */
export function clockTicks() {
  if (clkTck === null) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** User + system CPU seconds of a live process, or null (gone, or no /proc). */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTicks();
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak so far) of a live process in MB, or nulls. */
export function memMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: null, hwm: null };
  }
}

/**
 * @param {string} upstream e.g. http://127.0.0.1:8089
 * @returns {Promise<{ url: string, log: {method: string, path: string, start: number, end: number|null, status: number|null, cpu: number|null, rss: number|null, hwm: number|null}[], watch(pid: number|null): void, reset(): void, close(): Promise<void> }>}
 */
export async function startProxy(upstream) {
  const up = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const log = [];
  let pid = null;
  const server = http.createServer((req, res) => {
    const entry = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      start: now(),
      end: null,
      status: null,
      cpu: pid === null ? null : cpuSeconds(pid),
      ...(pid === null ? { rss: null, hwm: null } : memMb(pid)),
    };
    log.push(entry);
    const fwd = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host }, agent },
      (r) => {
        entry.status = r.statusCode ?? null;
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        r.on('end', () => (entry.end = now()));
      },
    );
    fwd.on('error', (e) => {
      entry.end = now();
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bench proxy: ${e.message}`);
    });
    req.pipe(fwd);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    watch: (p) => (pid = p),
    reset: () => (log.length = 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
