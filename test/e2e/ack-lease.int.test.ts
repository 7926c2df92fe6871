/**
 * Ack leases (docs/protocol.md, "Ack leases"): a delivery not settled within its lease is taken
 * back alone; the consumer and its connection stay open and keep receiving; a late settle gets
 * `delivery_expired` for that delivery only; `m.extend(ms)` renews the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client, type Message, type WarrenError } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { call } from '../support/http.js';
import { depth, take } from '../support/messages.js';

let broker: TestBroker;
let client: Client;
let n = 0;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

/** Errors the broker reports outside any request, as the client hands them to onError. */
function collectErrors(c: Client): WarrenError[] {
  const errors: WarrenError[] = [];
  c.onError = (error) => errors.push(error);
  return errors;
}

/**
 * A consumer that keeps every delivery unsettled; `nth(k)` resolves with the k-th delivery
 * (1-based). Deliveries from the `extendFrom`-th on get their lease renewed for a minute as they
 * arrive, so that a slow test run does not let them expire too.
 */
async function holdAll(c: Client, queue: string, options: { prefetch?: number; ackTimeout?: number; extendFrom?: number } = {}) {
  const { extendFrom = Number.POSITIVE_INFINITY, ...consume } = options;
  const got: Message[] = [];
  const waiters = new Map<number, (m: Message) => void>();
  const consumer = await c.consume(
    queue,
    (m) => {
      got.push(m);
      if (got.length >= extendFrom) m.extend(60_000);
      waiters.get(got.length)?.(m);
    },
    { prefetch: 1, ...consume },
  );
  const nth = (k: number): Promise<Message> => (got[k - 1] ? Promise.resolve(got[k - 1]!) : new Promise((resolve) => waiters.set(k, resolve)));
  return { got, nth, consumer };
}

describe('ack leases', () => {
  it('takes back one expired delivery; the consumer keeps receiving on the same connection', async () => {
    const queue = `lease-${++n}`;
    await client.declareQueue(queue, { arguments: { 'x-ack-timeout': 300 } });
    await client.publish('', queue, 'slow');
    await client.publish('', queue, 'next');
    const errors = collectErrors(client);
    const { nth, consumer } = await holdAll(client, queue, { extendFrom: 2 });
    const first = await nth(1);
    expect(first.text()).toBe('slow');
    // prefetch 1: the second delivery can only come once the lease freed the credit.
    const second = await nth(2);
    expect(second.text()).toBe('slow');
    expect(second.deliveryCount).toBe(2);
    expect(second.redelivered).toBe(true);
    expect(second.attempts).toMatchObject([{ attempt: 1, reason: 'ack_timeout', queue, consumer_tag: consumer.tag }]);

    first.ack();
    second.ack();
    const third = await nth(3);
    expect(third.text()).toBe('next');
    third.ack();
    expect(await depth(client, queue)).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['delivery_expired']);
    await consumer.cancel();
  });

  it('renews a lease with m.extend while the work goes on', async () => {
    const queue = `lease-${++n}`;
    await client.declareQueue(queue);
    await client.publish('', queue, 'long job');
    await client.publish('', queue, 'forgotten');
    const errors = collectErrors(client);
    const { nth, consumer } = await holdAll(client, queue, { prefetch: 2, ackTimeout: 1_000 });
    const [long, forgotten] = [await nth(1), await nth(2)];
    long.extend(60_000);
    // The forgotten one's lease ended no earlier than the long job's first lease would have.
    const back = await nth(3);
    expect(back.text()).toBe('forgotten');
    long.ack();
    back.ack();
    expect(await depth(client, queue)).toBe(0);
    expect(errors).toEqual([]);
    expect(forgotten.deliveryCount).toBe(1);
    await consumer.cancel();
  });

  it('counts expiries against delivery-limit, then dead-letters with both attempts logged', async () => {
    const queue = `lease-${++n}`;
    const dead = `${queue}-dead`;
    await client.declareQueue(dead);
    await client.declareQueue(queue, {
      arguments: { 'x-ack-timeout': 100, 'x-delivery-limit': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead },
    });
    await client.publish('', queue, 'stuck');
    const { nth, consumer } = await holdAll(client, queue, { prefetch: 0 });
    await nth(2);
    const [last] = await take(client, dead, 1);
    expect((last!.headers['x-death'] as { reason: string }[])[0]!.reason).toBe('delivery_limit');
    expect(last!.attempts.map((a) => a.reason)).toEqual(['ack_timeout', 'ack_timeout']);
    last!.ack();
    await consumer.cancel();
  });

  it('takes the ack timeout from a policy, and a consume option of 0 turns it off', async () => {
    const queue = `lease-${++n}`;
    expect((await call(broker.httpUrl, 'PUT', `/api/policies/%2F/${queue}`, { pattern: `^${queue}$`, 'apply-to': 'queues', definition: { 'ack-timeout': 300 } })).status).toBe(201);
    await client.declareQueue(queue);
    await client.publish('', queue, 'a');
    await client.publish('', queue, 'b');
    const patient = await connect(broker.url);
    const kept = await holdAll(patient, queue, { prefetch: 1, ackTimeout: 0 });
    const a = await kept.nth(1);
    const { nth, consumer } = await holdAll(client, queue, { prefetch: 1, extendFrom: 2 });
    const b1 = await nth(1);
    const b2 = await nth(2);
    expect([b1.text(), b2.text(), b2.attempts[0]?.reason]).toEqual(['b', 'b', 'ack_timeout']);
    a.ack();
    b2.ack();
    expect(await depth(client, queue)).toBe(0);
    await consumer.cancel();
    await patient.close();
  });
});

