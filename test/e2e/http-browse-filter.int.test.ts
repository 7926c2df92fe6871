/**
 * Browse and search without disturbing (issue 11, point 1): `POST …/get` in peek mode with a
 * filter (routing key exact or topic pattern, header equality, body text, JSON path = value),
 * paged with offset and count, into messages paged out of RAM; peeking changes no message's
 * order, redelivered flag or delivery count, with consumers attached; `client.browse()` walks
 * the same in pages; malformed filters are refused with `invalid_argument` and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Message } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take } from '../support/messages.js';
import { call } from '../support/http.js';

let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const peek = async (queue: string, body: Record<string, unknown>) => api('POST', `/api/queues/%2F/${queue}/get`, { mode: 'peek', ...body });
const ids = (reply: { body: Array<{ id: string }> }) => reply.body.map((m) => m.id);

const TOTAL = 60;
const REGIONS = ['eu', 'us', 'apac'];

beforeAll(async () => {
  ({ broker, client } = await brokerWithClient({ queueRamMessages: 20 }));
  await client.declareQueue('orders');
  for (let i = 0; i < TOTAL; i++) {
    const region = REGIONS[i % 3]!;
    const body = { order: { id: i, customer: { id: `c${i % 7}` }, items: [{ sku: `sku-${i}` }], 'odd key': i % 2 === 0 } };
    await client.publish('', 'orders', body, { messageId: `o${i}`, headers: { region, priority: i % 5 === 0 ? 'high' : 'low' } });
  }
  // Routing keys other than the queue name: through a topic exchange.
  await client.declareExchange('shop', 'topic');
  await client.declareQueue('events');
  await client.bind('events', 'shop', '#');
  for (const key of ['order.eu.created', 'order.us.created', 'order.eu.paid', 'invoice.eu.created', 'order.eu.created.late']) {
    await client.publish('shop', key, `event ${key}`, { messageId: key });
  }
});
afterAll(() => stopBoth(client, broker));

describe('POST …/get with a filter', () => {
  it('matches the routing key exactly, or as a topic pattern (the topic exchange’s rules)', async () => {
    expect(ids(await peek('events', { count: 10, filter: { routing_key: 'order.eu.created' } }))).toEqual(['order.eu.created']);
    expect(ids(await peek('events', { count: 10, filter: { routing_key: 'order.eu.*' } }))).toEqual(['order.eu.created', 'order.eu.paid']);
    expect(ids(await peek('events', { count: 10, filter: { routing_key: '*.eu.#' } }))).toEqual([
      'order.eu.created',
      'order.eu.paid',
      'invoice.eu.created',
      'order.eu.created.late',
    ]);
    expect(ids(await peek('events', { count: 10, filter: { routing_key: '#.created' } }))).toEqual(['order.eu.created', 'order.us.created', 'invoice.eu.created']);
  });

  it('matches header equality, body text and a JSON path, all conditions together', async () => {
    const eu = ids(await peek('orders', { count: 100, filter: { headers: { region: 'eu' } } }));
    expect(eu).toEqual(Array.from({ length: 20 }, (_, i) => `o${i * 3}`));
    expect(ids(await peek('orders', { count: 100, filter: { headers: { region: 'eu', priority: 'high' } } }))).toEqual(['o0', 'o15', 'o30', 'o45']);
    expect(ids(await peek('orders', { count: 100, filter: { body_contains: '"sku-42"' } }))).toEqual(['o42']);
    expect(ids(await peek('orders', { count: 100, filter: { json_path: '$.order.customer.id', equals: 'c3' } }))).toEqual(
      ['o3', 'o10', 'o17', 'o24', 'o31', 'o38', 'o45', 'o52', 'o59'],
    );
    expect(ids(await peek('orders', { count: 100, filter: { json_path: '$.order.items[0].sku', equals: 'sku-57' } }))).toEqual(['o57']);
    expect(ids(await peek('orders', { count: 5, filter: { json_path: "$.order['odd key']", equals: true } }))).toEqual(['o0', 'o2', 'o4', 'o6', 'o8']);
    expect(ids(await peek('orders', { count: 100, filter: { json_path: '$.order.customer', equals: { id: 'c3' }, headers: { region: 'us' } } }))).toEqual([
      'o10',
      'o31',
      'o52',
    ]);
    expect(ids(await peek('orders', { count: 100, filter: { json_path: '$.order.missing', equals: null } }))).toEqual([]);
  });

  it('pages the matches with offset and count, reaching messages paged out of RAM', async () => {
    expect((await api('GET', '/api/queues/%2F/orders')).body.messages_paged_out).toBeGreaterThan(0);
    const filter = { headers: { region: 'us' } };
    const pages = [0, 1, 2, 3].map((page) => peek('orders', { offset: page * 6, count: 6, filter }));
    const all = (await Promise.all(pages)).flatMap(ids);
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => `o${i * 3 + 1}`));
    const last = (await peek('orders', { offset: 19, count: 6, filter })).body;
    expect(last.map((m: { id: string; message_count: number }) => [m.id, m.message_count])).toEqual([['o58', 1]]);
    expect((await peek('orders', { offset: 20, count: 6, filter })).body).toEqual([]);
  });

  it('refuses malformed filters with invalid_argument and a reason that says what is wrong', async () => {
    const bad = async (filter: unknown) => (await peek('orders', { filter })).body;
    expect(await bad({ json_path: '$.order..id', equals: 1 })).toEqual({
      error: 'invalid_argument',
      reason: "json_path '$.order..id' at character 9: expected a member name after '.' (use ['…'] for other names)",
    });
    expect((await bad({ json_path: 'order.id', equals: 1 })).reason).toBe("json_path 'order.id' at character 1: a path starts with '$'");
    expect((await bad({ json_path: '$.items[01]', equals: 1 })).error).toBe('invalid_argument');
    expect((await bad({ json_path: "$['unclosed", equals: 1 })).reason).toContain('the quoted name is not closed');
    expect((await bad({ json_path: '$.a' })).reason).toBe("field 'filter' = {\"json_path\":\"$.a\"}: must have property equals when property json_path is present");
    expect((await bad({ routing: 'x' })).reason).toContain("field 'filter.routing' = \"x\": unknown key");
    expect((await bad({ body_contains: '' })).error).toBe('invalid_argument');
    expect((await api('POST', '/api/queues/%2F/orders/get', { mode: 'take', filter: { routing_key: 'x' } })).body.error).toBe('invalid_argument');
    expect((await peek('ghost', { filter: { routing_key: 'x' } })).body.error).toBe('queue_not_found');
    expect(await depth(client, 'orders')).toBe(TOTAL);
  });
});

describe('peeking disturbs nothing', () => {
  it('keeps order, redelivered flags and delivery counts, also while a consumer holds deliveries', async () => {
    await client.declareQueue('calm');
    for (let i = 0; i < 30; i++) await client.publish('', 'calm', { n: i }, { messageId: `k${i}`, headers: { even: i % 2 === 0 } });
    // A consumer takes the first three and sends two back: k0 and k1 are redelivered next time.
    const held = await take(client, 'calm', 3, { prefetch: 3 });
    held[0]!.nack({ requeue: true });
    held[1]!.nack({ requeue: true });
    await expect.poll(async () => (await peek('calm', { count: 1 })).body[0]?.id).toBe('k0');
    const before = (await peek('calm', { count: 100 })).body;

    // A second consumer stays attached, holding its prefetch under an ack lease, while the queue is browsed many times.
    const holding: Message[] = [];
    const consumer = await client.consume('calm', (m) => void holding.push(m), { prefetch: 2, ackTimeout: 600_000 });
    await expect.poll(() => holding.length).toBe(2);
    for (let round = 0; round < 5; round++) {
      await peek('calm', { count: 100 });
      await peek('calm', { count: 100, filter: { headers: { even: true } } });
      for await (const _ of client.browse('calm', { pageSize: 7 })) void _;
    }
    expect(holding.map((m) => [m.properties.messageId, m.redelivered, m.deliveryCount])).toEqual([
      ['k0', true, 2],
      ['k1', true, 2],
    ]);
    // The leased deliveries are neither listed nor taken back by browsing.
    expect((await api('GET', '/api/queues/%2F/calm')).body).toMatchObject({ messages_ready: 27, messages_unacknowledged: 3 });
    expect(ids(await peek('calm', { count: 100 })).slice(0, 2)).toEqual(['k3', 'k4']);
    for (const m of holding) m.nack({ requeue: true });
    await consumer.cancel();
    held[2]!.ack();

    const after = (await peek('calm', { count: 100 })).body;
    expect(after.map((m: { id: string }) => m.id)).toEqual(before.filter((m: { id: string }) => m.id !== 'k2').map((m: { id: string }) => m.id));
    expect(after.slice(0, 2).map((m: { redelivered: boolean; delivery_count: number }) => [m.redelivered, m.delivery_count])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    expect(after.slice(2).every((m: { redelivered: boolean; delivery_count: number }) => !m.redelivered && m.delivery_count === 0)).toBe(true);
    const consumed = await take(client, 'calm', 29, { noAck: true });
    expect(consumed.map((m) => m.properties.messageId)).toEqual(after.map((m: { id: string }) => m.id));
    expect(consumed.map((m) => m.deliveryCount)).toEqual(after.map((m: { delivery_count: number }) => m.delivery_count + 1));
  });
});

describe('client.browse()', () => {
  it('iterates the matching messages in order, a page per request, into paged-out messages', async () => {
    const seen: string[] = [];
    for await (const m of client.browse('orders', { filter: { json_path: '$.order.customer.id', equals: 'c3' }, pageSize: 2 })) {
      expect(m.json<{ order: { customer: { id: string } } }>().order.customer.id).toBe('c3');
      expect(m.headers.region).toBeDefined();
      seen.push(m.id);
    }
    expect(seen).toEqual(['o3', 'o10', 'o17', 'o24', 'o31', 'o38', 'o45', 'o52', 'o59']);
    let all = 0;
    for await (const m of client.browse('orders')) {
      expect(m.redelivered).toBe(false);
      all++;
    }
    expect(all).toBe(TOTAL);
    for await (const m of client.browse('events', { filter: { routing_key: 'order.#' } })) {
      expect(m.text()).toBe(`event ${m.routingKey}`);
      break;
    }
    expect(await depth(client, 'orders')).toBe(TOTAL);
  });

  it('rejects a malformed filter or an unknown queue with the broker’s code', async () => {
    const first = (iterator: AsyncGenerator<unknown>) => iterator.next();
    await expect(first(client.browse('orders', { filter: { json_path: '$[', equals: 1 } }))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(first(client.browse('ghost'))).rejects.toMatchObject({ code: 'queue_not_found' });
    await expect(first(client.browse('orders', { pageSize: 0 }))).rejects.toMatchObject({ code: 'frame_invalid' });
  });
});
