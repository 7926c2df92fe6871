/**
 * Redrive as a job (issue 11, point 2): a filter (body, headers, JSON path, the dead-letter reason
 * and source queue from x-death), `to` origin or an exchange, `count`, `rate` and `dry_run`; a
 * job's progress at `GET /api/redrives/{id}`, the list at `GET /api/redrives`, `DELETE` stops it;
 * a kill -9 in the middle leaves every message in exactly one place and the job resumes. Bad
 * input (unknown queue or job, malformed filter, a rate of zero) gets a stable code and changes
 * nothing (point 7).
 */
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
const redrive = (queue: string, body: unknown) => api('POST', `/api/queues/%2F/${queue}/redrive`, body);

const death = (queue: string, reason: string) => [{ count: 1, reason, queue, exchange: '', 'routing-keys': [queue], time: 1 }];

let n = 0;
/**
 * A dead-letter queue holding, in order: m0…m(size-1), alternating between origins `a` and `b`;
 * every third died `expired`, the others `rejected`; the last two have no x-death at all.
 */
async function deadLetters(size: number): Promise<{ dlq: string; a: string; b: string }> {
  const id = ++n;
  const [dlq, a, b] = [`dlq-${id}`, `origin-a-${id}`, `origin-b-${id}`];
  for (const q of [dlq, a, b]) await client.declareQueue(q);
  for (let i = 0; i < size; i++) {
    const headers = i >= size - 2 ? { kind: 'orphan' } : { kind: 'order', 'x-death': death(i % 2 === 0 ? a : b, i % 3 === 0 ? 'expired' : 'rejected') };
    await client.publish('', dlq, { order: { id: i, vip: i % 4 === 0 } }, { messageId: `m${i}`, headers });
  }
  return { dlq, a, b };
}

const idsIn = async (queue: string, count: number) => (await take(client, queue, count, { noAck: true })).map((m) => m.properties.messageId);

beforeAll(async () => ({ broker, client } = await brokerWithClient({ queueRamMessages: 10 })));
afterAll(() => stopBoth(client, broker));

describe('dry run', () => {
  it('answers how many match and where each group would go, and moves nothing', async () => {
    const { dlq, a, b } = await deadLetters(12);
    expect((await redrive(dlq, { dry_run: true })).body).toEqual({
      dry_run: true,
      matched: 12,
      groups: [
        { to: { queue: a }, count: 5 },
        { to: { queue: b }, count: 5 },
        { to: null, count: 2 },
      ],
    });
    expect((await redrive(dlq, { dry_run: true, filter: { reason: 'expired' } })).body).toEqual({
      dry_run: true,
      matched: 4,
      groups: [
        { to: { queue: a }, count: 2 },
        { to: { queue: b }, count: 2 },
      ],
    });
    expect((await redrive(dlq, { dry_run: true, count: 3, to: { exchange: 'amq.direct', routing_key: 'x' } })).body).toEqual({
      dry_run: true,
      matched: 3,
      groups: [{ to: { exchange: 'amq.direct', routing_key: 'x' }, count: 3 }],
    });
    expect([await depth(client, dlq), await depth(client, a), await depth(client, b)]).toEqual([12, 0, 0]);
    expect((await api('GET', '/api/redrives')).body.filter((job: { queue: string }) => job.queue === dlq)).toEqual([]);
  });
});

