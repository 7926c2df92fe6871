/**
 * Scheduled messages you can manage (issue 10, parts 6 and 7): every delayed publish and retry
 * back-off is listed, cancelled and rescheduled through the HTTP API and through the client,
 * each change survives kill -9, and bad input changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Client, type WarrenError } from '@warren/client';
import { spawnBroker, tempDir, type BrokerProcess, type TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';
import { depth, take } from '../support/messages.js';

const LATER = 3_600_000;

let broker: TestBroker;
let client: Client;

beforeEach(async () => ({ broker, client } = await brokerWithClient()));
afterEach(() => stopBoth(client, broker));

const list = (query = '') => call(broker.httpUrl, 'GET', `/api/scheduled/%2F${query}`);

/** A durable direct exchange `events` routing key `k` to the durable queue `delayed`. */
async function delayedRoute(): Promise<void> {
  await client.declareExchange('events', 'direct');
  await client.declareQueue('delayed');
  await client.bind('delayed', 'events', 'k');
}

/** A message in `jobs` failed once and now waits for its retry back-off. */
async function retryWaiting(body: string): Promise<void> {
  await client.declareQueue('jobs', { arguments: { 'x-retry-delays': [LATER] } });
  await client.publish('', 'jobs', body);
  let nacked!: () => void;
  const failed = new Promise<void>((resolve) => (nacked = resolve));
  const consumer = await client.consume('jobs', (m) => (m.nack({ requeue: false }), nacked()));
  await failed;
  await consumer.cancel();
  expect(await depth(client, 'jobs')).toBe(0); // a reply after the nack: the retry is scheduled
}

async function rejection(work: Promise<unknown>): Promise<WarrenError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e as WarrenError,
  );
  expect(error).toBeDefined();
  return error!;
}

describe('GET /api/scheduled/{vhost}', () => {
  it('lists delayed publishes and retries with due time, destination, attempt and size', async () => {
    await delayedRoute();
    const before = Date.now();
    await client.publish('events', 'k', 'hello', { delay: LATER, persistent: true });
    const after = Date.now();
    await retryWaiting('abc');

    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body).toMatchObject({ page: 1, page_size: 100, page_count: 1, item_count: 2, filtered_count: 2, total_count: 2 });
    const delay = body.items.find((item: { reason: string }) => item.reason === 'delay');
    const retry = body.items.find((item: { reason: string }) => item.reason === 'retry');
    expect(delay).toMatchObject({ vhost: '/', exchange: 'events', routing_key: 'k', queue: null, attempt: 1, size: 5, durable: true });
    expect(delay.due).toBeGreaterThanOrEqual(before + LATER);
    expect(delay.due).toBeLessThanOrEqual(after + LATER);
    expect(delay.due_at).toBe(new Date(delay.due).toISOString());
    expect(retry).toMatchObject({ queue: 'jobs', exchange: null, routing_key: 'jobs', attempt: 2, size: 3 });
    expect(body.items[0].due).toBeLessThanOrEqual(body.items[1].due);

    const jobs = await list('?queue=jobs');
    expect(jobs.body.items.map((i: { id: string }) => i.id)).toEqual([retry.id]);
    expect(jobs.body).toMatchObject({ filtered_count: 1, total_count: 2 });
    const events = await list('?exchange=events');
    expect(events.body.items.map((i: { id: string }) => i.id)).toEqual([delay.id]);
  });

  it('pages through them earliest first', async () => {
    await delayedRoute();
    for (let i = 0; i < 5; i++) await client.publish('events', 'k', `m${i}`, { delay: LATER + i * 1_000 });
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const { body } = await list(`?page=${page}&page_size=2`);
      expect(body).toMatchObject({ page, page_size: 2, page_count: 3, filtered_count: 5, total_count: 5 });
      expect(body.item_count).toBe(page < 3 ? 2 : 1);
      seen.push(...body.items.map((i: { due: number }) => i.due));
    }
    expect(seen).toHaveLength(5);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect((await list('?page=4&page_size=2')).body).toMatchObject({ items: [], item_count: 0, page_count: 3 });
  });
});

