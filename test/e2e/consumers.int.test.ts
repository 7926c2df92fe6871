/** Consumers through the client: prefetch, settlement, redelivery, round-robin, cancel, connection loss. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

async function queueWith(bodies: string[], name = ''): Promise<string> {
  const { queue } = await client.declareQueue(name, { durable: name !== '' });
  await Promise.all(bodies.map((b) => client.publish('', queue, b)));
  return queue;
}

const range = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('prefetch', () => {
  it('never holds more than prefetch unacked deliveries', async () => {
    const queue = await queueWith(range(20));
    const held: Message[] = [];
    let resolveFive!: () => void;
    const five = new Promise<void>((r) => (resolveFive = r));
    const consumer = await client.consume(queue, (m) => {
      held.push(m);
      if (held.length === 5) resolveFive();
    }, { prefetch: 5 });
    await five;
    // The broker has answered a later request, so any sixth delivery would be here already.
    expect(await depth(client, queue)).toBe(15);
    expect(held).toHaveLength(5);
    held[0]!.ack();
    await expect.poll(() => held.length).toBe(6);
    expect(await depth(client, queue)).toBe(14);
    await consumer.cancel();
  });
});

describe('settlement', () => {
  it('nack with requeue puts the message back in its original position, marked redelivered', async () => {
    const queue = await queueWith(['a', 'b', 'c']);
    const first = await take(client, queue, 3);
    first[1]!.nack({ requeue: true });
    first[0]!.reject({ requeue: true });
    first[2]!.ack();
    const again = await take(client, queue, 2);
    expect(texts(again)).toEqual(['a', 'b']);
    expect(again.map((m) => [m.redelivered, m.deliveryCount])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    for (const m of again) m.ack();
    expect(await depth(client, queue)).toBe(0);
  });

  it('nack and reject without requeue drop the message', async () => {
    const queue = await queueWith(['x', 'y']);
    const [x, y] = await take(client, queue, 2);
    x!.nack({ requeue: false });
    y!.reject({ requeue: false });
    expect(await depth(client, queue)).toBe(0);
    const { queue: q2 } = await client.declareQueue(queue, { passive: true });
    expect(q2).toBe(queue);
  });

  it('a cumulative ack settles every earlier delivery of the connection', async () => {
    const queue = await queueWith(range(10));
    const got = await take(client, queue, 10);
    got[6]!.ack({ multiple: true });
    const rest = got.slice(7);
    for (const m of rest) m.nack({ requeue: true });
    const again = await take(client, queue, 3);
    expect(texts(again)).toEqual(['m7', 'm8', 'm9']);
    again.at(-1)!.ack({ multiple: true });
    expect(await depth(client, queue)).toBe(0);
  });

  it('a cumulative nack requeues every earlier delivery in order', async () => {
    const queue = await queueWith(range(5));
    const got = await take(client, queue, 5);
    got[4]!.nack({ multiple: true, requeue: true });
    const again = await take(client, queue, 5);
    expect(texts(again)).toEqual(range(5));
    expect(again.every((m) => m.redelivered && m.deliveryCount === 2)).toBe(true);
    again[4]!.ack({ multiple: true });
  });

  it('delivery count grows with every delivery', async () => {
    const queue = await queueWith(['again']);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [m] = await take(client, queue, 1);
      counts.push(m!.deliveryCount);
      if (i < 3) m!.nack({ requeue: true });
      else m!.ack();
    }
    expect(counts).toEqual([1, 2, 3, 4]);
  });

  it('auto-ack deliveries leave the queue when sent', async () => {
    const queue = await queueWith(range(3));
    const got = await take(client, queue, 3, { noAck: true });
    expect(texts(got)).toEqual(range(3));
    expect(await depth(client, queue)).toBe(0);
    const other = await connect(broker.url);
    expect(await depth(other, queue)).toBe(0);
    await other.close();
  });
});

describe('several consumers', () => {
  it('share a queue round-robin', async () => {
    const { queue } = await client.declareQueue('', { exclusive: true });
    const seen: Record<string, string[]> = { a: [], b: [], c: [] };
    let total = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const consumers = await Promise.all(
      Object.keys(seen).map((name) =>
        client.consume(queue, (m) => {
          seen[name]!.push(m.text());
          m.ack();
          if (++total === 9) done();
        }, { prefetch: 10 }),
      ),
    );
    for (const body of range(9)) await client.publish('', queue, body);
    await all;
    expect(seen.a).toEqual(['m0', 'm3', 'm6']);
    expect(seen.b).toEqual(['m1', 'm4', 'm7']);
    expect(seen.c).toEqual(['m2', 'm5', 'm8']);
    for (const c of consumers) await c.cancel();
  });

  it('a cancelled consumer gets nothing more, and its unacked deliveries stay with it', async () => {
    const queue = await queueWith(['one']);
    const [m] = await take(client, queue, 1); // take() cancels after one
    await client.publish('', queue, 'two');
    expect(await depth(client, queue)).toBe(1);
    m!.ack();
    expect(await depth(client, queue)).toBe(1);
  });

  it('async iteration consumes and leaving the loop cancels', async () => {
    const queue = await queueWith(range(5));
    const got: string[] = [];
    for await (const m of client.messages(queue, { prefetch: 2 })) {
      got.push(m.text());
      m.ack();
      if (got.length === 3) break;
    }
    expect(got).toEqual(['m0', 'm1', 'm2']);
    await expect.poll(() => depth(client, queue)).toBe(2);
  });
});

describe('connection loss', () => {
  it('returns unacked deliveries to the queue in their original order, marked redelivered', async () => {
    const queue = await queueWith(range(6), 'requeue-on-close');
    const other = await connect(broker.url);
    const held = await take(other, queue, 4, { prefetch: 4 });
    held[1]!.ack();
    await other.close();
    const again = await take(client, queue, 5);
    expect(texts(again)).toEqual(['m0', 'm2', 'm3', 'm4', 'm5']);
    expect(again.map((m) => m.redelivered)).toEqual([true, true, true, false, false]);
    for (const m of again) m.ack();
  });
});
