/**
 * Browsing and redrive over HTTP (issue 3, point 5): `…/get` peeks (in order, paged, nothing
 * consumed or reordered, paged-out messages included) or takes; `…/redrive` moves dead-lettered
 * messages back where they died or to a chosen exchange, all, the first N or chosen ids; a
 * kill -9 in the middle of a redrive loses and doubles nothing. Also the small queue, exchange
 * and binding endpoints the tests use.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { spawnBroker, tempDir, type TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';
import { call } from '../support/http.js';
import { redriveAndWait, redriveJobEnd } from '../support/redrive.js';


let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const get = async (queue: string, body: Record<string, unknown>) => api('POST', `/api/queues/%2F/${queue}/get`, body);

beforeAll(async () => ({ broker, client } = await brokerWithClient({ queueRamMessages: 20 })));
afterAll(() => stopBoth(client, broker));

describe('queue, exchange and binding endpoints', () => {
  it('declare (201, then 204), conflict (400), bind, purge and delete', async () => {
    expect((await api('PUT', '/api/queues/%2F/crud.q', { durable: true, arguments: { 'x-max-length': 100 } })).status).toBe(201);
    expect((await api('PUT', '/api/queues/%2F/crud.q', { durable: true, arguments: { 'x-max-length': 100 } })).status).toBe(204);
    const conflict = await api('PUT', '/api/queues/%2F/crud.q', { durable: false });
    expect(conflict.status).toBe(400);
    expect(conflict.body.error).toBe('queue_conflict');
    expect((await api('PUT', '/api/queues/%2F/crud.q2', { arguments: { 'x-max-length': -1 } })).body).toMatchObject({ error: 'invalid_argument' });
    expect((await api('PUT', '/api/exchanges/%2F/crud.x', { type: 'topic' })).status).toBe(201);
    expect((await api('PUT', '/api/exchanges/%2F/crud.x2', { type: 'x-delayed-message' })).body.reason).toContain("field 'type'");
    const bound = await api('POST', '/api/bindings/%2F/e/crud.x/q/crud.q', { routing_key: 'a.*' });
    expect(bound.status).toBe(201);
    expect((await api('GET', '/api/bindings/%2F')).body).toContainEqual({
      source: 'crud.x',
      vhost: '/',
      destination: 'crud.q',
      destination_type: 'queue',
      routing_key: 'a.*',
      arguments: {},
      properties_key: 'a.*',
    });
    await client.publish('crud.x', 'a.b', 'routed');
    expect(await depth(client, 'crud.q')).toBe(1);
    expect((await api('DELETE', '/api/queues/%2F/crud.q?if-empty=true')).body).toMatchObject({ error: 'not_empty' });
    // RabbitMQ's tools send a JSON content type on bodiless requests too.
    const purge = await fetch(`${broker.httpUrl}/api/queues/%2F/crud.q/contents`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
    expect(purge.status).toBe(204);
    expect(await depth(client, 'crud.q')).toBe(0);
    expect((await api('DELETE', '/api/queues/%2F/crud.q')).status).toBe(204);
    expect((await api('GET', '/api/queues/%2F/crud.q')).body).toEqual({ error: 'queue_not_found', reason: "no queue 'crud.q' in vhost '/'" });
    expect((await api('DELETE', '/api/exchanges/%2F/crud.x')).status).toBe(204);
    expect((await api('GET', '/api/queues/nowhere/crud.q')).body).toEqual({ error: 'vhost_not_found', reason: "no vhost 'nowhere'" });
    expect((await api('GET', '/api/nothing-here')).body).toEqual({ error: 'not_found', reason: 'no route GET /api/nothing-here' });
  });
});

describe('POST …/get', () => {
  beforeAll(async () => {
    await client.declareQueue('browse');
    for (let i = 0; i < 50; i++) {
      await client.publish('', 'browse', `m${i}`, { messageId: `id-${i}`, headers: { n: i }, correlationId: `c${i}` });
    }
  });

  it('peeks in queue order without consuming, with RabbitMQ fields and Warren’s id, seq and delivery_count', async () => {
    const { status, body } = await get('browse', { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        payload: 'm0',
        payload_bytes: 2,
        payload_encoding: 'string',
        redelivered: false,
        exchange: '',
        routing_key: 'browse',
        message_count: 49,
        properties: expect.objectContaining({ message_id: 'id-0', correlation_id: 'c0', delivery_mode: 2, headers: { n: 0 } }),
        id: 'id-0',
        seq: expect.any(Number),
        delivery_count: 0,
      },
      expect.objectContaining({ payload: 'm1', message_count: 48 }),
    ]);
    expect(await depth(client, 'browse')).toBe(50);
  });

  it('pages with offset, into messages paged out of RAM', async () => {
    const page = (await get('browse', { mode: 'peek', offset: 40, count: 5 })).body as Array<{ payload: string; message_count: number }>;
    expect(page.map((m) => m.payload)).toEqual(['m40', 'm41', 'm42', 'm43', 'm44']);
    expect(page[0]!.message_count).toBe(9);
    expect((await get('browse', { offset: 48, count: 10 })).body.map((m: { payload: string }) => m.payload)).toEqual(['m48', 'm49']);
    expect((await get('browse', { offset: 50, count: 10 })).body).toEqual([]);
    const stats = (await api('GET', '/api/queues/%2F/browse')).body;
    expect(stats).toMatchObject({ messages_ready: 50 });
    expect(stats.messages_paged_out).toBeGreaterThan(0);
  });

  it('peeking changes nothing a consumer sees', async () => {
    await get('browse', { count: 50, ackmode: 'reject_requeue_true' });
    const got = await take(client, 'browse', 3, { prefetch: 3 });
    expect(texts(got)).toEqual(['m0', 'm1', 'm2']);
    expect(got.map((m) => m.redelivered)).toEqual([false, false, false]);
    for (const m of got) m.nack({ requeue: true });
    expect((await get('browse', { count: 1 })).body[0]).toMatchObject({ payload: 'm0', redelivered: true, delivery_count: 1 });
  });

  it('takes from the head (ackmode *_requeue_false or mode take)', async () => {
    const taken = (await get('browse', { count: 2, ackmode: 'ack_requeue_false' })).body as Array<{ payload: string; message_count: number }>;
    expect(taken.map((m) => [m.payload, m.message_count])).toEqual([
      ['m0', 49],
      ['m1', 48],
    ]);
    expect((await get('browse', { count: 1, mode: 'take' })).body[0].payload).toBe('m2');
    expect(await depth(client, 'browse')).toBe(47);
    expect((await get('browse', { count: 1 })).body[0].payload).toBe('m3');
  });

  it('shows binary payloads as base64, on request any payload, and truncates', async () => {
    await client.declareQueue('binary');
    await client.publish('', 'binary', new Uint8Array([0xff, 0xfe, 0x00, 0x01]));
    await client.publish('', 'binary', 'hello world');
    const [bin, text] = (await get('binary', { count: 2 })).body;
    expect(bin).toMatchObject({ payload: '//4AAQ==', payload_encoding: 'base64', payload_bytes: 4 });
    expect(text).toMatchObject({ payload: 'hello world', payload_encoding: 'string' });
    expect((await get('binary', { count: 2, encoding: 'base64' })).body[1]).toMatchObject({ payload: 'aGVsbG8gd29ybGQ=', payload_encoding: 'base64' });
    expect((await get('binary', { count: 2, truncate: 5 })).body[1]).toMatchObject({ payload: 'hello', payload_bytes: 11 });
  });

  it('refuses bad requests with 400 and unknown queues with 404', async () => {
    expect(await get('browse', { count: 0 })).toEqual({ status: 400, body: { error: 'invalid_argument', reason: "field 'count' = 0: must be >= 1" } });
    expect((await get('browse', { mode: 'take', ackmode: 'ack_requeue_true' })).body.reason).toBe("mode 'take' contradicts ackmode 'ack_requeue_true'");
    expect((await get('browse', { mode: 'take', offset: 3 })).status).toBe(400);
    expect((await get('browse', { ackmode: 'nack' })).body.reason).toContain("field 'ackmode'");
    expect((await get('browse', { count: 1, extra: true })).body.reason).toContain("field 'extra' = true: unknown key");
    expect(await get('ghost', {})).toEqual({ status: 404, body: { error: 'queue_not_found', reason: "no queue 'ghost' in vhost '/'" } });
    expect((await api('POST', '/api/queues/nowhere/browse/get', {})).status).toBe(404);
  });
});

describe('POST …/redrive', () => {
  let n = 0;

  /** A work queue that dead-letters into its own dead-letter queue, with `count` messages rejected into it. */
  async function deadLettered(count: number): Promise<{ work: string; dead: string }> {
    const work = `rd-work-${++n}`;
    const dead = `rd-dead-${n}`;
    await client.declareQueue(dead);
    await client.declareQueue(work, { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
    for (let i = 0; i < count; i++) await client.publish('', work, `m${i}`, { messageId: `${work}-${i}` });
    for (const m of await take(client, work, count, { prefetch: count })) m.reject({ requeue: false });
    while ((await depth(client, dead)) < count) await new Promise((resolve) => setTimeout(resolve, 10));
    return { work, dead };
  }

  it('moves every message back to the queue it died in (from x-death), in order', async () => {
    const { work, dead } = await deadLettered(5);
    expect(await redriveAndWait(broker.httpUrl, dead)).toMatchObject({ state: 'completed', matched: 5, moved: 5, skipped: 0, remaining: 0 });
    expect(await depth(client, dead)).toBe(0);
    const back = await take(client, work, 5, { noAck: true });
    expect(texts(back)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(back[0]!.headers['x-death']).toMatchObject([{ reason: 'rejected', queue: work }]);
  });

  it('moves the first N, or the chosen ids', async () => {
    const { work, dead } = await deadLettered(6);
    expect(await redriveAndWait(broker.httpUrl, dead, { count: 2 })).toMatchObject({ state: 'completed', matched: 2, moved: 2 });
    expect((await api('POST', `/api/queues/%2F/${dead}/redrive`, { ids: [`${work}-5`, `${work}-3`, 'no-such-id'] })).body).toEqual({ moved: 2, skipped: 0 });
    expect(texts(await take(client, work, 4, { noAck: true }))).toEqual(['m0', 'm1', 'm3', 'm5']);
    expect((await get(dead, { count: 10 })).body.map((m: { payload: string }) => m.payload)).toEqual(['m2', 'm4']);
  });

  it('moves to a chosen exchange and routing key', async () => {
    const { dead } = await deadLettered(3);
    await client.declareExchange('rd-elsewhere', 'direct');
    await client.declareQueue('rd-parking');
    await client.bind('rd-parking', 'rd-elsewhere', 'park');
    expect(await redriveAndWait(broker.httpUrl, dead, { to: { exchange: 'rd-elsewhere', routing_key: 'park' } })).toMatchObject({
      moved: 3,
      skipped: 0,
      to: { exchange: 'rd-elsewhere', routing_key: 'park' },
    });
    expect(texts(await take(client, 'rd-parking', 3, { noAck: true }))).toEqual(['m0', 'm1', 'm2']);
  });

  it('refuses bad requests', async () => {
    const { dead } = await deadLettered(1);
    expect((await api('POST', `/api/queues/%2F/${dead}/redrive`, { count: 1, ids: ['x'] })).body).toEqual({
      error: 'invalid_argument',
      reason: "give 'ids' or 'count', not both",
    });
    expect((await api('POST', `/api/queues/%2F/${dead}/redrive`, { to: { routing_key: 'x' } })).body.reason).toBe("field 'to.exchange' is required");
    expect((await api('POST', `/api/queues/%2F/${dead}/redrive`, { to: { exchange: 'missing' } })).body).toEqual({
      error: 'exchange_not_found',
      reason: "no exchange 'missing' in vhost '/'",
    });
    expect((await api('POST', '/api/queues/%2F/ghost/redrive', {})).status).toBe(404);
  });
});

describe('kill -9 in the middle of a redrive (run `npx tsc -b tsconfig.build.json` first)', () => {
  // redrive-crash.int.test.ts redrives from RAM; here the dead-letter queue is paged out, so the
  // redrive spans many batches and page-ins when the kill lands. The job resumes after the restart.
  it('leaves every message of a paged-out queue in exactly one place', async () => {
    const total = 10_000;
    const dir = await tempDir();
    const config = join(dir.path, 'config.json');
    await writeFile(config, JSON.stringify({ queueRamMessages: 500 }));
    const data = join(dir.path, 'data');
    const first = await spawnBroker(data, { WARREN_CONFIG: config });
    try {
      const c = await connect(first.url);
      await c.declareQueue('kill-work');
      await c.declareQueue('kill-dead');
      // As dead-lettered from kill-work: an x-death entry naming it.
      const death = [{ count: 1, reason: 'rejected', queue: 'kill-work', exchange: '', 'routing-keys': ['kill-work'], time: 1 }];
      const publishes: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) publishes.push(c.publish('', 'kill-dead', `m${i}`, { messageId: `k${i}`, headers: { 'x-death': death } }));
      await Promise.all(publishes);
      await c.close();

      // Paced, so that the kill lands while the job is moving, whatever the machine's speed.
      const started = await call(first.httpUrl, 'POST', '/api/queues/%2F/kill-dead/redrive', { rate: 2000 });
      expect(started.status).toBe(202);
      await expect
        .poll(async () => (await call(first.httpUrl, 'GET', '/api/queues/%2F/kill-work')).body.messages_ready, { timeout: 20_000, interval: 5 })
        .toBeGreaterThan(0);
      await first.kill9();
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) await first.kill9();
    }

    const second = await spawnBroker(data, { WARREN_CONFIG: config });
    try {
      const [job] = (await call(second.httpUrl, 'GET', '/api/redrives')).body;
      expect(await redriveJobEnd(second.httpUrl, job.id)).toMatchObject({ state: 'completed', matched: total, moved: total });
      const c = await connect(second.url);
      const work = await depth(c, 'kill-work');
      const dead = await depth(c, 'kill-dead');
      expect([work, dead]).toEqual([total, 0]);
      const seen = new Map<string, number>();
      for (const queue of ['kill-work', 'kill-dead']) {
        const count = queue === 'kill-work' ? work : dead;
        for (const m of await take(c, queue, count, { noAck: true })) seen.set(m.properties.messageId!, (seen.get(m.properties.messageId!) ?? 0) + 1);
      }
      expect(seen.size).toBe(total);
      expect([...seen.values()].every((times) => times === 1)).toBe(true);
      await c.close();
    } finally {
      await second.stop();
      await dir.remove();
    }
  }, 120_000);
});