describe('ack leases: bad input', () => {
  it('answers a late settle or extend of a taken-back or acked delivery, or a negative extend, for that delivery only', async () => {
    const leased = `lease-${++n}`;
    const dead = `${leased}-dead`;
    const plain = `${leased}-plain`;
    await client.declareQueue(dead);
    await client.declareQueue(plain);
    await client.declareQueue(leased, { arguments: { 'x-ack-timeout': 100, 'x-delivery-limit': 0, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
    await client.publish('', leased, 'expires');
    await client.publish('', plain, 'acked');
    const other = await connect(broker.url);
    const errors = collectErrors(other);
    const lapsing = await holdAll(other, leased);
    const expired = await lapsing.nth(1);
    await take(client, dead, 1);
    const holding = await holdAll(other, plain);
    const acked = await holding.nth(1);
    acked.ack();

    expired.extend(1_000);
    expired.nack({ error: 'too late' });
    acked.extend(1_000);
    acked.extend(-5);
    await other.declareQueue(plain, { passive: true });
    expect(errors.map((e) => e.code)).toEqual(['delivery_expired', 'delivery_expired', 'unknown_delivery_tag', 'frame_invalid']);
    expect(errors[0]!.message).toContain('ack lease expired');
    expect([await depth(other, leased), await depth(other, plain), await depth(other, dead)]).toEqual([0, 0, 0]);
    await other.close();
  });

  it('refuses a negative or fractional ack timeout on consume, queue and policy', async () => {
    const queue = `lease-${++n}`;
    await client.declareQueue(queue);
    await expect(client.consume(queue, () => {}, { ackTimeout: -1 })).rejects.toMatchObject({ code: 'frame_invalid' });
    await expect(client.consume(queue, () => {}, { ackTimeout: 1.5 })).rejects.toMatchObject({ code: 'frame_invalid' });
    await expect(client.declareQueue(`${queue}-bad`, { arguments: { 'x-ack-timeout': -100 } })).rejects.toMatchObject({ code: 'invalid_argument' });
    const policy = await call(broker.httpUrl, 'PUT', `/api/policies/%2F/${queue}-bad`, { pattern: 'x', definition: { 'ack-timeout': -1 } });
    expect([policy.status, policy.body.error]).toEqual([400, 'invalid_argument']);
    expect((await client.declareQueue(queue, { passive: true })).consumerCount).toBe(0);
  });

  it('refuses a lease under 100 ms everywhere, so a consumer cannot turn its deliveries into a redelivery loop', async () => {
    const queue = `lease-${++n}`;
    await client.declareQueue(queue);
    await client.publish('', queue, 'once');
    const refused = await client.consume(queue, () => {}, { ackTimeout: 1, prefetch: 0 }).catch((error: WarrenError) => error);
    expect(refused).toMatchObject({ code: 'invalid_argument' });
    expect((refused as WarrenError).message).toContain('100 ms minimum');
    await expect(client.declareQueue(`${queue}-short`, { arguments: { 'x-ack-timeout': 99 } })).rejects.toMatchObject({ code: 'invalid_argument' });
    const policy = await call(broker.httpUrl, 'PUT', `/api/policies/%2F/${queue}-short`, { pattern: 'x', definition: { 'ack-timeout': 1 } });
    expect([policy.status, policy.body.error]).toEqual([400, 'invalid_argument']);
    const errors = collectErrors(client);
    const held = await holdAll(client, queue, { ackTimeout: 60_000 });
    const first = await held.nth(1);
    first.extend(99);
    first.ack();
    await client.declareQueue(queue, { passive: true });
    expect(errors.map((e) => e.code)).toEqual(['frame_invalid']);
    expect([held.got.length, await depth(client, queue)]).toEqual([1, 0]);
    await held.consumer.cancel();
  });
});
