import net from 'node:net';

/**
 * A TCP port that is free on `host` right now (the OS picks it: listen on 0, read, close).
 * Another process may take it before the caller binds it; callers that can, retry on EADDRINUSE.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr !== 'object') {
        srv.close();
        reject(new Error(`could not read the port of a listening socket on ${host}`));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** `n` distinct free ports on `host` (all held open at once, then released together). */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      srv.unref();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port: 0, host, exclusive: true }, () => resolve());
      });
      const addr = srv.address();
      if (addr === null || typeof addr !== 'object') throw new Error(`could not read the port of a listening socket on ${host}`);
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}
