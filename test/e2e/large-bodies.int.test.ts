/**
 * Large bodies on the fast path: a publish whose body is most of its WebSocket message is kept
 * without a copy, and a delivery with a large body leaves as a message of its own. Seen from
 * outside, every body still arrives byte for byte, in publish order, mixed with small ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Message } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

/** A body of `size` bytes whose every byte says which message it belongs to. */
function body(i: number, size: number): Uint8Array {
  return new Uint8Array(size).fill(i % 251);
}

describe('large bodies', () => {
  it('arrive intact and in order, mixed with small ones, queued and delivered live', async () => {
    const { queue } = await client.declareQueue('large-bodies', { durable: false });
    const sizes = Array.from({ length: 120 }, (_, i) => [100, 16 * 1024, 64 * 1024, 300 * 1024][i % 4] as number);
    // Half queued before anyone consumes, half published while the consumer reads.
    await Promise.all(sizes.slice(0, 60).map((size, i) => client.publish('', queue, body(i, size), { persistent: false })));
    const received: Message[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    await client.consume(
      queue,
      (message) => {
        received.push(message);
        if (received.length === sizes.length) done();
      },
      { noAck: true },
    );
    await Promise.all(sizes.slice(60).map((size, i) => client.publish('', queue, body(60 + i, size), { persistent: false })));
    await all;
    received.forEach((message, i) => {
      expect(message.body.length).toBe(sizes[i]);
      expect(message.body.every((byte) => byte === i % 251)).toBe(true);
    });
  });
});