describe('DELETE and PUT /api/scheduled/{vhost}/{id}', () => {
  it('cancels a message: it is gone, and a second cancel is scheduled_not_found', async () => {
    await retryWaiting('drop me');
    const [item] = (await list()).body.items;
    expect(await call(broker.httpUrl, 'DELETE', `/api/scheduled/%2F/${item.id}`)).toMatchObject({ status: 204 });
    expect((await list()).body).toMatchObject({ items: [], total_count: 0 });
    expect((await call(broker.httpUrl, 'GET', '/api/overview')).body.scheduled.pending).toBe(0);
    const again = await call(broker.httpUrl, 'DELETE', `/api/scheduled/%2F/${item.id}`);
    expect(again).toMatchObject({ status: 404, body: { error: 'scheduled_not_found' } });
    expect(await depth(client, 'jobs')).toBe(0);
  });

  it('reschedules to an ISO time, and a due time in the past delivers the message now', async () => {
    await delayedRoute();
    await client.publish('events', 'k', 'soon', { delay: LATER });
    const [item] = (await list()).body.items;
    const target = new Date(Date.now() + 2 * LATER);
    const moved = await call(broker.httpUrl, 'PUT', `/api/scheduled/%2F/${item.id}`, { due: target.toISOString() });
    expect(moved).toMatchObject({ status: 200, body: { id: item.id, due: target.getTime(), due_at: target.toISOString() } });
    expect((await list()).body.items[0].due).toBe(target.getTime());

    const arrived = take(client, 'delayed', 1);
    const now = await call(broker.httpUrl, 'PUT', `/api/scheduled/%2F/${item.id}`, { due: 0 });
    expect(now.status).toBe(200);
    expect(now.body.due).toBeGreaterThan(0);
    expect((await arrived).map((m) => m.text())).toEqual(['soon']);
    expect((await list()).body.total_count).toBe(0);
  });
});

describe('client.scheduled', () => {
  it('lists, cancels and reschedules over the connection', async () => {
    await delayedRoute();
    await client.publish('events', 'k', 'first', { delay: LATER });
    await client.publish('events', 'k', 'second', { delay: LATER + 1_000 });
    await retryWaiting('retried');

    const all = await client.scheduled.list();
    expect(all).toMatchObject({ page: 1, pageSize: 100, pageCount: 1, filtered: 3, total: 3 });
    const retries = await client.scheduled.list({ queue: 'jobs' });
    expect(retries.items).toEqual([expect.objectContaining({ reason: 'retry', queue: 'jobs', attempt: 2, size: 7, routingKey: 'jobs' })]);
    const delayed = await client.scheduled.list({ exchange: 'events', pageSize: 1, page: 2 });
    expect(delayed).toMatchObject({ page: 2, pageSize: 1, pageCount: 2, filtered: 2 });
    const [second] = delayed.items;
    expect(second).toMatchObject({ reason: 'delay', exchange: 'events', routingKey: 'k', attempt: 1, size: 6 });
    expect(second!.queue).toBeUndefined();

    await client.scheduled.cancel(retries.items[0]!.id);
    const arrived = take(client, 'delayed', 1);
    const moved = await client.scheduled.reschedule(second!.id, new Date(0));
    expect(moved.id).toBe(second!.id);
    expect((await arrived).map((m) => m.text())).toEqual(['second']);
    const left = await client.scheduled.list();
    expect(left.items.map((m) => m.routingKey)).toEqual(['k']);
    expect(left.total).toBe(1);
  });

  it('refuses an unknown id, a bad due time and bad paging with stable codes, changing nothing', async () => {
    await delayedRoute();
    await client.publish('events', 'k', 'stays', { delay: LATER });
    const before = await client.scheduled.list();
    const id = before.items[0]!.id;

    expect((await rejection(client.scheduled.cancel('no-such-id'))).code).toBe('scheduled_not_found');
    expect((await rejection(client.scheduled.reschedule('no-such-id', Date.now()))).code).toBe('scheduled_not_found');
    const badDue = await rejection(client.scheduled.reschedule(id, 'tomorrow'));
    expect(badDue.code).toBe('invalid_argument');
    expect(badDue.message).toContain('ISO 8601');
    expect((await rejection(client.scheduled.reschedule(id, -1))).code).toBe('frame_invalid');
    expect((await rejection(client.scheduled.list({ page: 0 }))).code).toBe('frame_invalid');
    expect((await rejection(client.scheduled.list({ pageSize: 501 }))).code).toBe('frame_invalid');
    expect((await rejection(client.scheduled.list({ queue: 'jobs', exchange: 'events' }))).code).toBe('invalid_argument');

    expect(await client.scheduled.list()).toEqual(before);
  });
});

