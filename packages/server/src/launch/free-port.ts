/**
 * A TCP port free on 127.0.0.1 right now, found by binding port 0 and closing. For a port that
 * must be known before a process starts and cannot be port 0: a cluster node's port, which every
 * peer names at boot and which must stay the same across a restart, or RabbitMQ's AMQP,
 * distribution and epmd ports. Another process could take it in between; that shows up as a
 * failed start.
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
