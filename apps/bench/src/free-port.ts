/**
 * A TCP port free on 127.0.0.1 right now, found by binding port 0 and closing. For a broker
 * that cannot bind port 0 itself and report it (RabbitMQ's AMQP, distribution and epmd ports);
 * another process could take it in between, which then shows up as a failed start.
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
