/**
 * Backlogs larger than RAM: a queue keeps a bounded head in memory and pages the rest in from
 * the store as consumers drain it, in exact order, across a restart too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';

const RAM_LIMIT = 500;
const TOTAL = 10_000;

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient({ queueRamMessages: RAM_LIMIT })));
afterAll(() => stopBoth(client, broker));

async function queueView(name: string): Promise<Record<string, number>> {
  const response = await fetch(`${broker.httpUrl}/api/queues/%2F/${name}`);
  return (await response.json()) as Record<string, number>;
}

function body(i: number): Uint8Array {
  const bytes = new Uint8Array(1024);
  new DataView(bytes.buffer).setUint32(0, i);
  return bytes;
}

async function fill(queue: string, persistent: boolean): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < TOTAL; i++) pending.push(client.publish('', queue, body(i), { persistent }));
  await Promise.all(pending);
}

async function drainInOrder(c: Client, queue: string): Promise<number[]> {
  const seen: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const consumer = await c.consume(queue, (m) => {
    seen.push(new DataView(m.body.buffer, m.body.byteOffset).getUint32(0));
    m.ack();
    if (seen.length === TOTAL) done();
  }, { prefetch: 200 });
  await finished;
  await consumer.cancel();
  return seen;
}

const ascending = Array.from({ length: TOTAL }, (_, i) => i);

describe('paging', () => {
  it('keeps at most the RAM limit of a durable backlog in memory and delivers all of it in order', async () => {
    await client.declareQueue('deep', { durable: true });
    await fill('deep', true);
    const view = await queueView('deep');
    expect(view.messages_ready).toBe(TOTAL);
    expect(view.messages_ram).toBeLessThanOrEqual(RAM_LIMIT);
    expect(view.messages_paged_out).toBe(TOTAL - view.messages_ram!);
    expect(await drainInOrder(client, 'deep')).toEqual(ascending);
    expect((await queueView('deep')).messages).toBe(0);
  });

  it('pages transient messages of a transient queue too, so RAM stays bounded', async () => {
    await client.declareQueue('deep-transient', { durable: false });
    await fill('deep-transient', false);
    const view = await queueView('deep-transient');
    expect(view.messages_ram).toBeLessThanOrEqual(RAM_LIMIT);
    expect(await drainInOrder(client, 'deep-transient')).toEqual(ascending);
  });

  it('recovers a paged backlog after a restart, in order', async () => {
    await client.declareQueue('deep-restart', { durable: true });
    await fill('deep-restart', true);
    await client.close();
    const before = broker;
    await before.close();
    const after = await startBroker({ queueRamMessages: RAM_LIMIT }, before.dataDir);
    broker = { ...after, dispose: async () => (await after.close(), await before.dispose()) };
    client = await connect(broker.url);
    const view = await queueView('deep-restart');
    expect(view.messages_ready).toBe(TOTAL);
    expect(view.messages_ram).toBeLessThanOrEqual(RAM_LIMIT);
    expect(await drainInOrder(client, 'deep-restart')).toEqual(ascending);
  });
});
