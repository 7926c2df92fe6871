/**
 * Publish receipts (issue 10, part 5): `await client.publish(...)` resolves to
 * `{ seq, durable, replicas, duplicate }`. `durable` is true exactly when the message is on disk:
 * published persistent and held by a queue that survives restarts. The usual ack carries nothing
 * per message (docs/protocol.md, "Publish receipts").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { RawClient } from '../support/raw-client.js';

let broker: TestBroker;
let client: Client;
beforeAll(async () => {
  ({ broker, client } = await brokerWithClient());
  await client.declareQueue('pr.durable', { durable: true });
  await client.declareQueue('pr.transient', { durable: false });
  await client.declareExchange('pr.fan', 'fanout', { durable: true });
  await client.bind('pr.durable', 'pr.fan', '');
  await client.bind('pr.transient', 'pr.fan', '');
});
afterAll(() => stopBoth(client, broker));

describe('publish receipts', () => {
  it('resolves to { seq, durable, replicas, duplicate }; durable for a persistent message in a durable queue', async () => {
    const receipt = await client.publish('', 'pr.durable', 'on disk');
    expect(receipt).toEqual({ seq: receipt.seq, durable: true, replicas: 1, duplicate: false });
    expect((await client.publish('', 'pr.durable', 'next')).seq).toBe(receipt.seq + 1);
  });

  it('is not durable for a transient message, a non-durable or exclusive queue, or no queue at all', async () => {
    const { queue: exclusive } = await client.declareQueue('', { exclusive: true, durable: true });
    await client.declareExchange('pr.nowhere', 'direct');
    const receipts = await Promise.all([
      client.publish('', 'pr.durable', 'memory only', { persistent: false }),
      client.publish('', 'pr.transient', 'persistent, queue not durable'),
      client.publish('', exclusive, 'persistent, queue exclusive'),
      client.publish('pr.nowhere', 'none', 'unrouted'),
    ]);
    expect(receipts.map((r) => [r.durable, r.replicas, r.duplicate])).toEqual([
      [false, 1, false],
      [false, 1, false],
      [false, 1, false],
      [false, 1, false],
    ]);
  });

  it('is durable when one of the queues it reached survives restarts', async () => {
    expect((await client.publish('pr.fan', '', 'both')).durable).toBe(true);
  });

  it('is durable for a persistent delayed publish held by a durable exchange', async () => {
    expect((await client.publish('pr.fan', '', 'later', { delay: 60_000 })).durable).toBe(true);
    expect((await client.publish('pr.fan', '', 'later', { delay: 60_000, persistent: false })).durable).toBe(false);
  });

  it('gets every receipt of an interleaved stream right, however the acks group them', async () => {
    const targets = Array.from({ length: 300 }, (_, i) => (i % 7 < 3 ? 'pr.transient' : 'pr.durable'));
    const receipts = await Promise.all(targets.map((queue, i) => client.publish('', queue, `m${i}`)));
    expect(receipts.map((r) => r.durable)).toEqual(targets.map((queue) => queue === 'pr.durable'));
    const seqs = receipts.map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('adds nothing to the usual ack; marks acks of persistent messages on no disk as transient', async () => {
    const raw = await RawClient.open(broker.url);
    const body = new TextEncoder().encode('x');
    raw.send({ type: 'publish', seq: 1, exchange: '', routing_key: 'pr.durable', properties: { persistent: true } }, body);
    expect((await raw.next((f) => f.header.type === 'publish.ack')).header).toEqual({ type: 'publish.ack', seq: 1, multiple: true });
    raw.send({ type: 'publish', seq: 2, exchange: '', routing_key: 'pr.transient', properties: { persistent: true } }, body);
    expect((await raw.next((f) => f.header.type === 'publish.ack' && f.header.seq === 2)).header).toEqual({
      type: 'publish.ack',
      seq: 2,
      multiple: true,
      transient: true,
    });
    await raw.close();
  });
});
