// A Service-like HTTP balancer on 127.0.0.1 in front of the target pods' processes: the
// `target.host` the e2e tests give the driver and Locust. There is no kube-proxy here, and kwok's pod
// IPs are invented (never connect to them), so the harness plays the Service: target-pods.ts adds a
// backend when a pod's process is listening and removes it when the pod goes away.
//
// Why per request, least outstanding requests, and not per connection (as kube-proxy balances):
// Locust's HttpUser keeps ONE keep-alive connection per user for as long as the user lives. A
// balancer that picks a backend when a connection opens pins each user to the replica it reached
// first: with a few dozen users the split is lumpy (a replica with 7 users and one with 3), and a
// replica that the ReplicaSet controller adds while users are connected gets nothing until they
// reconnect — throughput would not follow replicas, which is the thing under test. Balancing each
// request, as an L7 proxy does (an ingress, Envoy, a mesh), spreads every request over the live
// replicas at once. "Least outstanding" (fewest requests in flight, ties in turn) rather than plain
// round robin, because the sample service queues: a replica whose slots are busy gets the next
// request only when the others are as busy, as its real capacity allows.
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

interface Backend {
  id: string;
  host: string;
  port: number;
  agent: http.Agent;
  inFlight: number;
  draining: boolean;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are not forwarded. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

function endToEnd(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

function sendError(res: ServerResponse, status: number, error: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export class Balancer {
  /** http://127.0.0.1:<port>, no trailing slash */
  readonly url: string;
  private readonly server: http.Server;
  private backends: Backend[] = [];
  /** Responses relayed per backend id, removed backends included (the test reads the spread). */
  private readonly relayed = new Map<string, number>();
  private turn = 0;

  private constructor(server: http.Server, port: number) {
    this.server = server;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<Balancer> {
    // keepAliveTimeout above Locust's longest pause between a user's requests (1.5 s) by far: a
    // connection closed under a user's feet would show up as a failed request that no replica caused.
    const server = http.createServer({ keepAliveTimeout: 60_000, headersTimeout: 65_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr !== 'object') throw new Error('balancer: no port');
    const b = new Balancer(server, addr.port);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => b.relay(req, res));
    return b;
  }

  /** A backend (a pod's process) that may take requests from now on. `url` must be on 127.0.0.1. */
  add(id: string, url: string): void {
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1') throw new Error(`balancer: backend ${id} at ${url}: only 127.0.0.1 is allowed (pod IPs are invented by kwok)`);
    if (this.backends.some((b) => b.id === id)) throw new Error(`balancer: backend ${id} is already there`);
    // Idle upstream sockets are dropped after 10 s, before the sample service's own 30 s keep-alive
    // ends: otherwise a request could be sent on a socket the server is closing (a spurious 502).
    const agent = new http.Agent({ keepAlive: true, timeout: 10_000 });
    this.backends.push({ id, host: u.hostname, port: Number(u.port), agent, inFlight: 0, draining: false });
    this.relayed.set(id, this.relayed.get(id) ?? 0);
  }

  /** Stops sending new requests to `id`, waits (up to `drainMs`) for the ones in flight, then forgets it. */
  async remove(id: string, drainMs = 5_000): Promise<void> {
    const b = this.backends.find((x) => x.id === id);
    if (b === undefined) return;
    b.draining = true;
    const deadline = Date.now() + drainMs;
    while (b.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.backends = this.backends.filter((x) => x !== b);
    b.agent.destroy();
  }

  /** The backends taking requests now. */
  live(): string[] {
    return this.backends.filter((b) => !b.draining).map((b) => b.id);
  }

  /** Responses relayed per backend since the start, removed backends included. */
  relayedByBackend(): Record<string, number> {
    return Object.fromEntries(this.relayed);
  }

  async close(): Promise<void> {
    for (const b of this.backends) b.agent.destroy();
    this.backends = [];
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private pick(): Backend | undefined {
    const open = this.backends.filter((b) => !b.draining);
    if (open.length === 0) return undefined;
    const least = Math.min(...open.map((b) => b.inFlight));
    const tied = open.filter((b) => b.inFlight === least);
    this.turn = (this.turn + 1) % 1_000_000;
    return tied[this.turn % tied.length];
  }

  private relay(req: IncomingMessage, res: ServerResponse): void {
    const b = this.pick();
    if (b === undefined) {
      req.resume();
      sendError(res, 503, 'no live target pod: the balancer has no backend');
      return;
    }
    b.inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      b.inFlight--;
    };
    const up = http.request({ host: b.host, port: b.port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent: b.agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, endToEnd(ur.headers));
      ur.pipe(res);
      ur.once('end', () => {
        this.relayed.set(b.id, (this.relayed.get(b.id) ?? 0) + 1);
        finish();
      });
      ur.once('error', () => {
        finish();
        res.destroy();
      });
    });
    up.once('error', (e) => {
      finish();
      sendError(res, 502, `backend ${b.id} failed: ${e.message}`);
    });
    // A client that goes away mid-request frees its place (the upstream request is abandoned).
    res.once('close', () => {
      if (!res.writableFinished) up.destroy();
      finish();
    });
    req.pipe(up);
  }
}
