import { afterEach, describe, expect, it } from 'vitest';
import type { Message, Table } from '../message.js';
import { declareDurable, RecordingSink, TestBroker } from '../testing/test-broker.js';
import type { VHost } from '../vhost.js';
import { attemptsOf } from './attempt-log.js';
import type { Consumer } from './consumer.js';

const t = new TestBroker();
afterEach(() => t.stop());

function message(body: string, headers?: Table): Message {
  return { id: body, exchange: '', routingKey: 'work', properties: {}, headers, body: new TextEncoder().encode(body), persistent: true, publishedAt: t.clock.now() };
}

function consume(vhost: VHost, sink: RecordingSink, options: { ackTimeout?: number; tag?: string } = {}): Consumer {
  const { tag = 'c1', ...rest } = options;
  return vhost.consume('work', { tag, prefetch: 1, noAck: false, exclusive: false, arguments: {}, owner: 'conn-1', ...rest }, sink);
}

function declare(vhost: VHost, args: Table = {}): void {
  declareDurable(vhost, 'work', args);
}

describe('attempt log', () => {
  it('logs a nack with its error in the requeued message, and rewrites the stored copy', async () => {
    const vhost = await t.start();
    declare(vhost);
    vhost.publish('', message('a'));
    const sink = new RecordingSink();
    const consumer = consume(vhost, sink);
    await t.written();
    const first = sink.last;
    first.consumer.queue.settle(first.entry, consumer, 'requeue', { reason: 'nack', error: 'boom' });
    await t.written();
    expect(attemptsOf(sink.last.entry.message)).toEqual([
      { attempt: 1, time: t.clock.now(), queue: 'work', consumer_tag: 'c1', connection: 'conn-1', reason: 'nack', error: 'boom' },
    ]);
    expect(attemptsOf(first.entry.message)).toEqual([]);

    const after = await t.crash();
    const again = new RecordingSink();
    consume(after, again);
    await t.written();
    expect(attemptsOf(again.last.entry.message).map((e) => e.error)).toEqual(['boom']);
  });

  it('takes the log along to the dead-letter queue', async () => {
    const vhost = await t.start();
    declareDurable(vhost, 'dlq');
    declare(vhost, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' });
    vhost.publish('', message('a'));
    const sink = new RecordingSink();
    const consumer = consume(vhost, sink);
    await t.written();
    consumer.queue.settle(sink.last.entry, consumer, 'drop', { reason: 'reject', error: 'bad' });
    const [dead] = await vhost.queue('dlq')!.peek(0, 1);
    expect(attemptsOf(dead!.message).map((e) => [e.reason, e.error])).toEqual([['reject', 'bad']]);
  });
});

describe('durable delivery counts', () => {
  it('holds a delivery until its count is written, and a restart delivers it with count N + 1', async () => {
    const vhost = await t.start();
    declare(vhost);
    vhost.publish('', message('a'));
    await t.written();
    const sink = new RecordingSink();
    consume(vhost, sink);
    expect(sink.delivered).toHaveLength(0);
    await t.written();
    expect(sink.delivered.map((d) => d.count)).toEqual([1]);

    let after = await t.crash();
    let again = new RecordingSink();
    consume(after, again);
    await t.written();
    expect(again.last.count).toBe(2);
    expect(again.last.entry.redelivered).toBe(true);

    after = await t.crash();
    again = new RecordingSink();
    consume(after, again);
    await t.written();
    expect(again.last.count).toBe(3);
  });

  it('dead-letters a message that used up its delivery-limit in deliveries that crashed the broker', async () => {
    const vhost = await t.start();
    declareDurable(vhost, 'dlq');
    declare(vhost, { 'x-delivery-limit': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' });
    vhost.publish('', message('poison'));
    let current = vhost;
    for (let delivery = 1; delivery <= 2; delivery++) {
      const sink = new RecordingSink();
      consume(current, sink);
      await t.written();
      expect(sink.last.count).toBe(delivery);
      current = await t.crash();
    }
    const sink = new RecordingSink();
    consume(current, sink);
    await t.written();
    expect(sink.delivered).toHaveLength(0);
    const [dead] = await current.queue('dlq')!.peek(0, 1);
    expect(dead?.message.headers?.['x-first-death-reason']).toBe('delivery_limit');
    expect(attemptsOf(dead!.message)).toMatchObject([{ reason: 'delivery_limit', consumer_tag: null, error: 'delivered 2 times, none settled' }]);
  });

  it('passes first deliveries at once while the delivery mark is ahead of them', async () => {
    const vhost = await t.start();
    declare(vhost);
    const sink = new RecordingSink();
    vhost.consume('work', { tag: 'c1', prefetch: 0, noAck: false, exclusive: false, arguments: {}, owner: 'conn-1' }, sink);
    vhost.publish('', message('first'));
    expect(sink.delivered).toHaveLength(0);
    await t.written();
    expect(sink.delivered).toHaveLength(1);
    for (let i = 0; i < 100; i++) vhost.publish('', message(`m${i}`));
    expect(sink.delivered).toHaveLength(101);
  });

  it('counts the messages next in line as delivered once after a crash (at least N + 1, never less)', async () => {
    const vhost = await t.start();
    declare(vhost);
    for (const body of ['a', 'b', 'c']) vhost.publish('', message(body));
    await t.written();
    const sink = new RecordingSink();
    consume(vhost, sink);
    await t.written();
    expect(sink.delivered.map((d) => [d.entry.message.id, d.count])).toEqual([['a', 1]]);
    const after = await t.crash();
    const again = new RecordingSink();
    after.consume('work', { tag: 'c2', prefetch: 0, noAck: false, exclusive: false, arguments: {}, owner: 'conn-2' }, again);
    await t.written();
    expect(again.delivered.map((d) => [d.entry.message.id, d.count, d.entry.redelivered])).toEqual([
      ['a', 2, true],
      ['b', 2, true],
      ['c', 2, true],
    ]);
  });

  it('leaves exact counts after a graceful stop: only what was delivered comes back redelivered', async () => {
    const vhost = await t.start();
    declare(vhost);
    for (const body of ['a', 'b', 'c']) vhost.publish('', message(body));
    await t.written();
    const sink = new RecordingSink();
    consume(vhost, sink);
    await t.written();
    const after = await t.restart();
    const again = new RecordingSink();
    after.consume('work', { tag: 'c2', prefetch: 0, noAck: false, exclusive: false, arguments: {}, owner: 'conn-2' }, again);
    await t.written();
    expect(again.delivered.map((d) => [d.entry.message.id, d.count, d.entry.redelivered])).toEqual([
      ['a', 2, true],
      ['b', 1, false],
      ['c', 1, false],
    ]);
  });

  it('puts back a held delivery whose consumer left before it went out', async () => {
    const vhost = await t.start();
    declare(vhost);
    vhost.publish('', message('a'));
    await t.written();
    const sink = new RecordingSink();
    const consumer = consume(vhost, sink);
    vhost.cancel(consumer);
    await t.written();
    expect(sink.delivered).toHaveLength(0);
    expect(vhost.queue('work')!.stats()).toMatchObject({ ready: 1, unacked: 0 });
  });
});

describe('ack leases', () => {
  it('takes back an expired delivery, logs ack_timeout, and keeps the consumer receiving', async () => {
    const vhost = await t.start();
    declare(vhost, { 'x-ack-timeout': 1_000 });
    vhost.publish('', message('a'));
    vhost.publish('', message('b'));
    const sink = new RecordingSink();
    const consumer = consume(vhost, sink);
    await t.written();
    expect(sink.delivered.map((d) => d.entry.message.id)).toEqual(['a']);
    t.clock.advance(1_000);
    await t.written();
    expect(sink.revokedEntries.map((e) => e.message.id)).toEqual(['a']);
    expect(consumer.unacked).toBe(1);
    expect(sink.last.entry.message.id).toBe('a');
    expect(sink.last.count).toBe(2);
    expect(attemptsOf(sink.last.entry.message)).toMatchObject([{ reason: 'ack_timeout', consumer_tag: 'c1', error: 'not settled within its 1000 ms ack lease' }]);
  });

  it('lets the consumer option override the queue, and extend renew the lease', async () => {
    const vhost = await t.start();
    declare(vhost, { 'x-ack-timeout': 100 });
    vhost.publish('', message('a'));
    const sink = new RecordingSink();
    const consumer = consume(vhost, sink, { ackTimeout: 5_000 });
    await t.written();
    t.clock.advance(4_000);
    expect(consumer.queue.extendLease(sink.last.entry, 5_000)).toBe(true);
    t.clock.advance(4_000);
    expect(sink.revokedEntries).toHaveLength(0);
    consumer.queue.settle(sink.last.entry, consumer, 'ack');
    expect(consumer.queue.extendLease(sink.last.entry, 5_000)).toBe(false);
    t.clock.advance(10_000);
    expect(sink.revokedEntries).toHaveLength(0);
  });

  it('hands an expired delivery to the retry policy when the queue has one', async () => {
    const vhost = await t.start();
    declare(vhost, { 'x-ack-timeout': 100, 'x-retry-delays': [500] });
    vhost.publish('', message('a'));
    const sink = new RecordingSink();
    consume(vhost, sink);
    await t.written();
    t.clock.advance(100);
    expect(t.broker!.scheduler.size).toBe(1);
    t.clock.advance(500);
    await t.written();
    expect(sink.last.entry.message.headers).toMatchObject({ 'x-warren-attempt': 2 });
    expect(attemptsOf(sink.last.entry.message).map((e) => e.reason)).toEqual(['ack_timeout']);
  });
});
