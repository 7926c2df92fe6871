/**
 * A TCP port free on 127.0.0.1 right now, found by binding port 0 and closing: a node's public
 * and cluster ports are fixed before it starts, so it is found at the same ports after a restart.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port from listen(0)'))));
    });
  });
}
