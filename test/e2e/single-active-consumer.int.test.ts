/**
 * x-single-active-consumer through the client and the HTTP API: only the first consumer gets
 * messages; when it is cancelled or its connection closes with unacked deliveries, the next one
 * gets them back first, in order and redelivered, then the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, texts } from '../support/messages.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

const bodies = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];

async function api(path: string): Promise<unknown> {
  const response = await fetch(`${broker.httpUrl}${path}`);
  expect(response.status).toBe(200);
  return response.json();
}

/** A SAC queue with two consumers on two connections; the first holds three unacked deliveries, the second nothing. */
async function twoConsumers(queue: string) {
  await client.declareQueue(queue, { arguments: { 'x-single-active-consumer': true } });
  const first = await connect(broker.url);
  const held: Message[] = [];
  const active = await first.consume(queue, (m) => void held.push(m), { prefetch: 3, consumerTag: `${queue}-first` });
  const got: Message[] = [];
  await client.consume(queue, (m) => void got.push(m), { consumerTag: `${queue}-second` });
  await Promise.all(bodies.map((b) => client.publish('', queue, b)));
  await expect.poll(() => held.length).toBe(3);
  // The broker answered a later request, so a delivery to the second consumer would be here already.
  expect(await depth(client, queue)).toBe(3);
  expect(got).toHaveLength(0);
  return { first, active, held, got };
}

describe('single active consumer', () => {
  it('serves only the first consumer, shows it active over HTTP, and hands over on cancel in order', async () => {
    const { first, active, held, got } = await twoConsumers('sac-cancel');
    expect(texts(held)).toEqual(['m0', 'm1', 'm2']);
    expect(await api('/api/queues/%2F/sac-cancel')).toMatchObject({ single_active_consumer_tag: 'sac-cancel-first', consumers: 2 });
    const consumers = (await api('/api/consumers')) as { consumer_tag: string; active: boolean; activity_status: string }[];
    const status = Object.fromEntries(consumers.filter((c) => c.consumer_tag.startsWith('sac-cancel')).map((c) => [c.consumer_tag, [c.active, c.activity_status]]));
    expect(status).toEqual({ 'sac-cancel-first': [true, 'single_active'], 'sac-cancel-second': [false, 'waiting'] });

    await active.cancel();
    await expect.poll(() => got.length).toBe(6);
    expect(texts(got)).toEqual(bodies);
    expect(got.map((m) => m.redelivered)).toEqual([true, true, true, false, false, false]);
    expect(await api('/api/queues/%2F/sac-cancel')).toMatchObject({ single_active_consumer_tag: 'sac-cancel-second', consumers: 1 });
    for (const m of got) m.ack();
    await first.close();
  });

  it('hands over in order when the active consumer\'s connection closes', async () => {
    const { first, got } = await twoConsumers('sac-close');
    await first.close();
    await expect.poll(() => got.length).toBe(6);
    expect(texts(got)).toEqual(bodies);
    expect(got.map((m) => m.redelivered)).toEqual([true, true, true, false, false, false]);
    for (const m of got) m.ack();
    await expect.poll(() => depth(client, 'sac-close')).toBe(0);
  });

  it('round-robins as before without the argument', async () => {
    await client.declareQueue('no-sac');
    const other = await connect(broker.url);
    const a: Message[] = [];
    const b: Message[] = [];
    await other.consume('no-sac', (m) => void a.push(m), { noAck: true });
    await client.consume('no-sac', (m) => void b.push(m), { noAck: true });
    await Promise.all(bodies.map((body) => client.publish('', 'no-sac', body)));
    await expect.poll(() => a.length + b.length).toBe(6);
    expect(b.length).toBeGreaterThan(0);
    expect(await api('/api/queues/%2F/no-sac')).toMatchObject({ single_active_consumer_tag: null });
    await other.close();
  });
});