describe('jobs', () => {
  it('move the messages matching the filter, reason and source queue, and show their progress', async () => {
    const { dlq, a, b } = await deadLetters(12);
    const done = await redriveAndWait(broker.httpUrl, dlq, { filter: { reason: 'rejected', source_queue: b } });
    expect(done).toMatchObject({
      vhost: '/',
      queue: dlq,
      state: 'completed',
      matched: 3,
      moved: 3,
      skipped: 0,
      remaining: 0,
      to: 'origin',
      filter: { reason: 'rejected', source_queue: b },
      count: null,
      rate: null,
    });
    expect(await idsIn(b, 3)).toEqual(['m1', 'm5', 'm7']);
    expect(await depth(client, a)).toBe(0);
    const listed = (await api('GET', '/api/redrives')).body as Array<{ id: string }>;
    expect(listed[0]!.id).toBe(done.id);
  });

  it('send to an exchange, with a JSON-path filter and a count', async () => {
    const { dlq } = await deadLetters(12);
    await client.declareExchange('parking-x', 'direct');
    await client.declareQueue('parking');
    await client.bind('parking', 'parking-x', 'park');
    const done = await redriveAndWait(broker.httpUrl, dlq, {
      to: { exchange: 'parking-x', routing_key: 'park' },
      filter: { json_path: '$.order.vip', equals: true },
      count: 2,
    });
    expect(done).toMatchObject({ state: 'completed', matched: 2, moved: 2, to: { exchange: 'parking-x', routing_key: 'park' } });
    expect(await idsIn('parking', 2)).toEqual(['m0', 'm4']);
    expect(await depth(client, dlq)).toBe(10);
  });

  it('leave in place, as skipped, what has nowhere to go', async () => {
    const { dlq } = await deadLetters(6);
    expect(await redriveAndWait(broker.httpUrl, dlq, { filter: { headers: { kind: 'orphan' } } })).toMatchObject({
      state: 'completed',
      matched: 2,
      moved: 0,
      skipped: 2,
    });
    expect(await depth(client, dlq)).toBe(6);
  });

  it('pace by rate, refuse a second job on the queue, and stop on DELETE where they got to', async () => {
    const { dlq, a, b } = await deadLetters(40);
    const started = await redrive(dlq, { rate: 5 });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await expect.poll(async () => (await api('GET', `/api/redrives/${id}`)).body.moved, { timeout: 10_000 }).toBeGreaterThan(0);
    const running = (await api('GET', `/api/redrives/${id}`)).body;
    expect(running).toMatchObject({ state: 'running', matched: 40, rate: 5 });
    expect(running.remaining).toBe(40 - running.moved - running.skipped);
    expect((await redrive(dlq, {})).body).toMatchObject({ error: 'in_use' });
    expect((await redrive(dlq, { ids: ['m39'] })).body).toMatchObject({ error: 'in_use' });

    const stopped = (await api('DELETE', `/api/redrives/${id}`)).body;
    expect(stopped).toMatchObject({ id, state: 'stopped' });
    expect(stopped.moved).toBeLessThan(38);
    expect(stopped.remaining).toBe(40 - stopped.moved - stopped.skipped);
    expect((await api('GET', `/api/redrives/${id}`)).body).toEqual(stopped);
    expect((await depth(client, a)) + (await depth(client, b))).toBe(stopped.moved);
    expect(await depth(client, dlq)).toBe(40 - stopped.moved);
    expect((await api('DELETE', `/api/redrives/${id}`)).body).toEqual(stopped);
  });

  it('move chosen ids at once, as before', async () => {
    const { dlq, a } = await deadLetters(6);
    // m4 is an orphan (no x-death): it stays, skipped.
    expect(await redrive(dlq, { ids: ['m2', 'm0', 'm4', 'nope'] })).toEqual({ status: 200, body: { moved: 2, skipped: 1 } });
    expect(texts(await take(client, a, 2, { noAck: true }))).toEqual(['{"order":{"id":0,"vip":true}}', '{"order":{"id":2,"vip":false}}']);
    expect(await depth(client, dlq)).toBe(4);
  });
});

