/**
 * kill -9 of a real broker process: after restart a durable queue holds exactly its persistent
 * messages that were confirmed and not acked, in order; transient messages and queues are gone.
 * And a graceful stop, which must not shuffle deliveries between the connections it closes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { spawnBroker, startBroker, tempDir, type BrokerProcess } from '../support/broker.js';
import { depth, take, texts } from '../support/messages.js';

const range = (from: number, to: number, prefix: string) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

let running: BrokerProcess | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await running?.kill9();
  await dir?.remove();
  running = undefined;
  dir = undefined;
});

describe('kill -9 and restart', () => {
  it('keeps exactly the confirmed, unacked persistent messages of durable queues', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const client = await connect(running.url);
    await client.declareExchange('events', 'topic', { durable: true });
    await client.declareExchange('scratch', 'fanout', { durable: false });
    await client.declareQueue('orders', { durable: true });
    await client.declareQueue('temp', { durable: false });
    await client.bind('orders', 'events', 'order.#');

    await Promise.all(range(0, 200, 'p').map((b) => client.publish('events', 'order.created', b, { persistent: true })));
    await Promise.all(range(0, 50, 't').map((b) => client.publish('events', 'order.created', b, { persistent: false })));
    await Promise.all(range(0, 20, 'x').map((b) => client.publish('', 'temp', b, { persistent: true })));

    const held = await take(client, 'orders', 30, { prefetch: 30 });
    expect(texts(held)).toEqual(range(0, 30, 'p'));
    held[19]!.ack({ multiple: true }); // p0..p19 acked; p20..p29 stay unacked
    expect(await depth(client, 'orders')).toBe(200 + 50 - 30); // the reply also means the acks are applied

    await running.kill9();
    running = await spawnBroker(dir.path);
    const after = await connect(running.url);
    expect(await depth(after, 'orders')).toBe(180);
    const survivors = await take(after, 'orders', 180);
    expect(texts(survivors)).toEqual(range(20, 200, 'p'));
    await expect(after.declareQueue('temp', { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
    await after.declareExchange('events', 'topic', { passive: true });
    await expect(after.declareExchange('scratch', 'fanout', { passive: true })).rejects.toMatchObject({ code: 'exchange_not_found' });

    // The binding survived too: new messages still route.
    await after.publish('events', 'order.paid', 'after-restart');
    expect(await depth(after, 'orders')).toBe(1);
    survivors.at(-1)!.ack({ multiple: true });
    await after.close();
  });

  it('does not resurrect deleted or purged queues and their messages', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const client = await connect(running.url);
    await client.declareQueue('gone', { durable: true });
    await client.declareQueue('emptied', { durable: true });
    for (const q of ['gone', 'emptied']) await Promise.all(range(0, 10, q).map((b) => client.publish('', q, b)));
    await client.deleteQueue('gone');
    await client.purgeQueue('emptied');
    await client.declareQueue('gone', { durable: true });
    await client.publish('', 'gone', 'new-life');

    await running.kill9();
    running = await spawnBroker(dir.path);
    const after = await connect(running.url);
    expect(await depth(after, 'emptied')).toBe(0);
    expect(texts(await take(after, 'gone', 1))).toEqual(['new-life']);
    expect(await depth(after, 'gone')).toBe(0);
    await after.close();
  });

  it('stops gracefully on SIGTERM: clients are told, writes finish, the data survives', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const client = await connect(running.url);
    await client.declareQueue('kept', { durable: true });
    await Promise.all(range(0, 100, 'k').map((b) => client.publish('', 'kept', b)));
    const stopped = running.stop();
    const why = await client.closed;
    expect(why).toMatchObject({ code: 'shutting_down' });
    expect(await stopped).toBe(0);
    running = await spawnBroker(dir.path);
    const after = await connect(running.url);
    expect(texts(await take(after, 'kept', 100))).toEqual(range(0, 100, 'k'));
    await after.close();
  });
});

describe('graceful stop', () => {
  it('hands no connection the deliveries another closing connection gives back', async () => {
    const broker = await startBroker();
    const a = await connect(broker.url);
    const b = await connect(broker.url);
    await a.declareQueue('handed', { durable: false });
    await Promise.all(['m0', 'm1'].map((body) => a.publish('', 'handed', body)));
    const seen: Record<string, string[]> = { a: [], b: [] };
    let held!: () => void;
    const both = new Promise<void>((resolve) => (held = resolve));
    const hold = (name: 'a' | 'b') => (m: { text(): string }) => {
      seen[name]!.push(m.text());
      if (seen.a!.length + seen.b!.length === 2) held();
    };
    await a.consume('handed', hold('a'), { prefetch: 1 });
    await b.consume('handed', hold('b'), { prefetch: 2 });
    await both;
    await Promise.all([a.closed, b.closed, broker.dispose()]);
    expect(seen).toEqual({ a: ['m0'], b: ['m1'] });
  });
});
