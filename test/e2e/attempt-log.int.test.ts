/**
 * The attempt log (docs/retry.md, "Attempt log"): every failed attempt at a message adds an
 * entry to its `x-warren-attempts` header, seen as `m.attempts` and in a peek, kept through
 * requeues, retries, dead-lettering, redrive and a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client, type WarrenError } from '@warren/client';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';
import { depth, take } from '../support/messages.js';
import { RawClient } from '../support/raw-client.js';

let broker: TestBroker;
let client: Client;
let n = 0;

beforeAll(async () => {
  ({ broker, client } = await brokerWithClient());
  await client.declareExchange('attempts-dlx', 'direct');
});
afterAll(() => stopBoth(client, broker));

/** A work queue dead-lettering to its own dead queue. */
async function workQueue(args: Record<string, unknown> = {}): Promise<{ work: string; dead: string }> {
  const work = `attempts-${++n}`;
  const dead = `attempts-dead-${n}`;
  await client.declareQueue(dead, { durable: true });
  await client.bind(dead, 'attempts-dlx', work);
  await client.declareQueue(work, { durable: true, arguments: { 'x-dead-letter-exchange': 'attempts-dlx', 'x-dead-letter-routing-key': work, ...args } });
  return { work, dead };
}

describe('attempt log', () => {
  it('records each nack, reject and retry with its error, and the dead letter carries them all', async () => {
    const { work, dead } = await workQueue({ 'x-retry-delays': [1], 'x-retry-max-attempts': 2 });
    await client.publish('', work, 'flaky');
    const [first] = await take(client, work, 1);
    first!.nack({ requeue: true, error: 'timeout calling the payment API' });
    const [second] = await take(client, work, 1);
    expect(second!.attempts).toMatchObject([{ attempt: 1, queue: work, reason: 'nack', error: 'timeout calling the payment API' }]);
    second!.retry({ error: new Error('still failing') });
    const [third] = await take(client, work, 1);
    expect(third!.attempt).toBe(2);
    third!.reject({ requeue: false, error: 'x'.repeat(3000) });

    const [last] = await take(client, dead, 1);
    const log = last!.attempts;
    expect(log.map((a) => [a.attempt, a.reason, a.queue])).toEqual([
      [1, 'nack', work],
      [2, 'retry', work],
      [3, 'reject', work],
    ]);
    expect(log[1]!.error).toBe('still failing');
    expect(log[2]!.error).toHaveLength(1024);
    expect(log.every((a) => a.consumer_tag !== null && a.connection !== null && a.time > 0)).toBe(true);
    expect((last!.headers['x-death'] as { reason: string }[])[0]!.reason).toBe('retries_exhausted');
    last!.ack();
  });

  it('shows the log in a peek, and keeps it through a redrive', async () => {
    const { work, dead } = await workQueue();
    await client.publish('', work, 'bad', { messageId: `bad-${n}` });
    const [m] = await take(client, work, 1);
    m!.reject({ requeue: false, error: 'schema mismatch' });
    expect(await depth(client, dead)).toBe(1);
    const peek = await call(broker.httpUrl, 'POST', `/api/queues/%2F/${dead}/get`, { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' });
    expect(peek.body[0].properties.headers['x-warren-attempts']).toMatchObject([{ attempt: 1, reason: 'reject', error: 'schema mismatch' }]);

    const redrive = await call(broker.httpUrl, 'POST', `/api/queues/%2F/${dead}/redrive`, { ids: [`bad-${n}`] });
    expect(redrive.status).toBeLessThan(300);
    const [back] = await take(client, work, 1);
    expect(back!.attempts.map((a) => a.error)).toEqual(['schema mismatch']);
    back!.nack({ requeue: false, error: 'again' });
    const [twice] = await take(client, dead, 1);
    expect(twice!.attempts.map((a) => [a.attempt, a.error])).toEqual([
      [1, 'schema mismatch'],
      [2, 'again'],
    ]);
    twice!.ack();
  });

  it('keeps the newest entries only, as many as the policy key attempt-log-limit says', async () => {
    const { work } = await workQueue();
    const policy = await call(broker.httpUrl, 'PUT', `/api/policies/%2F/attempts-${n}`, { pattern: `^${work}$`, 'apply-to': 'queues', definition: { 'attempt-log-limit': 2 } });
    expect(policy.status).toBe(201);
    await client.publish('', work, 'loops');
    for (let i = 1; i <= 4; i++) {
      const [m] = await take(client, work, 1);
      m!.nack({ error: `failure ${i}` });
    }
    const [m] = await take(client, work, 1);
    expect(m!.attempts.map((a) => [a.attempt, a.error])).toEqual([
      [3, 'failure 3'],
      [4, 'failure 4'],
    ]);
    m!.ack();
  });

  it('logs a consumer whose connection closed without settling, and keeps the log across a restart', async () => {
    const dir = await tempDir();
    const own = await startBroker({}, dir.path);
    const first = await connect(own.url);
    await first.declareQueue('restart-log', { durable: true });
    await first.publish('', 'restart-log', 'survivor');
    const [m] = await take(first, 'restart-log', 1);
    m!.nack({ error: 'crashed once' });
    await take(first, 'restart-log', 1);
    await first.close();
    await own.close();

    const again = await startBroker({}, dir.path);
    const after = await connect(again.url);
    const [survivor] = await take(after, 'restart-log', 1);
    expect(survivor!.attempts.map((a) => [a.reason, a.error])).toEqual([
      ['nack', 'crashed once'],
      ['connection_closed', null],
    ]);
    survivor!.ack();
    await after.close();
    await again.dispose();
    await dir.remove();
  });
});

describe('attempt log: bad input', () => {
  it('answers an error that is not a string with frame_invalid and leaves the delivery unsettled', async () => {
    const queue = `attempts-raw-${++n}`;
    await client.declareQueue(queue);
    await client.publish('', queue, 'x');
    const raw = await RawClient.open(broker.url);
    await raw.request({ type: 'consume', queue, prefetch: 1 });
    const delivery = await raw.next((f) => f.header.type === 'deliver');
    const tag = delivery.header.delivery_tag as number;
    for (const error of [42, { text: 'no' }, null]) {
      raw.send({ type: 'nack', delivery_tag: tag, requeue: false, error });
      raw.send({ type: 'reject', delivery_tag: tag, error });
      raw.send({ type: 'retry', delivery_tag: tag, error });
    }
    const reply = await raw.request({ type: 'queue.declare', queue, passive: true });
    const errors = raw.frames.filter((f) => f.header.type === 'error').map((f) => f.header.code);
    expect(errors).toEqual(Array(9).fill('frame_invalid'));
    expect(reply.header).toMatchObject({ type: 'ok', message_count: 0 });
    raw.send({ type: 'ack', delivery_tag: tag });
    await raw.request({ type: 'queue.declare', queue, passive: true });
    expect(raw.frames.filter((f) => f.header.type === 'error')).toHaveLength(9);
    await raw.close();
  });

  it('refuses a bad error in the client before anything is sent', async () => {
    const queue = `attempts-client-${++n}`;
    await client.declareQueue(queue);
    await client.publish('', queue, 'x');
    const [m] = await take(client, queue, 1);
    let thrown: WarrenError | undefined;
    try {
      m!.nack({ error: 7 as unknown as string });
    } catch (error) {
      thrown = error as WarrenError;
    }
    expect(thrown?.code).toBe('frame_invalid');
    expect(m!.settled).toBe(false);
    m!.ack();
    expect(await depth(client, queue)).toBe(0);
  });
});
