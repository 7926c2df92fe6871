/**
 * Failure groups over HTTP (issue 22, Failures page): 1,500 dead letters in two dead-letter
 * queues, rejected from three work queues with different last errors, are grouped with exact
 * counts by `GET /api/queues/{vhost}/{name}/failures` and, across the vhost's dead-letter queues,
 * by `GET /api/failures/{vhost}`; the queue is read past its in-RAM part. Each group's filter
 * browses (`POST …/get`) and dry-runs a redrive of exactly its messages. Bad queries are refused;
 * a user sees the groups only of the dead-letter queues it may read.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Client } from '@warren/client';
import { FAILURES_QUERY_SCHEMA } from '@warren/protocol';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';
import { depth, take } from '../support/messages.js';
import { basic, callAs, createUser } from '../support/security.js';

let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);

/** Publishes `errors.length` messages to `work` (ids from `${work}-${first}`), then rejects each with its error (none when undefined). */
async function deadLetter(work: string, errors: (string | undefined)[], first = 0): Promise<void> {
  await Promise.all(errors.map((_, i) => client.publish('', work, `${work}-${first + i}`, { messageId: `${work}-${first + i}` })));
  const taken = await take(client, work, errors.length);
  taken.forEach((m) => {
    const error = errors[Number(m.text().slice(work.length + 1)) - first];
    m.reject({ requeue: false, ...(error === undefined ? {} : { error }) });
  });
}

beforeAll(async () => {
  // Few messages in RAM: the scan has to read the store too.
  ({ broker, client } = await brokerWithClient({ queueRamMessages: 100 }));
  await client.declareExchange('fail-dlx', 'direct');
  await client.declareQueue('failures.dlq', { durable: true });
  await client.bind('failures.dlq', 'fail-dlx', 'dead');
  for (const work of ['orders', 'mail']) {
    await client.declareQueue(work, { durable: true, arguments: { 'x-dead-letter-exchange': 'fail-dlx', 'x-dead-letter-routing-key': 'dead' } });
  }
  // Through the default exchange, by the dead-letter routing key.
  await client.declareQueue('billing.dlq', { durable: true });
  await client.declareQueue('billing', { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'billing.dlq' } });
  await client.declareQueue('unrelated', { durable: true });
  await client.publish('', 'unrelated', 'not a dead letter');

  await deadLetter('orders', Array.from({ length: 900 }, (_, i) => (i % 3 === 0 ? 'bad json' : 'timeout')));
  await deadLetter('mail', Array.from({ length: 400 }, () => undefined));
  await deadLetter('billing', Array.from({ length: 200 }, () => 'card declined'));
  await vi.waitFor(async () => expect(await depth(client, 'failures.dlq')).toBe(1300), { timeout: 20_000, interval: 20 });
  await vi.waitFor(async () => expect(await depth(client, 'billing.dlq')).toBe(200), { timeout: 20_000, interval: 20 });
});
afterAll(() => stopBoth(client, broker));

const shape = (groups: Array<Record<string, unknown>>) => groups.map((g) => [g.queue, g.reason, g.source_queue, g.last_error, g.count]);

