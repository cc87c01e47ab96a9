import { createServer } from 'node:net';

/**
 * Ports are drawn below Linux's ephemeral range (32768–60999): the kernel hands those to outgoing
 * connections, such as the apiserver's own connections to etcd, which could take a port between the moment
 * it is chosen here and the moment the server binds it.
 */
const LOW = 20_000;
const HIGH = 32_767;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1, outside the ephemeral range.
 *
 * Caveats: the port is free when returned, not reserved; a server that then fails to bind it reports
 * `address already in use`, which {@link isAddressInUse} recognises so the caller can start again on
 * another port.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free TCP port found on 127.0.0.1 between ${LOW} and ${HIGH}`);
}

/** True when a server's output says it lost the race for its port. */
export function isAddressInUse(output: string): boolean {
  return /address already in use/i.test(output);
}
