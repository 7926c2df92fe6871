/**
 * Flow control seen from outside: a consumer that stops reading its socket does not make the
 * broker buffer the queue for it (deliveries pause once its socket buffer is full, and resume
 * when it reads again); the backlog stays in the queue, where paging bounds RAM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { RawClient } from '../support/raw-client.js';

const BODY = 16 * 1024;
const COUNT = 4_000; // 64 MB in all

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient({ deliveryBufferBytes: 1024 * 1024 })));
afterAll(() => stopBoth(client, broker));

async function unacked(queue: string): Promise<number> {
  const view = (await (await fetch(`${broker.httpUrl}/api/queues/%2F/${queue}`)).json()) as { messages_unacknowledged: number };
  return view.messages_unacknowledged;
}

describe('a consumer that stops reading', () => {
  it('holds only what fits its socket buffers; the rest waits in the queue until it reads again', async () => {
    await client.declareQueue('slow', { durable: false });
    const slow = await RawClient.open(broker.url);
    const reply = await slow.request({ type: 'consume', queue: 'slow', prefetch: 0 });
    expect(reply.header.type).toBe('ok');
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();

    const body = new Uint8Array(BODY);
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < COUNT; i++) pending.push(client.publish('', 'slow', body, { persistent: false }));
    await Promise.all(pending);

    // Sent to the stalled consumer: its 1 MiB delivery buffer plus what the kernel's socket
    // buffers took, far from all 64 MB.
    const held = await unacked('slow');
    expect(held).toBeGreaterThan(0);
    expect(held * BODY).toBeLessThan(24 * 1024 * 1024);
    expect(held).toBeLessThan(COUNT);

    socket.resume();
    await slow.next(() => slow.frames.filter((f) => f.header.type === 'deliver').length === COUNT);
    expect(await unacked('slow')).toBe(COUNT);
    await slow.close();
  });
});