describe('GET /api/queues/{vhost}/{name}/failures', () => {
  it('groups the whole queue by reason, source queue and last error, with exact counts, biggest first', async () => {
    expect((await api('GET', '/api/queues/%2F/failures.dlq')).body.messages_paged_out).toBeGreaterThan(0);
    const started = performance.now();
    const reply = await api('GET', '/api/queues/%2F/failures.dlq/failures');
    process.stdout.write(`grouped 1,300 dead letters in ${(performance.now() - started).toFixed(0)} ms\n`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ vhost: '/', queues: ['failures.dlq'], scanned: 1300, ungrouped: 0 });
    expect(shape(reply.body.groups)).toEqual([
      ['failures.dlq', 'rejected', 'orders', 'timeout', 600],
      ['failures.dlq', 'rejected', 'mail', null, 400],
      ['failures.dlq', 'rejected', 'orders', 'bad json', 300],
    ]);
    for (const g of reply.body.groups) {
      expect(g.filter).toEqual({ reason: 'rejected', source_queue: g.source_queue, last_error: g.last_error });
      expect(Date.parse(g.oldest)).toBeLessThanOrEqual(Date.parse(g.newest));
      expect(Math.abs(Date.now() - Date.parse(g.newest))).toBeLessThan(10 * 60_000);
    }
  });

  it("each group's filter browses and dry-runs exactly its messages", async () => {
    const { groups } = (await api('GET', '/api/queues/%2F/failures.dlq/failures')).body;
    const badJson = groups.find((g: { last_error: string | null }) => g.last_error === 'bad json');
    const browsed = (await api('POST', '/api/queues/%2F/failures.dlq/get', { mode: 'peek', count: 10_000, filter: badJson.filter })).body;
    expect(browsed.map((m: { id: string }) => m.id).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `orders-${i * 3}`).sort());
    const page = (await api('POST', '/api/queues/%2F/failures.dlq/get', { mode: 'peek', count: 50, offset: 250, filter: badJson.filter })).body;
    expect(page.map((m: { id: string }) => m.id)).toEqual(browsed.slice(250).map((m: { id: string }) => m.id));
    for (const g of groups) {
      const plan = (await api('POST', '/api/queues/%2F/failures.dlq/redrive', { dry_run: true, filter: g.filter })).body;
      expect(plan).toEqual({ dry_run: true, matched: g.count, groups: [{ to: { queue: g.source_queue }, count: g.count }] });
    }
    expect(await depth(client, 'failures.dlq')).toBe(1300);
  });

  it('keeps at most max_groups groups and counts the rest as ungrouped', async () => {
    const { body } = await api('GET', '/api/queues/%2F/failures.dlq/failures?max_groups=2');
    expect(body.groups).toHaveLength(2);
    expect(body.scanned).toBe(1300);
    expect(body.ungrouped + body.groups.reduce((sum: number, g: { count: number }) => sum + g.count, 0)).toBe(1300);
    expect(body.ungrouped).toBeGreaterThan(0);
  });

  it('refuses a bad query and an unknown queue', async () => {
    for (const query of ['max_groups=0', 'max_groups=abc', 'max_groups=10001', 'sort=count']) {
      expect(await api('GET', `/api/queues/%2F/failures.dlq/failures?${query}`), query).toMatchObject({ status: 400, body: { error: 'invalid_argument' } });
    }
    expect(await api('GET', '/api/queues/%2F/nope/failures')).toMatchObject({ status: 404, body: { error: 'queue_not_found' } });
  });

  it('is in the OpenAPI document with the schema that checks its query', async () => {
    const { paths } = (await api('GET', '/api/openapi.json')).body;
    for (const path of ['/api/queues/{vhost}/{name}/failures', '/api/failures/{vhost}']) {
      const maxGroups = paths[path].get.parameters.find((p: { name: string }) => p.name === 'max_groups');
      expect(maxGroups, path).toMatchObject({ in: 'query', schema: (FAILURES_QUERY_SCHEMA.properties as Record<string, unknown>).max_groups });
    }
  });
});

describe('GET /api/failures/{vhost}', () => {
  it("groups every dead-letter queue of the vhost, and only those", async () => {
    const { body } = await api('GET', '/api/failures/%2F');
    expect(body).toMatchObject({ vhost: '/', queues: ['billing.dlq', 'failures.dlq'], scanned: 1500, ungrouped: 0 });
    expect(shape(body.groups)).toEqual([
      ['failures.dlq', 'rejected', 'orders', 'timeout', 600],
      ['failures.dlq', 'rejected', 'mail', null, 400],
      ['failures.dlq', 'rejected', 'orders', 'bad json', 300],
      ['billing.dlq', 'rejected', 'billing', 'card declined', 200],
    ]);
    expect(await api('GET', '/api/failures/nowhere')).toMatchObject({ status: 404, body: { error: 'vhost_not_found' } });
  });

  it('shows a user only the dead-letter queues it may read; one queue it may not read is refused', async () => {
    await createUser(broker.httpUrl, undefined, 'billing-ops', 'pw', ['management'], { '/': { configure: '', write: '', read: '^billing\\.dlq$' } });
    const user = basic('billing-ops', 'pw');
    const { body } = await callAs(broker.httpUrl, user, 'GET', '/api/failures/%2F');
    expect(body.queues).toEqual(['billing.dlq']);
    expect(shape(body.groups)).toEqual([['billing.dlq', 'rejected', 'billing', 'card declined', 200]]);
    expect((await callAs(broker.httpUrl, user, 'GET', '/api/queues/%2F/failures.dlq/failures')).status).toBe(403);
  });
});

describe('after the queue changes', () => {
  it('counts the new dead letters and forgets the redriven ones', async () => {
    expect(shape((await api('GET', '/api/queues/%2F/billing.dlq/failures')).body.groups)).toEqual([['billing.dlq', 'rejected', 'billing', 'card declined', 200]]);
    await deadLetter('billing', Array.from({ length: 5 }, () => 'expired card'), 200);
    await vi.waitFor(async () => expect(await depth(client, 'billing.dlq')).toBe(205), { timeout: 20_000, interval: 20 });
    expect(shape((await api('GET', '/api/queues/%2F/billing.dlq/failures')).body.groups)).toEqual([
      ['billing.dlq', 'rejected', 'billing', 'card declined', 200],
      ['billing.dlq', 'rejected', 'billing', 'expired card', 5],
    ]);
    const moved = await api('POST', '/api/queues/%2F/billing.dlq/redrive', { ids: ['billing-0', 'billing-1', 'billing-2'] });
    expect(moved.body).toEqual({ moved: 3, skipped: 0 });
    expect(shape((await api('GET', '/api/failures/%2F')).body.groups).slice(-2)).toEqual([
      ['billing.dlq', 'rejected', 'billing', 'card declined', 197],
      ['billing.dlq', 'rejected', 'billing', 'expired card', 5],
    ]);
  });
});
