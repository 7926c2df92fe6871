/**
 * Durable delivery counts (docs/dead-lettering.md, "Delivery counts survive restarts"): a
 * persistent message in a durable queue has its count on disk before each delivery goes out,
 * so kill -9 of the broker never resets it, and delivery-limit stops a message that takes the
 * broker (or its consumer's connection) down on every try.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { spawnBroker, tempDir, type BrokerProcess } from '../support/broker.js';
import { depth, take } from '../support/messages.js';

let running: BrokerProcess | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await running?.kill9();
  await dir?.remove();
  running = undefined;
  dir = undefined;
});

async function open(): Promise<Client> {
  const client = await connect(running!.url);
  client.onError = () => {};
  clients.push(client);
  return client;
}

async function restartHard(): Promise<Client> {
  await running!.kill9();
  clients.length = 0;
  running = await spawnBroker(dir!.path);
  return open();
}

/** Until the broker has taken the dropped consumer's delivery back (a depth reply also means its writes are applied). */
async function readyAgain(client: Client): Promise<void> {
  while ((await depth(client, 'poison')) === 0);
}

async function poisonQueue(client: Client, limit: number): Promise<void> {
  await client.declareQueue('poison-dead', { durable: true });
  await client.declareQueue('poison', {
    durable: true,
    arguments: { 'x-delivery-limit': limit, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'poison-dead' },
  });
  await client.publish('', 'poison', 'crashes everything', { persistent: true });
}

describe('delivery counts across kill -9', () => {
  it('delivers after a restart with deliveryCount N + 1, and dead-letters at delivery-limit though the broker dies every time', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    let client = await open();
    await poisonQueue(client, 3);
    const counts: number[] = [];
    for (let round = 0; round < 4; round++) {
      const [m] = await take(client, 'poison', 1);
      counts.push(m!.deliveryCount);
      expect(m!.redelivered).toBe(round > 0);
      client = await restartHard();
    }
    expect(counts).toEqual([1, 2, 3, 4]);
    // The next consumer is spared: the message goes to the dead-letter queue instead.
    const spared: unknown[] = [];
    await client.consume('poison', (m) => void spared.push(m));
    const [dead] = await take(client, 'poison-dead', 1);
    expect(spared).toEqual([]);
    expect(dead!.text()).toBe('crashes everything');
    expect((dead!.headers['x-death'] as { reason: string }[])[0]!.reason).toBe('delivery_limit');
    expect(dead!.attempts).toMatchObject([{ reason: 'delivery_limit', error: 'delivered 4 times, none settled' }]);
    expect(await depth(client, 'poison')).toBe(0);
  });

  it('counts deliveries whose consumer connection dropped, across restarts in between', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    let client = await open();
    await poisonQueue(client, 2);
    const counts: number[] = [];
    for (let round = 0; round < 2; round++) {
      const consumer = await open();
      const [m] = await take(consumer, 'poison', 1);
      counts.push(m!.deliveryCount);
      await consumer.close();
      await readyAgain(client);
      client = await restartHard();
    }
    const last = await open();
    const [m] = await take(last, 'poison', 1);
    counts.push(m!.deliveryCount);
    await last.close();
    expect(counts).toEqual([1, 2, 3]);
    const [dead] = await take(client, 'poison-dead', 1);
    expect(dead!.attempts.map((a) => a.reason)).toEqual(['connection_closed', 'connection_closed', 'connection_closed']);
    expect((dead!.headers['x-death'] as { reason: string }[])[0]!.reason).toBe('delivery_limit');
  });
});
