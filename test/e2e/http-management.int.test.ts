/**
 * The management API's RabbitMQ shapes beyond what rabbitmqadmin checks (issue 22, point 1):
 * vhosts that survive a restart, closing a connection with a reason, per-vhost consumers,
 * publish with base64 and properties, bindings with arguments deleted by properties_key,
 * RabbitMQ's get ack modes, message_stats counted from real traffic with rates from the
 * sampler, lists paged / filtered / sorted as RabbitMQ's, and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { QUEUE_DECLARE_BODY_SCHEMA, PUBLISH_BODY_SCHEMA, LIST_QUERY_SCHEMA } from '@warren/protocol';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';

let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const names = (items: { name: string }[]) => items.map((i) => i.name);

beforeAll(async () => {
  broker = await startBroker();
  client = await connect(broker.url);
});
afterAll(async () => {
  await client?.close();
  await broker?.dispose();
});

describe('vhosts', () => {
  it('an empty vhost created over HTTP survives a restart; deleting it removes what it held and closes its connections', async () => {
    const dir = await tempDir();
    let first: TestBroker | undefined = await startBroker({}, dir.path);
    try {
      const put = (path: string, body: unknown) => call(first!.httpUrl, 'PUT', path, body);
      expect((await put('/api/vhosts/empty', { description: 'nothing yet', tags: 'a, b', default_queue_type: 'quorum' })).status).toBe(201);
      expect((await put('/api/vhosts/full', {})).status).toBe(201);
      expect((await put('/api/vhosts/full', { description: 'again' })).status).toBe(204);
      expect((await put('/api/queues/full/jobs', { durable: true })).status).toBe(201);
      await first.close();
      first = await startBroker({}, dir.path);
      const empty = await call(first.httpUrl, 'GET', '/api/vhosts/empty');
      expect(empty.body).toMatchObject({ name: 'empty', description: 'nothing yet', tags: ['a', 'b'], default_queue_type: 'quorum', messages: 0 });
      expect(names((await call(first.httpUrl, 'GET', '/api/queues/full')).body)).toEqual(['jobs']);

      const inFull = await connect(first.url, { vhost: 'full' });
      await inFull.publish('', 'jobs', 'later', { delay: 3_600_000 });
      expect((await call(first.httpUrl, 'GET', '/api/scheduled/full')).body.total_count).toBe(1);
      expect((await call(first.httpUrl, 'DELETE', '/api/vhosts/full')).status).toBe(204);
      expect((await inFull.closed)?.code).toBe('connection_forced');
      expect((await call(first.httpUrl, 'GET', '/api/queues/full')).body.error).toBe('vhost_not_found');
      expect((await call(first.httpUrl, 'GET', '/api/overview')).body.scheduled.pending).toBe(0);
      await first.close();
      first = await startBroker({}, dir.path);
      expect(names((await call(first.httpUrl, 'GET', '/api/vhosts')).body).sort()).toEqual(['/', 'empty']);
      expect((await call(first.httpUrl, 'GET', '/api/queues')).body).toEqual([]);
    } finally {
      await first?.close();
      await dir.remove();
    }
  });

  it('exports a vhost with its metadata as RabbitMQ does, and an import creates it again', async () => {
    await api('PUT', '/api/vhosts/meta', { description: 'billing', tags: ['prod'] });
    const exported = (await api('GET', '/api/definitions')).body;
    expect(exported.vhosts).toContainEqual({ name: 'meta', description: 'billing', tags: ['prod'], default_queue_type: 'classic', metadata: { description: 'billing', tags: ['prod'] } });
    expect(exported.vhosts).toContainEqual({ name: '/' });
    expect((await api('DELETE', '/api/vhosts/meta')).status).toBe(204);
    expect((await api('POST', '/api/definitions', { vhosts: [{ name: 'meta', metadata: { description: 'billing', tags: 'prod,eu' } }] })).status).toBe(200);
    expect((await api('GET', '/api/vhosts/meta')).body).toMatchObject({ description: 'billing', tags: ['prod', 'eu'] });
    await api('DELETE', '/api/vhosts/meta');
  });

  it('refuses what RabbitMQ refuses', async () => {
    expect((await api('PUT', '/api/vhosts/x', { tracing: 'maybe' })).body.error).toBe('invalid_argument');
    expect((await api('DELETE', '/api/vhosts/nowhere')).body.error).toBe('vhost_not_found');
  });
});

describe('connections and consumers', () => {
  it('lists a connection with its counters, its consumers per vhost, and closes it with the X-Reason header', async () => {
    const other = await connect(broker.url, { name: 'billing-worker' });
    await other.declareQueue('conn.q');
    const consumer = await other.consume('conn.q', async () => {}, { prefetch: 3 });
    await other.publish('', 'conn.q', 'one');
    const list = await api('GET', '/api/connections');
    const mine = list.body.find((c: { client_properties: { product?: string } }) => c.client_properties.product === 'billing-worker');
    expect(mine).toMatchObject({ vhost: '/', channels: 1, protocol: 'Warren WebSocket 1', message_stats: { publish: 1 } });
    expect(mine.recv_oct).toBeGreaterThan(0);
    expect((await api('GET', `/api/connections/${mine.name as string}`)).body.name).toBe(mine.name);
    expect((await api('GET', '/api/consumers/%2F')).body).toContainEqual(expect.objectContaining({ consumer_tag: consumer.tag, prefetch_count: 3 }));
    await expect.poll(async () => (await api('GET', `/api/connections/${mine.name as string}/unacked`)).body.total_count).toBe(1);
    const unacked = (await api('GET', `/api/connections/${mine.name as string}/unacked?count=5`)).body;
    expect(unacked.items).toEqual([expect.objectContaining({ consumer_tag: consumer.tag, queue: { name: 'conn.q', vhost: '/' }, routing_key: 'conn.q', payload_bytes: 3, delivery_count: 1 })]);
    expect((await api('GET', `/api/connections/${mine.name as string}/unacked?count=0`)).body.error).toBe('invalid_argument');
    const closed = await fetch(`${broker.httpUrl}/api/connections/${mine.name as string}`, { method: 'DELETE', headers: { 'x-reason': 'maintenance window' } });
    expect(closed.status).toBe(204);
    const why = await other.closed;
    expect(why).toMatchObject({ code: 'connection_forced', message: 'maintenance window' });
    expect((await api('GET', `/api/connections/${mine.name as string}`)).status).toBe(404);
  });
});

describe('publish, bindings and get', () => {
  it('publishes a base64 payload with properties and headers, answers routed, and gets it back as RabbitMQ shows it', async () => {
    await api('PUT', '/api/queues/%2F/pub.q', {});
    const bytes = Buffer.from([0, 1, 2, 250]);
    const published = await api('POST', '/api/exchanges/%2F/amq.default/publish', {
      routing_key: 'pub.q',
      payload: bytes.toString('base64'),
      payload_encoding: 'base64',
      properties: { delivery_mode: 2, headers: { tenant: 'acme' }, correlation_id: 'c-1' },
    });
    expect(published).toMatchObject({ status: 200, body: { routed: true } });
    const nowhere = await api('POST', '/api/exchanges/%2F/amq.direct/publish', { routing_key: 'none', payload: 'x', payload_encoding: 'string', properties: {} });
    expect(nowhere.body).toEqual({ routed: false });
    const [message] = (await api('POST', '/api/queues/%2F/pub.q/get', { count: '1', ackmode: 'ack_requeue_true', encoding: 'auto' })).body;
    expect(message).toMatchObject({ payload: bytes.toString('base64'), payload_encoding: 'base64', payload_bytes: 4, properties: { delivery_mode: 2, correlation_id: 'c-1', headers: { tenant: 'acme' } } });
    const bad = await api('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: 'pub.q', payload: 'x', payload_encoding: 'hex', properties: {} });
    expect(bad.body.error).toBe('invalid_argument');
  });

  it('reject_requeue_false takes the message and dead-letters it; ack_requeue_false drops it', async () => {
    await api('PUT', '/api/exchanges/%2F/get.dlx', { type: 'fanout', durable: 'true' });
    await api('PUT', '/api/queues/%2F/get.dead', {});
    await api('POST', '/api/bindings/%2F/e/get.dlx/q/get.dead', {});
    await api('PUT', '/api/queues/%2F/get.q', { arguments: { 'x-dead-letter-exchange': 'get.dlx' } });
    for (const body of ['a', 'b', 'c']) await client.publish('', 'get.q', body);
    const rejected = await api('POST', '/api/queues/%2F/get.q/get', { count: 1, ackmode: 'reject_requeue_false', encoding: 'auto', truncate: '0' });
    expect(rejected.body[0]).toMatchObject({ payload: '', payload_bytes: 1, message_count: 2 });
    await api('POST', '/api/queues/%2F/get.q/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'base64' });
    expect((await api('GET', '/api/queues/%2F/get.q')).body.messages).toBe(1);
    const dead = (await api('POST', '/api/queues/%2F/get.dead/get', { count: 5, ackmode: 'ack_requeue_true', encoding: 'auto' })).body;
    expect(dead.map((m: { payload: string }) => m.payload)).toEqual(['a']);
    expect(dead[0].properties.headers['x-death'][0]).toMatchObject({ queue: 'get.q', reason: 'rejected' });
  });

  it('binds with arguments, shows and deletes the binding by its properties_key, and binds exchanges', async () => {
    await api('PUT', '/api/exchanges/%2F/b.h', { type: 'headers' });
    await api('PUT', '/api/exchanges/%2F/b.e', { type: 'fanout', durable: 'false' });
    await api('PUT', '/api/queues/%2F/b.q', {});
    const bound = await api('POST', '/api/bindings/%2F/e/b.h/q/b.q', { routing_key: '', arguments: { 'x-match': 'all', kind: 'invoice' }, destination_type: 'queue' });
    expect(bound.status).toBe(201);
    await api('POST', '/api/bindings/%2F/e/b.h/q/b.q', { routing_key: '', arguments: { 'x-match': 'all', kind: 'refund' } });
    const between = (await api('GET', '/api/bindings/%2F/e/b.h/q/b.q')).body as { properties_key: string; arguments: { kind: string } }[];
    expect(between).toHaveLength(2);
    const invoice = between.find((b) => b.arguments.kind === 'invoice')!;
    expect(invoice.properties_key).toMatch(/^~.+/);
    const location = await fetch(`${broker.httpUrl}/api/bindings/%2F/e/b.h/q/b.q`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"arguments":{"x-match":"all","kind":"invoice"}}' });
    expect(location.headers.get('location')).toBe(`/api/bindings/%2F/e/b.h/q/b.q/${encodeURIComponent(invoice.properties_key)}`);
    expect((await api('GET', `/api/bindings/%2F/e/b.h/q/b.q/${encodeURIComponent(invoice.properties_key)}`)).body.arguments.kind).toBe('invoice');
    expect((await api('DELETE', `/api/bindings/%2F/e/b.h/q/b.q/${encodeURIComponent(invoice.properties_key)}`)).status).toBe(204);
    expect(((await api('GET', '/api/queues/%2F/b.q/bindings')).body as { source: string; arguments: { kind?: string } }[]).map((b) => b.arguments.kind ?? b.source)).toEqual(['', 'refund']);
    expect((await api('POST', '/api/bindings/%2F/e/b.h/e/b.e', { routing_key: 'x', destination_type: 'exchange' })).status).toBe(201);
    expect((await api('GET', '/api/exchanges/%2F/b.e/bindings/destination')).body).toEqual([expect.objectContaining({ source: 'b.h', routing_key: 'x' })]);
    expect((await api('DELETE', '/api/bindings/%2F/e/b.h/e/b.e/x')).status).toBe(204);
    expect((await api('DELETE', '/api/bindings/%2F/e/b.h/e/b.e/x')).body.error).toBe('not_found');
    expect((await api('POST', '/api/bindings/%2F/e/b.h/q/b.q', { destination_type: 'exchange' })).body.error).toBe('invalid_argument');
  });

  it('takes "true" / "false" strings for flags as RabbitMQ does, and nothing else', async () => {
    expect((await api('PUT', '/api/queues/%2F/flags.q', { durable: 'false', auto_delete: 'false' })).status).toBe(201);
    expect((await api('GET', '/api/queues/%2F/flags.q')).body.durable).toBe(false);
    expect((await api('PUT', '/api/queues/%2F/flags.r', { durable: 'yes' })).body).toMatchObject({ error: 'invalid_argument' });
    expect((await api('PUT', '/api/exchanges/%2F/flags.x', { type: 'direct', internal: 'true' })).status).toBe(201);
    expect((await api('GET', '/api/exchanges/%2F/flags.x')).body.internal).toBe(true);
  });
});

describe('message_stats', () => {
  it('counts publishes, deliveries, acks and redeliveries where they happen, and the sampler turns them into rates', async () => {
    await client.declareQueue('stats.q');
    for (let i = 0; i < 4; i++) await client.publish('', 'stats.q', `m${i}`);
    let seen = 0;
    const consumer = await client.consume('stats.q', async (message) => {
      seen++;
      if (seen === 1) await message.nack({ requeue: true });
      else await message.ack();
    });
    await expect.poll(async () => (await api('GET', '/api/queues/%2F/stats.q')).body.message_stats.ack).toBe(4);
    const queue = (await api('GET', '/api/queues/%2F/stats.q')).body;
    expect(queue.message_stats).toMatchObject({ publish: 4, deliver: 5, deliver_no_ack: 0, deliver_get: 5, ack: 4, redeliver: 1 });
    expect(queue).toMatchObject({ node: broker.config.nodeId, state: 'running', consumers: 1, messages: 0, message_bytes: 0 });
    const exchange = (await api('GET', '/api/exchanges/%2F/amq.default')).body;
    expect(exchange.message_stats.publish_in).toBeGreaterThanOrEqual(4);
    // The sampler runs every 5 s: wait for the sample that sees this traffic, then for the utilisation it records.
    await expect.poll(async () => (await api('GET', '/api/queues/%2F/stats.q')).body.message_stats.publish_details.rate, { timeout: 12_000, interval: 250 }).toBeGreaterThan(0);
    const sampled = (await api('GET', '/api/queues/%2F/stats.q')).body;
    expect(sampled.message_stats.ack_details.rate).toBeGreaterThan(0);
    expect(sampled.consumer_utilisation).toBe(1);
    const overview = (await api('GET', '/api/overview')).body;
    expect(overview.message_stats.ack).toBeGreaterThanOrEqual(4);
    expect(overview.queue_totals).toMatchObject({ messages_unacknowledged: 0 });
    expect((await api('GET', '/api/vhosts/%2F')).body.message_stats.deliver_get).toBeGreaterThanOrEqual(5);
    await consumer.cancel();
    // No traffic in the next interval: the queue shows since when it has been idle.
    await expect.poll(async () => (await api('GET', '/api/queues/%2F/stats.q')).body.idle_since, { timeout: 12_000, interval: 250 }).toBeTypeOf('string');
  }, 30_000);
});

describe('queue depth rates', () => {
  it('messages_details and messages_ready_details give how fast the depth changes, per queue and in the overview', async () => {
    await api('PUT', '/api/queues/%2F/depth.q', {});
    for (let i = 0; i < 10; i++) await client.publish('', 'depth.q', `d${i}`);
    await expect.poll(async () => (await api('GET', '/api/queues/%2F/depth.q')).body.messages_ready_details.rate, { timeout: 12_000, interval: 250 }).toBeGreaterThan(0);
    const queue = (await api('GET', '/api/queues/%2F/depth.q')).body;
    expect(queue.messages_details.rate).toBe(queue.messages_ready_details.rate);
    expect(queue.messages_unacknowledged_details).toEqual({ rate: 0 });
    expect((await api('GET', '/api/overview')).body.queue_totals.messages_ready_details.rate).toBeTypeOf('number');
    await api('DELETE', '/api/queues/%2F/depth.q');
  }, 30_000);
});

describe('lists', () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) await api('PUT', `/api/queues/%2F/list.${String(i).padStart(2, '0')}`, { durable: false });
    for (let i = 0; i < 3; i++) await client.publish('', 'list.07', `x${i}`);
    await client.publish('', 'list.13', 'y');
  });

  it('pages in RabbitMQ shape, filters by name and by RE2 regex, sorts by nested fields, picks columns', async () => {
    const page = (await api('GET', '/api/queues/%2F?page=2&page_size=10&name=list.')).body;
    expect(page).toMatchObject({ page: 2, page_size: 10, page_count: 3, filtered_count: 25, item_count: 10 });
    expect(page.total_count).toBeGreaterThanOrEqual(25);
    expect(names(page.items)[0]).toBe('list.10');
    const regex = (await api('GET', `/api/queues/%2F?page=1&name=${encodeURIComponent('^LIST\\.1[0-2]$')}&use_regex=true`)).body;
    expect(names(regex.items)).toEqual(['list.10', 'list.11', 'list.12']);
    const byMessages = (await api('GET', '/api/queues/%2F?page=1&page_size=2&name=list.&sort=messages&sort_reverse=true')).body;
    expect(names(byMessages.items)).toEqual(['list.07', 'list.13']);
    const byPublish = (await api('GET', '/api/queues/%2F?page=1&page_size=1&name=list.&sort=message_stats.publish&sort_reverse=true')).body;
    expect(names(byPublish.items)).toEqual(['list.07']);
    const byRate = (await api('GET', '/api/queues/%2F?page=1&page_size=3&name=list.&sort=message_stats.publish_details.rate')).body;
    expect(byRate.item_count).toBe(3);
    const byView = (await api('GET', '/api/queues/%2F?page=1&page_size=1&name=list.&sort=effective_settings.overflow&sort_reverse=true')).body;
    expect(byView.item_count).toBe(1);
    const columns = (await api('GET', '/api/queues/%2F?name=list.07&columns=name,messages,message_stats.publish')).body;
    expect(columns).toEqual([{ name: 'list.07', messages: 3, message_stats: { publish: 3 } }]);
    expect(names((await api('GET', '/api/exchanges/%2F?page=1&page_size=2&sort=name')).body.items)).toEqual(['', 'amq.direct']);
  });

  it('refuses a bad regex, page size or page with a clear error', async () => {
    expect((await api('GET', '/api/queues?page=1&name=(&use_regex=true')).body).toMatchObject({ error: 'invalid_argument', reason: expect.stringContaining('regular expression') });
    expect((await api('GET', '/api/queues?page=1&page_size=501')).body.reason).toContain('page_size must be between 1 and 500');
    expect((await api('GET', '/api/queues?page=999&page_size=10')).body.error).toBe('invalid_argument');
    expect((await api('GET', '/api/queues?page=zero')).body.error).toBe('invalid_argument');
  });
});

describe('OpenAPI', () => {
  it('documents every management route with the schemas that validate its requests', async () => {
    const document = (await api('GET', '/api/openapi.json')).body;
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/api/queues/{vhost}/{name}'].put.requestBody.content['application/json'].schema).toEqual(QUEUE_DECLARE_BODY_SCHEMA);
    expect(document.paths['/api/exchanges/{vhost}/{name}/publish'].post.requestBody.content['application/json'].schema).toEqual(PUBLISH_BODY_SCHEMA);
    const pageParameter = document.paths['/api/queues'].get.parameters.find((p: { name: string }) => p.name === 'page');
    expect(pageParameter.schema).toEqual((LIST_QUERY_SCHEMA.properties as Record<string, unknown>).page);
    expect(document.paths['/api/connections/{name}'].delete.parameters).toContainEqual(expect.objectContaining({ name: 'X-Reason', in: 'header' }));
    for (const path of ['/api/nodes', '/api/vhosts/{name}', '/api/consumers/{vhost}', '/api/bindings/{vhost}/e/{source}/q/{destination}/{props}', '/api/definitions', '/api/policies/{vhost}/{name}']) {
      expect(document.paths[path], path).toBeDefined();
    }
  });
});
