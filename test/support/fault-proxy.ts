// A small HTTP proxy for fault-injection tests: it sits on 127.0.0.1 (a free port) in front of a
// Locust master and, on request, answers some calls badly — late, not at all, with a reset, a 5xx,
// a truncated body or an HTML page — the way a flaky network, an ingress or a restarting pod does.
//
//   const p = await startFaultProxy('http://127.0.0.1:8089/');
//   p.inject({ kind: 'status', code: 503 }, { path: /^\/stats\/requests$/, times: 2 });
//   ... drive the client against p.url ...
//   p.requests  // what came in, and which fault (if any) it got
//   await p.close();
//
// Faults are matched in the order they were injected (first match wins); `times` consumes a fault,
// without it the fault stays until clear(). The proxy can also stop listening (refuse(): like a
// dead pod, connections are refused) and listen again on the same port, and its upstream can be
// changed (setUpstream) while it runs. node:http only; everything stays on 127.0.0.1.
import http from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Forward after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Reset the connection (TCP RST). With afterUpstream, the request is forwarded first and the answer lost. */
  | { kind: 'reset'; afterUpstream?: boolean }
  /** Answer `code` with an nginx-like HTML error page; nothing is forwarded. */
  | { kind: 'status'; code: number }
  /** Forward, then send the real headers with a Content-Length larger than the body, half the body, and close. */
  | { kind: 'truncate' }
  /** Answer 200 text/html with a page that is not Locust's (a wrong URL behind an ingress); nothing is forwarded. */
  | { kind: 'html' }
  /** Never answer (the socket stays open until the client gives up or the proxy closes). */
  | { kind: 'hang' }
  /** Answer with this page instead (e.g. a web UI page of another Locust release); nothing is forwarded. */
  | { kind: 'page'; body: string; contentType?: string };

export interface InjectOptions {
  /** Matched against the request path with its query string, e.g. /^\/stats\/requests$/. Default: every path. */
  path?: RegExp;
  /** Only this method (GET, POST). Default: any. */
  method?: string;
  /** Matched against the request body, e.g. /user_count=0&/ for the swarm that brings the users to 0. Default: any. */
  body?: RegExp;
  /** Apply to this many requests, then drop the fault. Default: until clear(). */
  times?: number;
}

export interface ProxyRequest {
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  path: string;
  /** The fault applied, or null when the request was forwarded untouched. */
  fault: Fault['kind'] | null;
  /** The request body (form fields of POST /swarm), at most 2 kB. */
  body: string;
  /** The status sent to the client; null when none was (reset, hang, upstream gone). */
  status: number | null;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: ProxyRequest[];
  inject(fault: Fault, opts?: InjectOptions): void;
  /** Removes every fault. */
  clear(): void;
  /** Forward to another URL from now on (e.g. a master restarted elsewhere). */
  setUpstream(url: string): void;
  /** What to do when the upstream refuses a connection: reset the client's connection (default) or answer 502. */
  onUpstreamDown(mode: 'reset' | '502'): void;
  /** Stop listening and drop every open connection: new connections are refused. */
  refuse(): Promise<void>;
  /** Listen again, on the same port. */
  listen(): Promise<void>;
  /** Stops everything, hung requests included. Idempotent. */
  close(): Promise<void>;
}

interface Rule {
  fault: Fault;
  path: RegExp | null;
  method: string | null;
  body: RegExp | null;
  left: number | null;
}

