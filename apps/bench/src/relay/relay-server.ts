/**
 * The plain `ws` relay probe's server (issue 25: Warren's 64 KB rate against what a bare
 * WebSocket hop does on the same machine in the same run): a `ws` server on 127.0.0.1 that
 * forwards every binary message a producer sends to every consumer, with no protocol, no
 * queue and no broker logic. Backpressure as a broker would apply it: while a consumer has more
 * than BUFFER_BYTES unsent, the producers' sockets are not read. Path `/consumer` or `/producer`.
 * Prints one JSON line with its URL once listening.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const BUFFER_BYTES = 4 * 1024 * 1024;

const consumers = new Set<WebSocket>();
const producers = new Set<WebSocket>();
let paused = false;

function pauseProducers(): void {
  paused = true;
  for (const producer of producers) producer.pause();
}

function written(): void {
  if (!paused) return;
  for (const consumer of consumers) if (consumer.bufferedAmount > BUFFER_BYTES / 2) return;
  paused = false;
  for (const producer of producers) producer.resume();
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
server.on('connection', (socket, request) => {
  if (request.url === '/consumer') {
    consumers.add(socket);
    socket.on('close', () => consumers.delete(socket));
    return;
  }
  producers.add(socket);
  if (paused) socket.pause();
  socket.on('close', () => producers.delete(socket));
  socket.on('message', (data: Buffer) => {
    for (const consumer of consumers) {
      consumer.send(data, { binary: true }, written);
      if (consumer.bufferedAmount > BUFFER_BYTES && !paused) pauseProducers();
    }
  });
});
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'relay ready', url: `ws://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
