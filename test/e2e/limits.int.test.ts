/** Each configurable limit, exceeded by one unit: a clear error or close code, and nothing else hurt. */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';
import { take, texts } from '../support/messages.js';

let broker: TestBroker | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await broker?.dispose();
  broker = undefined;
});

async function client(): Promise<Client> {
  const c = await connect(broker!.url);
  clients.push(c);
  return c;
}

describe('limits', () => {
  it('maxConnections: the one connection too many is refused with connection_limit / 4006', async () => {
    broker = await startBroker({ maxConnections: 2 });
    const first = await client();
    await client();
    const extra = await RawClient.open(broker.url, { hello: false });
    const refused = await extra.next((f) => f.header.type === 'error');
    expect(refused.header).toMatchObject({ code: 'connection_limit' });
    expect((await extra.closed).code).toBe(4006);
    await first.declareQueue('still-fine', { durable: false });
    await first.publish('', 'still-fine', 'ok');
    expect(texts(await take(first, 'still-fine', 1))).toEqual(['ok']);
  });

  it('maxConsumersPerConnection: the consumer too many is consumer_limit; the others keep consuming', async () => {
    broker = await startBroker({ maxConsumersPerConnection: 2 });
    const c = await client();
    await c.declareQueue('consumed', { durable: false });
    const seen: string[] = [];
    await c.consume('consumed', (m) => (seen.push(m.text()), m.ack()));
    await c.consume('consumed', (m) => (seen.push(m.text()), m.ack()));
    await expect(c.consume('consumed', () => {})).rejects.toMatchObject({ code: 'consumer_limit' });
    await c.publish('', 'consumed', 'a');
    await c.publish('', 'consumed', 'b');
    await expect.poll(() => seen.length).toBe(2);
  });

  it('maxQueues: the queue too many is queue_limit; re-declaring an existing one still works', async () => {
    broker = await startBroker({ maxQueues: 2 });
    const c = await client();
    await c.declareQueue('q1');
    await c.declareQueue('q2');
    await expect(c.declareQueue('q3')).rejects.toMatchObject({ code: 'queue_limit' });
    await expect(c.declareQueue('')).rejects.toMatchObject({ code: 'queue_limit' });
    await c.declareQueue('q1');
    const put = await fetch(`${broker.httpUrl}/api/queues/%2F/q4`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(400);
    expect(await put.json()).toMatchObject({ error: 'queue_limit' });
    await c.deleteQueue('q2');
    await c.declareQueue('q3');
  });

  it('maxMessageSize: one byte over is message_too_large; exactly the limit is taken', async () => {
    broker = await startBroker({ maxMessageSize: 1000 });
    const raw = await RawClient.open(broker.url);
    await raw.request({ type: 'queue.declare', queue: 'sized', durable: false });
    raw.send({ type: 'publish', seq: 1, exchange: '', routing_key: 'sized' }, new Uint8Array(1000));
    raw.send({ type: 'publish', seq: 2, exchange: '', routing_key: 'sized' }, new Uint8Array(1001));
    const nack = await raw.next((f) => f.header.type === 'publish.nack');
    expect(nack.header).toMatchObject({ seq: 2, code: 'message_too_large' });
    const count = await raw.request({ type: 'queue.declare', queue: 'sized', passive: true });
    expect(count.header).toMatchObject({ message_count: 1 });
    await raw.close();
  });

  it('httpBodyLimit: a body one byte over is refused with 413; the API keeps working', async () => {
    broker = await startBroker({ httpBodyLimit: 1024 });
    const policy = (size: number) => JSON.stringify({ pattern: 'x'.repeat(size), definition: {} });
    const base = policy(0).length;
    const put = (body: string) =>
      fetch(`${broker!.httpUrl}/api/policies/%2F/p`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    const over = await put(policy(1024 - base + 1));
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ error: 'invalid_argument' });
    expect((await put(policy(1024 - base))).status).toBe(201);
  });
});
