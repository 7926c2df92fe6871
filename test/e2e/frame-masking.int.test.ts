/**
 * The Node client's WebSocket masking (client README, "Frame masking"): with `ws`, to a loopback
 * host, it masks every frame with a zero key, so bodies go out without a copy, and
 * `maskFrames: true` restores random keys. Seen on the wire, through a TCP relay that records
 * what the client sends. Which URLs get which key by default: transport.test.ts.
 */
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';

let broker: TestBroker;

beforeAll(async () => (broker = await startBroker()));
afterAll(() => broker?.dispose());

/** A relay to the broker that keeps every byte clients send through it. */
async function recordingRelay(): Promise<{ url: string; sent: () => Buffer; server: Server }> {
  const target = new URL(broker.url);
  const chunks: Buffer[] = [];
  const server = createServer((socket) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}${target.pathname}`, sent: () => Buffer.concat(chunks), server };
}

/** The masking key of every frame in a client's byte stream, after its HTTP upgrade request. */
function maskingKeys(stream: Buffer): Buffer[] {
  let at = stream.indexOf('\r\n\r\n') + 4;
  const keys: Buffer[] = [];
  while (at + 2 <= stream.length) {
    const masked = (stream[at + 1]! & 0x80) !== 0;
    let length = stream[at + 1]! & 0x7f;
    at += 2;
    if (length === 126) {
      length = stream.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(stream.readBigUInt64BE(at));
      at += 8;
    }
    expect(masked).toBe(true);
    keys.push(stream.subarray(at, at + 4));
    at += 4 + length;
  }
  return keys;
}

async function keysOfASession(maskFrames: boolean | undefined): Promise<Buffer[]> {
  const relay = await recordingRelay();
  const client = await connect(relay.url, { WebSocket, maskFrames });
  const { queue } = await client.declareQueue('', { exclusive: true });
  await client.publish('', queue, new Uint8Array(70_000).fill(9));
  await client.close();
  relay.server.close();
  return maskingKeys(relay.sent());
}

describe('frame masking with ws', () => {
  it('masks every frame with a zero key by default on loopback', async () => {
    const keys = await keysOfASession(undefined);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) expect([...key]).toEqual([0, 0, 0, 0]);
  });

  it('masks with random keys when maskFrames is set', async () => {
    const keys = await keysOfASession(true);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.filter((key) => key.readUInt32BE(0) !== 0).length).toBeGreaterThan(0);
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBeGreaterThan(1);
  });
});
