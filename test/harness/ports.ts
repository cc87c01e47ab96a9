import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1.
 *
 * Caveats: the port is free when returned, not reserved; a server started right after binds it in all but
 * pathological cases, and a failed bind surfaces as that server's own error.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}
