/**
 * A failure group redriven by the error of its messages' last attempt (issue 22, Failures page):
 * consumers reject messages with different errors, the redrive filter's `last_error` (beside
 * `reason` and `source_queue`) picks one group: the dry run counts exactly it, the job moves
 * exactly it back, its progress is readable while it runs and DELETE cancels it. A malformed
 * `last_error` is refused and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';
import { depth, take } from '../support/messages.js';
import { redriveJobEnd } from '../support/redrive.js';

let broker: TestBroker;
let client: Client;
let n = 0;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const redrive = (queue: string, body: unknown) => api('POST', `/api/queues/%2F/${queue}/redrive`, body);

beforeAll(async () => {
  ({ broker, client } = await brokerWithClient());
  await client.declareExchange('last-error-dlx', 'direct');
});
afterAll(() => stopBoth(client, broker));

/** A work queue dead-lettering into its own dead queue, with `errors[i]` the error message i was rejected with. */
async function failed(errors: (string | undefined)[]): Promise<{ work: string; dead: string }> {
  const work = `last-error-${++n}`;
  const dead = `last-error-dead-${n}`;
  await client.declareQueue(dead, { durable: true });
  await client.bind(dead, 'last-error-dlx', work);
  await client.declareQueue(work, { durable: true, arguments: { 'x-dead-letter-exchange': 'last-error-dlx', 'x-dead-letter-routing-key': work } });
  for (let i = 0; i < errors.length; i++) await client.publish('', work, `m${i}`, { messageId: `m${i}` });
  const taken = await take(client, work, errors.length);
  taken.forEach((m, i) => m.reject({ requeue: false, ...(errors[i] === undefined ? {} : { error: errors[i] }) }));
  await expect.poll(() => depth(client, dead)).toBe(errors.length);
  return { work, dead };
}

describe('redrive filtered by the last attempt’s error', () => {
  it('dry-runs, then moves only the messages whose last attempt failed with that error', async () => {
    const { work, dead } = await failed(['timeout', 'bad json', 'timeout', undefined, 'timeout']);
    const group = { reason: 'rejected', source_queue: work, last_error: 'timeout' };
    expect((await redrive(dead, { dry_run: true, filter: group })).body).toEqual({ dry_run: true, matched: 3, groups: [{ to: { queue: work }, count: 3 }] });
    expect((await redrive(dead, { dry_run: true, filter: { ...group, last_error: null } })).body).toMatchObject({ matched: 1 });
    expect((await redrive(dead, { dry_run: true, filter: { ...group, last_error: 'no such error' } })).body).toMatchObject({ matched: 0 });
    expect(await depth(client, dead)).toBe(5);

    const started = await redrive(dead, { filter: group });
    expect(started.status).toBe(202);
    const job = await redriveJobEnd(broker.httpUrl, started.body.id as string);
    expect(job).toMatchObject({ state: 'completed', matched: 3, moved: 3, skipped: 0, remaining: 0, filter: group });
    const back = await take(client, work, 3, { noAck: true });
    expect(back.map((m) => m.text()).sort()).toEqual(['m0', 'm2', 'm4']);
    expect(back.every((m) => m.attempts.at(-1)?.error === 'timeout')).toBe(true);
    expect(await depth(client, dead)).toBe(2);
  });

  it('shows a paced job’s progress and cancels it where it got to', async () => {
    const errors = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 'bad json' : 'timeout'));
    const { work, dead } = await failed(errors);
    const started = await redrive(dead, { filter: { last_error: 'timeout' }, rate: 5 });
    const id = started.body.id as string;
    await expect.poll(async () => (await api('GET', `/api/redrives/${id}`)).body.moved, { timeout: 10_000 }).toBeGreaterThan(0);
    const running = (await api('GET', `/api/redrives/${id}`)).body;
    expect(running).toMatchObject({ state: 'running', matched: 20, filter: { last_error: 'timeout' } });
    expect(running.remaining).toBe(20 - running.moved - running.skipped);
    const stopped = (await api('DELETE', `/api/redrives/${id}`)).body;
    expect(stopped).toMatchObject({ id, state: 'stopped' });
    expect(stopped.moved).toBeLessThan(20);
    expect(await depth(client, work)).toBe(stopped.moved);
    expect(await depth(client, dead)).toBe(30 - stopped.moved);
  });

  it('refuses a last_error that is not text or null, or longer than the attempt log keeps, and moves nothing', async () => {
    const { dead } = await failed(['timeout']);
    expect(await redrive(dead, { dry_run: true, filter: { last_error: 42 } })).toMatchObject({ status: 400, body: { error: 'invalid_argument' } });
    expect(await redrive(dead, { filter: { last_error: 'x'.repeat(1025) } })).toMatchObject({ status: 400, body: { error: 'invalid_argument' } });
    expect(await depth(client, dead)).toBe(1);
  });
});
