/** Publisher confirms through the client: acks, group commit, returns, and what is not confirmed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageReturnedError, type Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

interface StoreStats {
  batches: number;
  syncs: number;
  messages_written: number;
}

async function storeStats(): Promise<StoreStats> {
  return ((await (await fetch(`${broker.httpUrl}/api/overview`)).json()) as { store: StoreStats }).store;
}

describe('publisher confirms', () => {
  it('confirms every publish, and each confirmed message is in the queue', async () => {
    await client.declareQueue('confirmed', { durable: true });
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => client.publish('', 'confirmed', `c${i}`)));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await depth(client, 'confirmed')).toBe(500);
  });

  it('groups the syncs of concurrent persistent publishes (group commit)', async () => {
    await client.declareQueue('grouped', { durable: true });
    const before = await storeStats();
    await Promise.all(Array.from({ length: 5_000 }, (_, i) => client.publish('', 'grouped', `g${i}`, { persistent: true })));
    const after = await storeStats();
    const syncs = after.syncs - before.syncs;
    expect(after.messages_written - before.messages_written).toBe(5_000);
    expect(syncs).toBeGreaterThan(0);
    // One fsync per publish would be 5,000; group commit shares each among many.
    expect(syncs).toBeLessThan(500);
  });

  it('does not write transient messages that a queue keeps in RAM', async () => {
    await client.declareQueue('light', { durable: true });
    const before = await storeStats();
    await Promise.all(Array.from({ length: 100 }, () => client.publish('', 'light', 'x', { persistent: false })));
    expect((await storeStats()).messages_written).toBe(before.messages_written);
    expect(await depth(client, 'light')).toBe(100);
  });

  it('returns a mandatory message no queue takes, with its body; without mandatory it is dropped and confirmed', async () => {
    await client.declareExchange('nowhere', 'direct');
    const returned = client.publish('nowhere', 'nobody', 'lost?', { mandatory: true, headers: { h: 1 } });
    await expect(returned).rejects.toBeInstanceOf(MessageReturnedError);
    await expect(returned).rejects.toMatchObject({ code: 'unroutable', replyCode: 312, exchange: 'nowhere', routingKey: 'nobody' });
    await expect(client.publish('nowhere', 'nobody', 'dropped')).resolves.toMatchObject({ durable: false, duplicate: false });
  });

  it('routes a mandatory message that has a queue, and confirms it', async () => {
    const { queue } = await client.declareQueue('', { exclusive: true });
    await client.publish('', queue, 'found', { mandatory: true });
    expect(texts(await take(client, queue, 1))).toEqual(['found']);
  });

  it('nacks a publish to a missing exchange without hurting the next ones', async () => {
    const { queue } = await client.declareQueue('', { exclusive: true });
    const bad = client.publish('no-such-exchange', 'k', 'x');
    const good = client.publish('', queue, 'fine');
    await expect(bad).rejects.toMatchObject({ code: 'exchange_not_found' });
    await expect(good).resolves.toMatchObject({ durable: false, duplicate: false });
  });

  it('carries properties and headers to the consumer, and names every message', async () => {
    const { queue } = await client.declareQueue('', { exclusive: true });
    await client.publish('', queue, { order: 7 }, {
      headers: { tenant: 'acme', tries: 2 },
      correlationId: 'corr-1',
      replyTo: 'replies',
      type: 'order.created',
      appId: 'shop',
      timestamp: 1_700_000_000_000,
      priority: 3,
    });
    await client.publish('', queue, new Uint8Array([0, 1, 2, 255]), { messageId: 'mine' });
    const [json, bytes] = await take(client, queue, 2);
    expect(json!.json()).toEqual({ order: 7 });
    expect(json!.headers).toEqual({ tenant: 'acme', tries: 2 });
    expect(json!.properties).toMatchObject({
      contentType: 'application/json',
      correlationId: 'corr-1',
      replyTo: 'replies',
      type: 'order.created',
      appId: 'shop',
      timestamp: 1_700_000_000_000,
      priority: 3,
      persistent: true,
    });
    expect(json!.properties.messageId).toMatch(/^[\w-]{21}$/);
    expect([...bytes!.body]).toEqual([0, 1, 2, 255]);
    expect(bytes!.properties.messageId).toBe('mine');
  });
});
