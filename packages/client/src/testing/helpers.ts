/** Test-only helpers shared by the client's unit tests. Not exported from the package. */
import type { WelcomeFrame } from '@warren/protocol';
import { connect, type Client, type ConnectOptions } from '../client.js';
import { FakeServer, type SentFrame } from './fake-socket.js';

/** Captured before any test fakes timers: a real macrotask turn runs every pending microtask. */
const realSetImmediate = setImmediate;

/** Lets every queued microtask (socket deliveries, batch flushes, promise chains) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => realSetImmediate(resolve));
}

/** A FakeServer whose welcome carries these fields. */
export function fakeServer(welcome: Partial<WelcomeFrame>): FakeServer {
  const server = new FakeServer();
  server.welcome = welcome;
  return server;
}

/** A client connected to a fresh FakeServer. */
export async function connected(options: ConnectOptions = {}, server = new FakeServer()): Promise<{ client: Client; server: FakeServer }> {
  const client = await connect('ws://broker.test/ws', { WebSocket: server.WebSocket, ...options });
  return { client, server };
}

/** Makes the server answer every request with `ok`, adding `result(frame)` to the reply. */
export function replyOk(server: FakeServer, result: (frame: SentFrame) => object = () => ({})): void {
  server.onFrame = (frame) => {
    if (typeof frame.header.id === 'number') server.send({ type: 'ok', id: frame.header.id, ...result(frame) });
  };
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
