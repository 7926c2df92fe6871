/** Dead-lettering through the client, as RabbitMQ does it: reasons, x-death, overflow, cycles. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Message } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';

let broker: TestBroker;
let client: Client;
let n = 0;

beforeAll(async () => {
  ({ broker, client } = await brokerWithClient());
  await client.declareExchange('dlx', 'direct');
});
afterAll(() => stopBoth(client, broker));

/** A work queue dead-lettering into its own fresh dead-letter queue. */
async function withDeadLetterQueue(args: Record<string, unknown> = {}): Promise<{ work: string; dead: string }> {
  const work = `work-${++n}`;
  const dead = `dead-${n}`;
  await client.declareQueue(dead);
  await client.bind(dead, 'dlx', work);
  await client.declareQueue(work, { arguments: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': work, ...args } });
  return { work, dead };
}

interface Death {
  count: number;
  reason: string;
  queue: string;
  exchange: string;
  'routing-keys': string[];
  time: number;
}

const deaths = (m: Message) => m.headers['x-death'] as Death[];

describe('reasons', () => {
  it('rejected: nack or reject without requeue, with the x-death history of RabbitMQ', async () => {
    const { work, dead } = await withDeadLetterQueue();
    await client.publish('', work, 'nacked');
    await client.publish('', work, 'rejected');
    const [a, b] = await take(client, work, 2);
    a!.nack({ requeue: false });
    b!.reject({ requeue: false });
    const got = await take(client, dead, 2);
    expect(texts(got)).toEqual(['nacked', 'rejected']);
    const [death] = deaths(got[0]!);
    expect(deaths(got[0]!)).toHaveLength(1);
    expect(death).toMatchObject({ count: 1, reason: 'rejected', queue: work, exchange: '', 'routing-keys': [work] });
    expect(Math.abs(death!.time - Date.now() / 1000)).toBeLessThan(5);
    expect(got[0]!.headers).toMatchObject({ 'x-first-death-reason': 'rejected', 'x-first-death-queue': work, 'x-first-death-exchange': '' });
    expect(got[0]!.routingKey).toBe(work);
    expect(got[0]!.exchange).toBe('dlx');
    for (const m of got) m.ack();
  });

  it('expired: queue TTL and per-message expiration, which is dropped from the dead letter', async () => {
    const { work, dead } = await withDeadLetterQueue({ 'x-message-ttl': 60 });
    await client.publish('', work, 'by queue ttl');
    const [byQueue] = await take(client, dead, 1);
    expect(deaths(byQueue!)[0]).toMatchObject({ reason: 'expired', queue: work });

    const second = await withDeadLetterQueue();
    await client.publish('', second.work, 'by expiration', { expiration: 30 });
    const [byMessage] = await take(client, second.dead, 1);
    expect(deaths(byMessage!)[0]).toMatchObject({ reason: 'expired', 'original-expiration': '30' });
    expect(byMessage!.properties.expiration).toBeUndefined();
    byQueue!.ack();
    byMessage!.ack();
  });

  it('maxlen: drop-head dead-letters the oldest beyond x-max-length and x-max-length-bytes', async () => {
    const { work, dead } = await withDeadLetterQueue({ 'x-max-length': 2 });
    for (const body of ['m1', 'm2', 'm3', 'm4']) await client.publish('', work, body);
    expect(texts(await take(client, dead, 2))).toEqual(['m1', 'm2']);
    expect(texts(await take(client, work, 2))).toEqual(['m3', 'm4']);

    const bytes = await withDeadLetterQueue({ 'x-max-length-bytes': 10 });
    for (const body of ['aaaa', 'bbbb', 'cccc']) await client.publish('', bytes.work, body);
    const [oldest] = await take(client, bytes.dead, 1);
    expect(oldest!.text()).toBe('aaaa');
    expect(deaths(oldest!)[0]!.reason).toBe('maxlen');
    expect(await depth(client, bytes.work)).toBe(2);
  });

  it('maxlen: reject-publish nacks the publisher, reject-publish-dlx also dead-letters the refused message', async () => {
    const plain = await withDeadLetterQueue({ 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    await client.publish('', plain.work, 'fits');
    await expect(client.publish('', plain.work, 'refused')).rejects.toMatchObject({ code: 'queue_full' });
    expect(await depth(client, plain.dead)).toBe(0);

    const dlx = await withDeadLetterQueue({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    await client.publish('', dlx.work, 'fits');
    await expect(client.publish('', dlx.work, 'refused')).rejects.toMatchObject({ code: 'queue_full' });
    const [refused] = await take(client, dlx.dead, 1);
    expect(refused!.text()).toBe('refused');
    expect(deaths(refused!)[0]!.reason).toBe('maxlen');
    expect(texts(await take(client, dlx.work, 1))).toEqual(['fits']);
  });

  it('delivery_limit: a message requeued past x-delivery-limit is dead-lettered', async () => {
    const { work, dead } = await withDeadLetterQueue({ 'x-delivery-limit': 2 });
    await client.publish('', work, 'poison');
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [m] = await take(client, work, 1);
      counts.push(m!.deliveryCount);
      m!.nack({ requeue: true });
    }
    const [poison] = await take(client, dead, 1);
    expect(counts).toEqual([1, 2, 3]);
    expect(deaths(poison!)[0]).toMatchObject({ reason: 'delivery_limit', queue: work });
    expect(await depth(client, work)).toBe(0);
  });
});

describe('history and cycles', () => {
  it('counts repeated deaths in the same queue for the same reason in one entry, most recent first', async () => {
    // work → (rejected) → retry queue with TTL → (expired) → back to work, twice.
    const work = `loop-work-${++n}`;
    const wait = `loop-wait-${n}`;
    await client.declareExchange(`to-wait-${n}`, 'fanout');
    await client.declareExchange(`to-work-${n}`, 'fanout');
    await client.declareQueue(work, { arguments: { 'x-dead-letter-exchange': `to-wait-${n}` } });
    await client.declareQueue(wait, { arguments: { 'x-dead-letter-exchange': `to-work-${n}`, 'x-message-ttl': 20 } });
    await client.bind(wait, `to-wait-${n}`);
    await client.bind(work, `to-work-${n}`);
    await client.publish('', work, 'bounce');
    for (let i = 0; i < 2; i++) {
      const [m] = await take(client, work, 1);
      m!.reject({ requeue: false });
    }
    const [back] = await take(client, work, 1);
    const history = deaths(back!);
    expect(history.map((d) => [d.queue, d.reason, d.count])).toEqual([
      [wait, 'expired', 2],
      [work, 'rejected', 2],
    ]);
    expect(back!.headers['x-first-death-reason']).toBe('rejected');
    expect(back!.headers['x-last-death-reason']).toBe('expired');
    back!.ack();
  });

  it('drops a message that would cycle without a rejection (TTL queue dead-lettering to itself)', async () => {
    const name = `self-${++n}`;
    await client.declareExchange(`self-x-${n}`, 'fanout');
    await client.declareQueue(name, { arguments: { 'x-dead-letter-exchange': `self-x-${n}`, 'x-message-ttl': 10 } });
    await client.bind(name, `self-x-${n}`);
    const watch = `watch-${n}`;
    await client.declareQueue(watch);
    await client.bind(watch, `self-x-${n}`);
    await client.publish('', name, 'cycle');
    // The watcher sees the one dead-lettering; the queue itself does not get the message back.
    const [seen] = await take(client, watch, 1);
    expect(deaths(seen!)[0]).toMatchObject({ queue: name, reason: 'expired' });
    expect(await depth(client, name)).toBe(0);
  });

  it('drops messages when the dead-letter exchange does not exist, without harm', async () => {
    const name = `no-dlx-${++n}`;
    await client.declareQueue(name, { arguments: { 'x-dead-letter-exchange': 'missing' } });
    await client.publish('', name, 'x');
    const [m] = await take(client, name, 1);
    m!.nack({ requeue: false });
    expect(await depth(client, name)).toBe(0);
  });
});
