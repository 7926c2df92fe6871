/** Retry with back-off and delayed publishes through the client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Message } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take } from '../support/messages.js';

let broker: TestBroker;
let client: Client;
let n = 0;

beforeAll(async () => {
  ({ broker, client } = await brokerWithClient());
  await client.declareExchange('retry-dlx', 'direct');
});
afterAll(() => stopBoth(client, broker));

async function retryingQueue(args: Record<string, unknown>): Promise<{ work: string; dead: string }> {
  const work = `retry-${++n}`;
  const dead = `retry-dead-${n}`;
  await client.declareQueue(dead);
  await client.bind(dead, 'retry-dlx', work);
  await client.declareQueue(work, { arguments: { 'x-dead-letter-exchange': 'retry-dlx', 'x-dead-letter-routing-key': work, ...args } });
  return { work, dead };
}

/** Nacks (without requeue) every delivery until `attempts` arrived; returns them with their arrival times. */
async function failEvery(queue: string, attempts: number, fail: (m: Message) => void): Promise<{ m: Message; at: number }[]> {
  const seen: { m: Message; at: number }[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = await client.consume(queue, (m) => {
    seen.push({ m, at: Date.now() });
    fail(m);
    if (seen.length === attempts) done();
  });
  await finished;
  await consumer.cancel();
  return seen;
}

describe('retry with back-off', () => {
  it('redelivers a nacked message after each delay of the ladder, then dead-letters it', async () => {
    const { work, dead } = await retryingQueue({ 'x-retry-delays': [100, 200], 'x-retry-max-attempts': 3 });
    await client.publish('', work, 'flaky');
    const seen = await failEvery(work, 3, (m) => m.nack({ requeue: false }));
    expect(seen.map((s) => s.m.attempt)).toEqual([1, 2, 3]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(95);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(195);
    const [last] = await take(client, dead, 1);
    expect(last!.text()).toBe('flaky');
    expect((last!.headers['x-death'] as { reason: string }[])[0]!.reason).toBe('retries_exhausted');
    expect(last!.headers['x-warren-attempt']).toBe(3);
    expect(await depth(client, work)).toBe(0);
  });

  it('backs off exponentially with m.retry(), and takes an explicit delay', async () => {
    const { work } = await retryingQueue({ 'x-retry-initial-delay': 50, 'x-retry-multiplier': 3, 'x-retry-max-attempts': 5 });
    await client.publish('', work, 'again');
    const seen = await failEvery(work, 3, (m) => m.retry());
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(45);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(145);
    const [explicit] = await failEvery(work, 1, (m) => m.retry({ delay: 10 }));
    expect(explicit!.m.attempt).toBe(4);
    explicit!.m.ack();
  });

  it('keeps an immediate requeue (nack with requeue) outside the back-off', async () => {
    const { work } = await retryingQueue({ 'x-retry-delays': [10_000] });
    await client.publish('', work, 'now');
    const seen = await failEvery(work, 2, (m) => (m.deliveryCount === 1 ? m.nack({ requeue: true }) : m.ack()));
    expect(seen.map((s) => [s.m.redelivered, s.m.attempt])).toEqual([
      [false, 1],
      [true, 1],
    ]);
  });
});

describe('delayed publish', () => {
  it('routes a message only once its delay has passed, and confirms it when stored', async () => {
    const { queue } = await client.declareQueue('', { exclusive: true });
    const sent = Date.now();
    await client.publish('', queue, 'later', { delay: 150 });
    await client.publish('', queue, 'now');
    const [first, second] = await take(client, queue, 2);
    expect(first!.text()).toBe('now');
    expect(second!.text()).toBe('later');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(145);
  });
});