describe('bad input changes nothing', () => {
  it('unknown queue or job, malformed filter, bad JSON path, a rate of zero or less', async () => {
    const { dlq } = await deadLetters(4);
    const jobsBefore = (await api('GET', '/api/redrives')).body.length;
    expect(await redrive('ghost', {})).toEqual({ status: 404, body: { error: 'queue_not_found', reason: "no queue 'ghost' in vhost '/'" } });
    expect(await api('GET', '/api/redrives/nope')).toEqual({ status: 404, body: { error: 'redrive_not_found', reason: "no redrive job 'nope'" } });
    expect((await api('DELETE', '/api/redrives/nope')).body.error).toBe('redrive_not_found');
    expect(await redrive(dlq, { filter: { json_path: '$.order[x]', equals: 1 } })).toEqual({
      status: 400,
      body: { error: 'invalid_argument', reason: "json_path '$.order[x]' at character 9: expected an array index (0, 1, …) or a quoted name inside '[ ]'" },
    });
    expect((await redrive(dlq, { dry_run: true, filter: { json_path: '$..x', equals: 1 } })).body.error).toBe('invalid_argument');
    expect((await redrive(dlq, { filter: { reason: 'bored' } })).body.reason).toContain("field 'filter.reason' = \"bored\": must be one of rejected");
    expect((await redrive(dlq, { filter: { nope: 1 } })).body.error).toBe('invalid_argument');
    expect(await redrive(dlq, { rate: 0 })).toEqual({ status: 400, body: { error: 'invalid_argument', reason: "field 'rate' = 0: must be > 0" } });
    expect((await redrive(dlq, { rate: -5 })).body.reason).toBe("field 'rate' = -5: must be > 0");
    expect((await redrive(dlq, { count: 0 })).body.error).toBe('invalid_argument');
    expect((await redrive(dlq, { to: 'somewhere' })).body.reason).toContain("field 'to' = \"somewhere\": must be one of origin");
    expect((await redrive(dlq, { to: { exchange: 'missing' } })).body).toEqual({ error: 'exchange_not_found', reason: "no exchange 'missing' in vhost '/'" });
    expect((await redrive(dlq, { ids: ['m1'], rate: 3 })).body.reason).toBe("give 'ids' or 'rate', not both");
    expect(await depth(client, dlq)).toBe(4);
    expect((await api('GET', '/api/redrives')).body.length).toBe(jobsBefore);
  });
});

describe('kill -9 in the middle of a job (run `npx tsc -b tsconfig.build.json` first)', () => {
  it('leaves every message in exactly one place; the job resumes after the restart and finishes', async () => {
    const total = 3000;
    const dir = await tempDir();
    const data = join(dir.path, 'data');
    let first = await spawnBroker(data);
    try {
      const c = await connect(first.url);
      for (const q of ['k.dlq', 'k.a', 'k.b']) await c.declareQueue(q);
      const publishes: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const headers = { 'x-death': death(i % 2 === 0 ? 'k.a' : 'k.b', 'rejected') };
        publishes.push(c.publish('', 'k.dlq', { i }, { messageId: `k${i}`, headers }));
      }
      await Promise.all(publishes);
      await c.close();
      const started = await call(first.httpUrl, 'POST', '/api/queues/%2F/k.dlq/redrive', { filter: { source_queue: 'k.a' }, rate: 500 });
      expect(started.status).toBe(202);
      await expect
        .poll(async () => (await call(first.httpUrl, 'GET', `/api/redrives/${started.body.id}`)).body.moved, { timeout: 20_000, interval: 10 })
        .toBeGreaterThan(100);
      await first.kill9();

      first = await spawnBroker(data);
      const resumed = await redriveJobEnd(first.httpUrl, started.body.id);
      expect(resumed).toMatchObject({ state: 'completed', matched: total / 2, moved: total / 2, skipped: 0, remaining: 0 });
      const after = await connect(first.url);
      const where = new Map<string, string[]>();
      for (const q of ['k.dlq', 'k.a', 'k.b']) {
        for (const m of await take(after, q, await depth(after, q), { noAck: true })) where.set(m.properties.messageId!, [...(where.get(m.properties.messageId!) ?? []), q]);
      }
      expect(where.size).toBe(total);
      for (let i = 0; i < total; i++) expect(where.get(`k${i}`)).toEqual([i % 2 === 0 ? 'k.a' : 'k.dlq']);
      await after.close();
    } finally {
      await first.kill9();
      await dir.remove();
    }
  }, 120_000);
});
