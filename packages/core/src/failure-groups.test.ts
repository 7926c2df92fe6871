import { afterEach, describe, expect, it } from 'vitest';
import { deadLetterQueues, FailureScans, groupFailures } from './failure-groups.js';
import type { Message } from './message.js';
import type { Clock } from './ports.js';
import { FakeClock } from './testing/fake-clock.js';
import { declareDurable, TestBroker } from './testing/test-broker.js';

const t = new TestBroker(new FakeClock(), { maxRamMessages: 4, pageSize: 2 });
afterEach(() => t.stop());
// The scan yields between pages through the clock; this one lets it go on at once.
const yielding: Clock = { now: () => 0, setTimer: (_ms, fire) => (setTimeout(fire, 0), () => undefined) };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function dead(id: string, reason: string | undefined, from: string, error: string | undefined, time: number): Message {
  const headers: Record<string, unknown> = reason === undefined ? {} : { 'x-death': [{ count: 1, reason, queue: from, exchange: '', 'routing-keys': [from], time }] };
  if (error !== undefined) headers['x-warren-attempts'] = [{ attempt: 1, at: time * 1000, reason: 'rejected', error }];
  return { id, exchange: '', routingKey: 'dlq', properties: {}, headers, body: new TextEncoder().encode(id), persistent: true, publishedAt: 5_000 };
}

describe('groupFailures', () => {
  it('counts every message, paged-out ones too, by reason, source queue and last error, with when each group died; biggest, then most recent, first', async () => {
    const vhost = await t.start();
    declareDurable(vhost, 'dlq');
    const dlq = vhost.queue('dlq')!;
    for (let i = 0; i < 30; i++) dlq.enqueue(dead(`m${i}`, 'rejected', i % 2 === 0 ? 'orders' : 'mail', i % 3 === 0 ? 'timeout' : undefined, 100 + i));
    dlq.enqueue(dead('forged', 'made up', 'orders', undefined, 1));
    dlq.enqueue(dead('plain', undefined, '', undefined, 0));
    await settle();
    const summary = await groupFailures([dlq], 100, yielding);
    expect(summary).toMatchObject({ scanned: 32, ungrouped: 0 });
    expect(summary.groups.map((g) => [g.reason, g.sourceQueue, g.lastError, g.count, g.oldest, g.newest])).toEqual([
      ['rejected', 'mail', null, 10, 101_000, 129_000],
      ['rejected', 'orders', null, 10, 102_000, 128_000],
      ['rejected', 'mail', 'timeout', 5, 103_000, 127_000],
      ['rejected', 'orders', 'timeout', 5, 100_000, 124_000],
      [null, null, null, 1, 5_000, 5_000],
      ['made up', 'orders', null, 1, 1_000, 1_000],
    ]);
    expect(summary.groups[3]!.filter).toEqual({ reason: 'rejected', source_queue: 'orders', last_error: 'timeout' });
    // No filter selects messages without x-death, nor a reason the broker never gives.
    expect(summary.groups.slice(4).map((g) => g.filter)).toEqual([null, null]);
  });

  it('keeps at most maxGroups groups and counts the rest', async () => {
    const vhost = await t.start();
    declareDurable(vhost, 'dlq');
    for (let i = 0; i < 10; i++) vhost.queue('dlq')!.enqueue(dead(`m${i}`, 'rejected', 'orders', `error ${i % 5}`, 1));
    await settle();
    const summary = await groupFailures([vhost.queue('dlq')!], 2, yielding);
    expect(summary.groups.map((g) => [g.lastError, g.count])).toEqual([['error 0', 2], ['error 1', 2]]);
    expect(summary).toMatchObject({ scanned: 10, ungrouped: 6 });
  });
});

describe('FailureScans', () => {
  it('reads a queue again only once its ready messages changed, paging aside', async () => {
    const vhost = await t.start();
    declareDurable(vhost, 'dlq');
    const dlq = vhost.queue('dlq')!;
    for (let i = 0; i < 10; i++) dlq.enqueue(dead(`m${i}`, 'rejected', 'orders', 'timeout', 1));
    await settle();
    const scans = new FailureScans();
    const first = scans.scan(dlq, 100, yielding);
    expect(scans.scan(dlq, 100, yielding)).toBe(first);
    expect((await first).scanned).toBe(10);
    await dlq.readyAfter(0, 100);
    expect(scans.scan(dlq, 100, yielding)).toBe(first);
    expect(scans.scan(dlq, 5, yielding)).not.toBe(first);

    dlq.enqueue(dead('m10', 'rejected', 'mail', undefined, 2));
    await settle();
    const grown = await scans.scan(dlq, 100, yielding);
    expect(grown.groups.map((g) => [g.sourceQueue, g.count])).toEqual([['orders', 10], ['mail', 1]]);
    dlq.shiftReady();
    await settle();
    expect((await scans.scan(dlq, 100, yielding)).scanned).toBe(10);
  });
});

describe('deadLetterQueues', () => {
  it('finds the queues bound to a dead-letter exchange and those named by a default-exchange key', async () => {
    const vhost = await t.start();
    vhost.declareExchange({ name: 'dlx', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: {} }, false);
    for (const name of ['orders.dlq', 'mail.dlq', 'plain']) declareDurable(vhost, name);
    declareDurable(vhost, 'orders', { 'x-dead-letter-exchange': 'dlx' });
    declareDurable(vhost, 'mail', { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'mail.dlq' });
    vhost.bindQueue('orders.dlq', 'dlx', '', {}, 'conn-1');
    expect(deadLetterQueues(vhost).map((q) => q.name)).toEqual(['mail.dlq', 'orders.dlq']);
  });
});