const HOST = '127.0.0.1';
const REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The body nginx sends with its own error pages (padding included, so browsers show it). */
export function nginxErrorPage(code: number): string {
  const title = `${code} ${REASONS[code] ?? http.STATUS_CODES[code] ?? 'Error'}`;
  const pad = '<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n'.repeat(6);
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n${pad}`;
}

/** A 200 page that is not Locust: what a wrong path behind an ingress may serve. */
export const WRONG_APP_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Welcome to nginx!</title>
  <style>
    html { color-scheme: light dark; }
    body { width: 35em; margin: 0 auto; font-family: Tahoma, Verdana, Arial, sans-serif; }
  </style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working. Further configuration is required.</p>
<p>For online documentation and support please refer to <a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at <a href="http://nginx.com/">nginx.com</a>.</p>
${'<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</p>\n'.repeat(20)}
<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let upstream = new URL(target);
  let upstreamDown: 'reset' | '502' = 'reset';
  const rules: Rule[] = [];
  const requests: ProxyRequest[] = [];
  const sockets = new Set<Socket>();
  const pending = new Set<http.ClientRequest>();
  let closed = false;

  const take = (method: string, path: string, body: string): Fault | null => {
    for (const r of rules) {
      if (r.method !== null && r.method !== method) continue;
      if (r.path !== null && !r.path.test(path)) continue;
      if (r.body !== null && !r.body.test(body)) continue;
      if (r.left !== null) {
        r.left--;
        if (r.left <= 0) rules.splice(rules.indexOf(r), 1);
      }
      return r.fault;
    }
    return null;
  };

  /** Sends the request on to the upstream; resolves to its full answer, or null if it could not be reached. */
  const forward = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer } | null> =>
    new Promise((resolve) => {
      const headers: http.OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
      delete headers.connection;
      delete headers['keep-alive'];
      const path = joinPath(upstream.pathname, req.url ?? '/');
      const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers, agent: false });
      pending.add(up);
      up.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          pending.delete(up);
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', () => {
          pending.delete(up);
          resolve(null);
        });
      });
      up.on('error', () => {
        pending.delete(up);
        resolve(null);
      });
      up.end(body);
    });

  const relayHeaders = (h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders => {
    const out: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(h)) {
      if (v === undefined || ['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(k)) continue;
      out[k] = v;
    }
    return out;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = take(method, path, body.toString('utf8'));
    const entry: ProxyRequest = { at: Date.now(), method, path, fault: fault?.kind ?? null, body: body.toString('utf8').slice(0, 2048), status: null };
    requests.push(entry);
    const send = (status: number, headers: http.OutgoingHttpHeaders, payload: Buffer | string): void => {
      entry.status = status;
      const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
      res.writeHead(status, { ...headers, 'content-length': buf.length });
      res.end(buf);
    };
    const relay = async (): Promise<void> => {
      const answer = await forward(req, body);
      if (res.destroyed || closed) return;
      if (answer === null) {
        if (upstreamDown === '502') send(502, { 'content-type': 'text/html', server: 'nginx' }, nginxErrorPage(502));
        else req.socket.resetAndDestroy();
        return;
      }
      send(answer.status, relayHeaders(answer.headers), answer.body);
    };

    switch (fault?.kind) {
      case undefined:
        return relay();
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        if (res.destroyed || closed) return;
        return relay();
      case 'reset':
        if (fault.afterUpstream) await forward(req, body);
        req.socket.resetAndDestroy();
        return;
      case 'status':
        send(fault.code, { 'content-type': 'text/html', server: 'nginx' }, nginxErrorPage(fault.code));
        return;
      case 'html':
        send(200, { 'content-type': 'text/html; charset=utf-8', server: 'nginx' }, WRONG_APP_PAGE);
        return;
      case 'hang':
        return; // the socket stays open; close() (or the client) ends it
      case 'page':
        send(200, { 'content-type': fault.contentType ?? 'text/html; charset=utf-8' }, fault.body);
        return;
      case 'truncate': {
        const answer = await forward(req, body);
        if (res.destroyed || closed) return;
        if (answer === null) {
          req.socket.resetAndDestroy();
          return;
        }
        entry.status = answer.status;
        const half = answer.body.subarray(0, Math.floor(answer.body.length / 2));
        res.writeHead(answer.status, { ...relayHeaders(answer.headers), 'content-length': answer.body.length + 1024 });
        res.write(half, () => req.socket.destroy());
        return;
      }
    }
  };

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('fault proxy error');
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Clients that reset their own connection (a timed-out request) are not an error here.
  server.on('clientError', (_e, s: Socket) => s.destroy());

  const listenOn = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: HOST, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const dropAll = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    for (const r of pending) r.destroy();
    pending.clear();
  };
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      dropAll();
    });

  await listenOn(0);
  const addr = server.address();
  if (addr === null || typeof addr !== 'object') throw new Error('fault proxy: no port');
  const port = addr.port;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${HOST}:${port}/`,
    port,
    requests,
    inject(fault, opts = {}) {
      if (opts.times !== undefined && opts.times <= 0) return;
      rules.push({ fault, path: opts.path ?? null, method: opts.method?.toUpperCase() ?? null, body: opts.body ?? null, left: opts.times ?? null });
    },
    clear() {
      rules.length = 0;
    },
    setUpstream(url) {
      upstream = new URL(url);
    },
    onUpstreamDown(mode) {
      upstreamDown = mode;
    },
    refuse: stopListening,
    async listen() {
      if (closed) throw new Error('fault proxy: closed');
      if (!server.listening) await listenOn(port);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        rules.length = 0;
        await stopListening();
        dropAll();
      })();
      return closing;
    },
  };
}

/** The upstream's base path (e.g. /locust/) joined with the request's path and query. */
function joinPath(base: string, reqPath: string): string {
  const b = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${b}${reqPath.startsWith('/') ? reqPath : `/${reqPath}`}`;
}
