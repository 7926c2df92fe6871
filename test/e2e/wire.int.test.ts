/** The wire itself, with raw frames: batching in both directions, binary bodies, heartbeats. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameWriter } from '@warren/protocol';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.dispose();
});

describe('batching', () => {
  it('processes many frames of one WebSocket message in order, and batches deliveries back', async () => {
    const client = await RawClient.open(broker.url);
    let messages = 0;
    client.ws.on('message', () => messages++);
    const writer = new FrameWriter();
    writer.add({ type: 'queue.declare', id: 1, queue: 'batched', durable: false });
    for (let seq = 1; seq <= 500; seq++) {
      writer.add({ type: 'publish', seq, exchange: '', routing_key: 'batched' }, new TextEncoder().encode(`b${seq}`));
    }
    writer.add({ type: 'consume', id: 2, queue: 'batched', no_ack: true });
    client.sendBytes(writer.take());
    await client.next((f) => f.header.type === 'deliver' && f.header.delivery_tag === 500);
    const deliveries = client.frames.filter((f) => f.header.type === 'deliver');
    expect(deliveries.map((f) => new TextDecoder().decode(f.body))).toEqual(Array.from({ length: 500 }, (_, i) => `b${i + 1}`));
    const acks = client.frames.filter((f) => f.header.type === 'publish.ack');
    expect(acks.at(-1)!.header).toMatchObject({ seq: 500, multiple: true });
    // One cumulative ack per turn (frame-turns.ts), and a turn handles at least 16 frames.
    expect(acks.length).toBeLessThanOrEqual(Math.ceil(500 / 16));
    // 500 deliveries, 2 replies and the acks arrived in far fewer WebSocket messages than frames.
    expect(messages).toBeLessThan(50);
    await client.close();
  });
});

describe('bodies', () => {
  it('carries any bytes unchanged, with no encoding', async () => {
    const client = await RawClient.open(broker.url);
    await client.request({ type: 'queue.declare', queue: 'bytes', durable: false });
    const body = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    client.send({ type: 'publish', seq: 1, exchange: '', routing_key: 'bytes' }, body);
    await client.request({ type: 'consume', queue: 'bytes', no_ack: true });
    const delivered = await client.next((f) => f.header.type === 'deliver');
    expect(delivered.body).toEqual(body);
    await client.close();
  });
});

describe('heartbeats', () => {
  it('sends heartbeats on an idle connection at the negotiated interval', async () => {
    const quick = await startBroker({ heartbeat: 100 });
    const client = await RawClient.open(quick.url);
    const started = Date.now();
    await client.next((f) => f.header.type === 'heartbeat');
    client.send({ type: 'heartbeat' });
    const second = client.next((f, ) => f.header.type === 'heartbeat' && client.frames.filter((g) => g.header.type === 'heartbeat').length >= 2);
    client.send({ type: 'heartbeat' });
    await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    await client.close();
    await quick.dispose();
  });
});
