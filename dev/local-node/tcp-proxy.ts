import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A listening TCP forwarder; `close()` stops it and drops open connections. */
export interface TcpProxy {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Forwards every connection on `listen` to `target`, byte for byte (TLS passes through untouched). Lets pods
 * on the node's bridge reach servers the harness binds to loopback.
 */
export async function startTcpProxy(
  listen: { host: string; port: number },
  target: { host: string; port: number },
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  server.unref();
  return {
    host: listen.host,
    port: listen.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
