/**
 * Deduplication (issue 10, parts 4 and 7): a queue with a dedup window takes a publisher's
 * message id once per window; a repeat is confirmed with `duplicate: true` and not enqueued,
 * also after a kill -9 and restart. A negative window is refused and changes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { spawnBroker, tempDir, type BrokerProcess, type TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';
import { depth, take, texts } from '../support/messages.js';

describe('deduplication on a running broker', () => {
  let broker: TestBroker;
  let client: Client;
  beforeAll(async () => ({ broker, client } = await brokerWithClient()));
  afterAll(() => stopBoth(client, broker));

  it('confirms a repeated messageId inside the window as a duplicate and does not enqueue it', async () => {
    await client.declareQueue('dd.orders', { durable: true, arguments: { 'x-dedup-window': 60_000 } });
    const first = await client.publish('', 'dd.orders', 'order 1', { messageId: 'order-1' });
    const repeat = await client.publish('', 'dd.orders', 'order 1 again', { messageId: 'order-1' });
    const other = await client.publish('', 'dd.orders', 'order 2', { messageId: 'order-2' });
    expect(first).toEqual({ seq: first.seq, durable: true, replicas: 1, duplicate: false });
    expect(repeat).toEqual({ seq: first.seq + 1, durable: true, replicas: 1, duplicate: true });
    expect(other.duplicate).toBe(false);
    expect(await depth(client, 'dd.orders')).toBe(2);
    expect(texts(await take(client, 'dd.orders', 2))).toEqual(['order 1', 'order 2']);
  });

  it('never deduplicates messages without a messageId', async () => {
    await client.declareQueue('dd.anonymous', { arguments: { 'x-dedup-window': 60_000 } });
    const receipts = await Promise.all(['a', 'a', 'a'].map((body) => client.publish('', 'dd.anonymous', body)));
    expect(receipts.map((r) => r.duplicate)).toEqual([false, false, false]);
    expect(await depth(client, 'dd.anonymous')).toBe(3);
  });

  it('enqueues a partly-duplicate message where the window did not hold it, and calls it no duplicate', async () => {
    await client.declareExchange('dd.fan', 'fanout');
    await client.declareQueue('dd.windowed', { arguments: { 'x-dedup-window': 60_000 } });
    await client.declareQueue('dd.open');
    await client.bind('dd.windowed', 'dd.fan', '');
    await client.bind('dd.open', 'dd.fan', '');
    await client.publish('dd.fan', '', 'x', { messageId: 'fan-1' });
    expect((await client.publish('dd.fan', '', 'x', { messageId: 'fan-1' })).duplicate).toBe(false);
    expect([await depth(client, 'dd.windowed'), await depth(client, 'dd.open')]).toEqual([1, 2]);

    await client.unbind('dd.open', 'dd.fan', '');
    expect((await client.publish('dd.fan', '', 'x', { messageId: 'fan-1' })).duplicate).toBe(true);
    expect(await depth(client, 'dd.windowed')).toBe(1);
  });

  it('takes the window from the dedup-window policy key', async () => {
    const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
    expect((await api('PUT', '/api/policies/%2F/dd-policy', { pattern: '^dd\\.by-policy$', 'apply-to': 'queues', definition: { 'dedup-window': 60_000 } })).status).toBe(201);
    await client.declareQueue('dd.by-policy');
    await client.publish('', 'dd.by-policy', 'once', { messageId: 'p-1' });
    expect((await client.publish('', 'dd.by-policy', 'twice', { messageId: 'p-1' })).duplicate).toBe(true);
    expect(await depth(client, 'dd.by-policy')).toBe(1);
    expect((await api('GET', '/api/queues/%2F/dd.by-policy')).body.effective_settings).toMatchObject({ 'dedup-window': 60_000 });
  });

  it('refuses a negative window, as an argument or a policy key, and changes nothing', async () => {
    await expect(client.declareQueue('dd.negative', { arguments: { 'x-dedup-window': -1 } })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining("'x-dedup-window' = -1"),
    });
    await expect(client.declareQueue('dd.negative', { passive: true })).rejects.toMatchObject({ code: 'queue_not_found' });
    await expect(client.declareQueue('dd.fraction', { arguments: { 'x-dedup-window': 1.5 } })).rejects.toMatchObject({ code: 'invalid_argument' });

    const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
    const refused = await api('PUT', '/api/policies/%2F/dd-negative', { pattern: '.*', definition: { 'dedup-window': -5 } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_argument', reason: expect.stringContaining('dedup-window') });
    expect((await api('GET', '/api/policies/%2F/dd-negative')).status).toBe(404);
    await expect(client.setPolicy('dd-negative', { pattern: '.*', definition: { 'dedup-window': -5 } })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect((await client.listPolicies()).map((p) => p.name)).not.toContain('dd-negative');
  });
});

describe('deduplication across kill -9', () => {
  let running: BrokerProcess | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  afterEach(async () => {
    await running?.kill9();
    await dir?.remove();
    running = undefined;
    dir = undefined;
  });

  it('keeps the window: a messageId confirmed before the kill is a duplicate after the restart', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const before = await connect(running.url);
    await before.declareQueue('payments', { durable: true, arguments: { 'x-dedup-window': 600_000 } });
    expect(await before.publish('', 'payments', 'pay 1', { messageId: 'pay-1' })).toMatchObject({ durable: true, duplicate: false });

    await running.kill9();
    running = await spawnBroker(dir.path);
    const after = await connect(running.url);
    expect(await after.publish('', 'payments', 'pay 1, retried', { messageId: 'pay-1' })).toMatchObject({ durable: true, duplicate: true });
    expect(await depth(after, 'payments')).toBe(1);
    const [kept] = await take(after, 'payments', 1);
    expect([kept!.text(), kept!.properties.messageId]).toEqual(['pay 1', 'pay-1']);
    await after.close();
  });
});