describe('bad input over HTTP', () => {
  it('answers each with a stable code and a reason, and changes nothing', async () => {
    await delayedRoute();
    await client.publish('events', 'k', 'stays', { delay: LATER });
    const before = (await list()).body;
    const id = before.items[0].id;
    const cases: Array<[string, string, unknown, number, string]> = [
      ['DELETE', '/api/scheduled/%2F/no-such-id', undefined, 404, 'scheduled_not_found'],
      ['PUT', '/api/scheduled/%2F/no-such-id', { due: 0 }, 404, 'scheduled_not_found'],
      ['DELETE', `/api/scheduled/nowhere/${id}`, undefined, 404, 'vhost_not_found'],
      ['GET', '/api/scheduled/nowhere', undefined, 404, 'vhost_not_found'],
      ['PUT', `/api/scheduled/%2F/${id}`, { due: 'tomorrow' }, 400, 'invalid_argument'],
      ['PUT', `/api/scheduled/%2F/${id}`, { due: '2030-01-31T12:00:00' }, 400, 'invalid_argument'],
      ['PUT', `/api/scheduled/%2F/${id}`, { due: -1 }, 400, 'invalid_argument'],
      ['PUT', `/api/scheduled/%2F/${id}`, { due: true }, 400, 'invalid_argument'],
      ['PUT', `/api/scheduled/%2F/${id}`, {}, 400, 'invalid_argument'],
      ['PUT', `/api/scheduled/%2F/${id}`, undefined, 400, 'invalid_argument'],
      ['PUT', `/api/scheduled/%2F/${id}`, '{"due":', 400, 'invalid_argument'],
      ['GET', '/api/scheduled/%2F?page=0', undefined, 400, 'invalid_argument'],
      ['GET', '/api/scheduled/%2F?page=two', undefined, 400, 'invalid_argument'],
      ['GET', '/api/scheduled/%2F?page_size=501', undefined, 400, 'invalid_argument'],
      ['GET', '/api/scheduled/%2F?page=1&page=2', undefined, 400, 'invalid_argument'],
      ['GET', '/api/scheduled/%2F?pagesize=10', undefined, 400, 'invalid_argument'],
      ['GET', '/api/scheduled/%2F?queue=jobs&exchange=events', undefined, 400, 'invalid_argument'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const reply = await call(broker.httpUrl, method, path, body);
      expect({ method, path, body, status: reply.status, error: reply.body?.error }).toEqual({ method, path, body, status, error: code });
      expect(reply.body.reason, `${method} ${path}`).toEqual(expect.any(String));
    }
    expect((await list()).body).toEqual(before);
  });
});

describe('across kill -9', () => {
  let running: BrokerProcess | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  afterEach(async () => {
    await running?.kill9();
    await dir?.remove();
  });

  it('keeps a cancel and a reschedule once they were answered', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const first = await connect(running.url);
    await first.declareQueue('delayed');
    for (const text of ['cancelled', 'moved', 'untouched']) await first.publish('', 'delayed', text, { delay: LATER, persistent: true });
    const [cancelled, moved, untouched] = (await first.scheduled.list()).items;
    await first.scheduled.cancel(cancelled!.id);
    const target = Date.now() + 2 * LATER;
    await call(running.httpUrl, 'PUT', `/api/scheduled/%2F/${moved!.id}`, { due: target });
    await running.kill9();

    running = await spawnBroker(dir.path);
    const after = await connect(running.url);
    const { items } = await after.scheduled.list();
    expect(items.map((m) => [m.id, m.due])).toEqual([
      [untouched!.id, untouched!.due],
      [moved!.id, target],
    ]);
    await after.close();
  });
});
