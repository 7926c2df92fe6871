/** Queues through the client: naming, exclusivity, auto-delete, purge, delete, declare rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

describe('declare', () => {
  it('names a queue when asked, and reports counts', async () => {
    const declared = await client.declareQueue('', { exclusive: true });
    expect(declared.queue).toMatch(/^amq\.gen-/);
    expect(declared).toMatchObject({ messageCount: 0, consumerCount: 0 });
    await client.publish('', declared.queue, 'one');
    const consumer = await client.consume(declared.queue, () => {}, { prefetch: 1 });
    await client.publish('', declared.queue, 'two');
    expect(await client.declareQueue(declared.queue, { exclusive: true })).toMatchObject({ messageCount: 1, consumerCount: 1 });
    await consumer.cancel();
  });

  it('is idempotent, and a conflicting re-declare is queue_conflict', async () => {
    await client.declareQueue('same', { durable: true, arguments: { 'x-max-length': 10 } });
    await client.declareQueue('same', { durable: true, arguments: { 'x-max-length': 10 } });
    await expect(client.declareQueue('same', { durable: false })).rejects.toMatchObject({ code: 'queue_conflict', replyCode: 406 });
    await expect(client.declareQueue('same', { durable: true, arguments: { 'x-max-length': 11 } })).rejects.toMatchObject({
      code: 'queue_conflict',
    });
    await expect(client.declareQueue('nope', { passive: true })).rejects.toMatchObject({ code: 'queue_not_found', replyCode: 404 });
  });

  it('refuses amq.* names', async () => {
    await expect(client.declareQueue('amq.mine')).rejects.toMatchObject({ code: 'reserved_name' });
  });
});

describe('exclusive queues', () => {
  it('belong to one connection and die with it', async () => {
    const owner = await connect(broker.url);
    const { queue } = await owner.declareQueue('mine-alone', { exclusive: true });
    await owner.publish('', queue, 'private');
    await expect(client.declareQueue(queue, { passive: true })).rejects.toMatchObject({ code: 'resource_locked', replyCode: 405 });
    await expect(client.consume(queue, () => {})).rejects.toMatchObject({ code: 'resource_locked' });
    await expect(client.purgeQueue(queue)).rejects.toMatchObject({ code: 'resource_locked' });
    await owner.close();
    await expect(client.declareQueue(queue, { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
  });
});

describe('auto-delete queues', () => {
  it('go when their last consumer is cancelled, not before they had one', async () => {
    const { queue } = await client.declareQueue('auto-q', { autoDelete: true, durable: false });
    await client.publish('', queue, 'kept until a consumer came');
    expect(await depth(client, queue)).toBe(1);
    const a = await client.consume(queue, (m) => m.ack());
    const b = await client.consume(queue, (m) => m.ack());
    await a.cancel();
    expect(await depth(client, queue)).toBe(0);
    await b.cancel();
    await expect(client.declareQueue(queue, { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
  });

  it('go when the connection of their last consumer closes', async () => {
    const other = await connect(broker.url);
    const { queue } = await client.declareQueue('auto-conn', { autoDelete: true, durable: false });
    await other.consume(queue, () => {});
    await other.close();
    await expect(client.declareQueue(queue, { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
  });
});

describe('purge and delete', () => {
  it('purge removes ready messages and keeps unacked ones', async () => {
    const { queue } = await client.declareQueue('purge-me');
    for (const b of ['a', 'b', 'c', 'd']) await client.publish('', queue, b);
    const [held] = await take(client, queue, 1, { prefetch: 1 });
    expect(await client.purgeQueue(queue)).toEqual({ messageCount: 3 });
    expect(await depth(client, queue)).toBe(0);
    held!.nack({ requeue: true });
    expect(texts(await take(client, queue, 1))).toEqual(['a']);
  });

  it('delete if_empty and if_unused refuse, plain delete reports the count and cancels consumers', async () => {
    const { queue } = await client.declareQueue('delete-me');
    await client.publish('', queue, 'x');
    await expect(client.deleteQueue(queue, { ifEmpty: true })).rejects.toMatchObject({ code: 'not_empty' });
    const cancelled = new Promise((resolve) => (client.onError = resolve));
    const consumer = await client.consume(queue, () => {}, { prefetch: 1 });
    await expect(client.deleteQueue(queue, { ifUnused: true })).rejects.toMatchObject({ code: 'in_use' });
    await client.publish('', queue, 'y');
    expect(await client.deleteQueue(queue)).toEqual({ messageCount: 1 });
    expect(await cancelled).toMatchObject({ code: 'queue_deleted' });
    client.onError = undefined;
    expect(consumer.tag).toBeTruthy();
    await expect(client.declareQueue(queue, { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
  });

  it('a re-declared queue does not see the messages of its deleted namesake', async () => {
    await client.declareQueue('reborn');
    await client.publish('', 'reborn', 'old');
    await client.deleteQueue('reborn');
    await client.declareQueue('reborn');
    expect(await depth(client, 'reborn')).toBe(0);
  });
});
