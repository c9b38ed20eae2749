// One HTTP request over Node's own http/https modules. Why not npm undici or the global fetch (which
// is Node's bundled undici, loaded on first use): each costs 12–17 MB of the driver's resident
// memory, and node:http is already in memory (docs/benchmarks.md#footprint, issue 13). The driver
// makes a few small requests a second to one or two hosts: a keep-alive pool of a few sockets is all
// it needs.
import http from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  method: string;
  url: URL | string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Aborts the request at any point (a deadline is an AbortSignal.timeout). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  /** Reads the whole body as text; rejects when the answer is cut off or the signal aborts. */
  text(): Promise<string>;
  /** Discards the body (frees the socket for the next request). */
  dump(): Promise<void>;
}

/** Sends a request and resolves once the status and headers are in (the body is read on demand). */
export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

export interface HttpPool {
  send: HttpTransport;
  /** Closes the pool's idle sockets (a run's end: nothing may keep the process alive). */
  close(): void;
}

/**
 * A keep-alive pool: at most `maxSockets` sockets per host, idle ones closed after `idleMs` (before a
 * server would close them under a request in flight).
 */
export function createHttpPool(o: { maxSockets?: number; idleMs?: number } = {}): HttpPool {
  const opts = { keepAlive: true, maxSockets: o.maxSockets ?? 4, maxFreeSockets: o.maxSockets ?? 4, timeout: o.idleMs ?? 4_000 };
  const agents = { 'http:': new http.Agent(opts), 'https:': new https.Agent(opts) };
  return {
    send: (req) => sendWith(req, agents),
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** One request without a pool (a probe): the socket is closed after the answer. */
export const httpRequest: HttpTransport = (req) => sendWith(req, null);

function sendWith(req: HttpRequest, agents: Record<'http:' | 'https:', http.Agent> | null): Promise<HttpResponse> {
  const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(Object.assign(new Error(`unsupported protocol ${url.protocol} in ${url.origin}`), { code: 'ERR_INVALID_PROTOCOL' }));
  }
  const mod = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = { ...req.headers };
  if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
  return new Promise((resolve, reject) => {
    const r = mod.request(
      url,
      { method: req.method, headers, agent: agents ? agents[url.protocol as 'http:' | 'https:'] : false, signal: req.signal },
      (res) => {
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          text: () =>
            new Promise((done, fail) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
              // A connection closed before the body's end: an 'error' (Node's one word, "aborted")
              // and/or a 'close' without 'end'. Say what happened; the first one settles.
              const cutOff = (cause?: Error) =>
                fail(
                  Object.assign(new Error('the connection closed before the answer was complete', { cause }), {
                    code: (cause as { code?: string } | undefined)?.code ?? 'ECONNRESET',
                  }),
                );
              res.on('error', (e) => (req.signal?.aborted ? fail(e) : cutOff(e)));
              res.on('close', () => {
                if (!res.complete) cutOff();
              });
            }),
          dump: () =>
            new Promise((done) => {
              res.on('close', () => done());
              res.resume();
            }),
        });
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}
