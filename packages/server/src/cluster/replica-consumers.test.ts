/**
 * A node's consumers of replicated queues: a delivery handed out again is dropped while the
 * consumer holds or settles it, a cancelled consumer goes down once it holds nothing, a closed
 * connection's consumer goes down, and deliveries for a consumer this node does not run send it down.
 * Credit: the log gives a consumer more than its prefetch, the client never holds more than it.
 */
import { describe, expect, it } from 'vitest';
import type { Consumer, DeliverySink, Message, QueueEntry } from '@warren/core';
import type { QueueLogCommand } from '@warren/cluster';
import { ReplicaConsumers } from './replica-consumers.js';
import type { ReplicatedQueue } from './replicated-queue.js';

const queue = { name: 'orders' } as ReplicatedQueue;
const silent = { info() {}, warn() {}, error() {} };

function harness(prefetch = 5) {
  const proposed: QueueLogCommand[] = [];
  const answers: (() => void)[] = [];
  const delivered: QueueEntry[] = [];
  const cancelled: string[] = [];
  let n = 0;
  const consumers = new ReplicaConsumers('b', () => `id${++n}`, silent, (_queue, command) => {
    proposed.push(command);
    return new Promise<number>((resolve) => answers.push(() => resolve(1)));
  });
  const sink = {
    writable: true as boolean,
    deliver: (_consumer, entry) => void delivered.push(entry),
    cancelled: (_consumer, _code, message) => void cancelled.push(message),
    revoked: () => undefined,
  } satisfies DeliverySink;
  const consumer = { tag: 'ctag', options: { prefetch, noAck: false }, sink } as unknown as Consumer;
  /** The end of the event-loop turn (its microtasks first): the turn's settles are proposed. */
  const turn = async () => {
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  /** Lets every proposal so far be committed. */
  const commitAll = async () => {
    for (const answer of answers.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { consumers, consumer, sink, proposed, delivered, cancelled, commitAll, turn };
}

const message = (id: string): Message => ({ id, exchange: '', routingKey: 'orders', properties: {}, headers: undefined, body: new Uint8Array([1]), persistent: true, publishedAt: 0 });

describe('ReplicaConsumers', () => {
  it('subscribes with an id naming this node, and gives a delivery handed out again only once', async () => {
    const { consumers, consumer, proposed, delivered, commitAll, turn } = harness();
    consumers.subscribe(queue, consumer);
    expect(proposed[0]).toMatchObject({ t: 'subscribe', consumer: 'id1.b', prefetch: 5 });
    consumers.receive(queue, 'id1.b', message('m1'), false, 1);
    consumers.receive(queue, 'id1.b', message('m1'), false, 1);
    expect(delivered.map((e) => e.message.id)).toEqual(['m1']);
    // Being settled: a new leader handing it out again is not heard either.
    consumers.settle(consumer, delivered[0]!, 'ack');
    consumers.receive(queue, 'id1.b', message('m1'), false, 1);
    expect(delivered).toHaveLength(1);
    await turn();
    expect(proposed[1]).toMatchObject({ t: 'settle', consumer: 'id1.b', id: 'm1', outcome: 'ack', random: 0 });
    await commitAll();
    // A redelivery after the settle (a nack, say) is a new delivery.
    consumers.receive(queue, 'id1.b', message('m1'), true, 2);
    expect(delivered.map((e) => [e.message.id, e.redelivered, e.deliveryCount])).toEqual([
      ['m1', false, 1],
      ['m1', true, 2],
    ]);
  });

  it('an ack made in the turn a consumer is cancelled reaches the log before the cancel', async () => {
    const { consumers, consumer, proposed, delivered } = harness();
    consumers.subscribe(queue, consumer);
    consumers.receive(queue, 'id1.b', message('m1'), false, 1);
    consumers.receive(queue, 'id1.b', message('m2'), false, 1);
    consumers.settle(consumer, delivered[0]!, 'ack');
    consumers.cancel(consumer);
    expect(proposed.map((c) => c.t)).toEqual(['subscribe', 'settle', 'cancel']);
    expect(proposed[1]).toMatchObject({ id: 'm1', outcome: 'ack' });
  });

  it('the settles of one turn are one command, in order; the consumer holds them as settling until it is committed', async () => {
    const { consumers, consumer, proposed, delivered, commitAll, turn } = harness(10);
    consumers.subscribe(queue, consumer);
    for (let i = 1; i <= 4; i++) consumers.receive(queue, 'id1.b', message(`m${i}`), false, 1);
    consumers.settle(consumer, delivered[0]!, 'ack');
    consumers.settle(consumer, delivered[2]!, 'retry', 250);
    consumers.settle(consumer, delivered[1]!, 'drop');
    expect(proposed).toHaveLength(1);
    await turn();
    expect(proposed).toHaveLength(2);
    const command = proposed[1]!;
    if (command.t !== 'settles') throw new Error(`expected settles, got ${command.t}`);
    expect(command.settles.map((s) => [s.consumer, s.id, s.outcome, s.delay])).toEqual([
      ['id1.b', 'm1', 'ack', undefined],
      ['id1.b', 'm3', 'retry', 250],
      ['id1.b', 'm2', 'drop', undefined],
    ]);
    expect(command.settles[0]!.random).toBe(0);
    // Until committed, a new leader handing them out again is not heard.
    consumers.receive(queue, 'id1.b', message('m3'), false, 1);
    expect(delivered).toHaveLength(4);
    await commitAll();
    consumers.receive(queue, 'id1.b', message('m3'), true, 2);
    expect(delivered).toHaveLength(5);
    // The next turn's settle is a command of its own.
    consumers.settle(consumer, delivered[3]!, 'ack');
    await turn();
    expect(proposed[2]).toMatchObject({ t: 'settle', id: 'm4' });
  });

  it('a cancelled consumer stops receiving, and goes down once what it holds is settled', async () => {
    const { consumers, consumer, proposed, delivered, commitAll, turn } = harness();
    consumers.subscribe(queue, consumer);
    consumers.receive(queue, 'id1.b', message('m1'), false, 1);
    consumers.cancel(consumer);
    expect(proposed.at(-1)).toMatchObject({ t: 'cancel', consumer: 'id1.b' });
    // In flight when it cancelled: given back.
    consumers.receive(queue, 'id1.b', message('m2'), false, 1);
    consumers.settle(consumer, delivered[0]!, 'ack');
    await turn();
    expect(proposed.at(-1)).toMatchObject({ t: 'settles', settles: [expect.objectContaining({ id: 'm2', outcome: 'requeue' }), expect.objectContaining({ id: 'm1', outcome: 'ack' })] });
    expect(proposed.some((c) => c.t === 'down')).toBe(false);
    await commitAll();
    expect(proposed.at(-1)).toMatchObject({ t: 'down', consumer: 'id1.b' });
    expect(consumers.runs('id1.b')).toBe(false);
  });

  it("a closed connection's consumer goes down, giving back what it held", () => {
    const { consumers, consumer, proposed, delivered } = harness();
    consumers.subscribe(queue, consumer);
    consumers.receive(queue, 'id1.b', message('m1'), false, 1);
    consumers.cancel(consumer);
    consumers.connectionLost([{ entry: delivered[0]!, consumer }]);
    expect(proposed.at(-1)).toMatchObject({ t: 'down', consumer: 'id1.b' });
  });

  it('a delivery for a consumer this node does not run sends it down; a down applied tells a live one', () => {
    const { consumers, consumer, proposed, cancelled } = harness();
    consumers.receive(queue, 'gone.b', message('m1'), false, 1);
    expect(proposed).toEqual([expect.objectContaining({ t: 'down', consumer: 'gone.b' })]);
    consumers.subscribe(queue, consumer);
    consumers.downed('id1.b');
    expect(cancelled[0]).toMatch(/cut off/);
    expect(consumers.runs('id1.b')).toBe(false);
  });

  describe('credit beyond the prefetch', () => {
    const fill = (consumers: ReplicaConsumers, count: number) => {
      for (let i = 1; i <= count; i++) consumers.receive(queue, 'id1.b', message(`m${i}`), false, 1);
    };
    const ids = (entries: QueueEntry[]) => entries.map((e) => e.message.id);

    it('subscribes with more credit than the prefetch; the client gets its prefetch, the rest waits in order and goes out as acks free room, before they commit', () => {
      const { consumers, consumer, proposed, delivered } = harness(20);
      consumers.subscribe(queue, consumer);
      expect(proposed[0]).toMatchObject({ t: 'subscribe', prefetch: 160 });
      fill(consumers, 30);
      expect(ids(delivered)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
      // A held one handed out again (a new leader) is not given twice.
      consumers.receive(queue, 'id1.b', message('m25'), true, 2);
      consumers.settle(consumer, delivered[0]!, 'ack');
      consumers.settle(consumer, delivered[1]!, 'requeue');
      // Nothing committed yet, and the next two went out, in order.
      expect(ids(delivered).slice(20)).toEqual(['m21', 'm22']);
      expect(delivered[20]!.redelivered).toBe(false);
    });

    it('a connection that is full holds deliveries until it drains', () => {
      const { consumers, consumer, sink, delivered } = harness(20);
      consumers.subscribe(queue, consumer);
      sink.writable = false;
      fill(consumers, 3);
      expect(delivered).toEqual([]);
      sink.writable = true;
      consumers.resume(queue);
      expect(ids(delivered)).toEqual(['m1', 'm2', 'm3']);
    });

    it('a cancel gives back what waits here at once and goes down once the client holds nothing', async () => {
      const { consumers, consumer, proposed, delivered, commitAll, turn } = harness(10);
      consumers.subscribe(queue, consumer);
      fill(consumers, 12);
      consumers.cancel(consumer);
      await turn();
      expect(proposed.slice(1)).toEqual([
        expect.objectContaining({ t: 'cancel' }),
        expect.objectContaining({ t: 'settles', settles: ['m11', 'm12'].map((id) => ({ consumer: 'id1.b', id, outcome: 'requeue', random: 0 })) }),
      ]);
      for (const entry of delivered) consumers.settle(consumer, entry, 'ack');
      expect(delivered).toHaveLength(10);
      await turn();
      await commitAll();
      expect(proposed.at(-1)).toMatchObject({ t: 'down', consumer: 'id1.b' });
    });

    it("a closed connection's consumer goes down at once, with what waited here, in one command", async () => {
      const { consumers, consumer, proposed, delivered } = harness(10);
      consumers.subscribe(queue, consumer);
      fill(consumers, 15);
      consumers.cancel(consumer);
      consumers.connectionLost(delivered.map((entry) => ({ entry, consumer })));
      await Promise.resolve();
      expect(proposed.slice(1).map((c) => c.t)).toEqual(['cancel', 'down']);
    });

    it('a held delivery the queue takes back is forgotten; the client is not told of one it never saw', () => {
      const { consumers, consumer, delivered } = harness(10);
      const revoked: string[] = [];
      consumer.sink.revoked = (_c, entry) => void revoked.push(entry.message.id);
      consumers.subscribe(queue, consumer);
      fill(consumers, 11);
      consumers.revoke('id1.b', 'm11');
      consumers.revoke('id1.b', 'm1');
      expect(revoked).toEqual(['m1']);
      // The room m1 left goes to no one: m11 was taken back.
      expect(delivered).toHaveLength(10);
    });
  });
});
