/**
 * Credit flow (docs/performance.md, "Flow control"): a queue whose consumers drain it holds the
 * connections publishing into it while its backlog is above `queueFlowMessages`, and lets them
 * go at half; a queue with a slow consumer, or none, still takes publishes; a slow consumer never
 * holds another connection's publishes to other queues; and a connection that consumes from the
 * queue it publishes into, or two that wait on each other's queues, never stall for good.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Client, type Message } from '@warren/client';
import type { Config } from '@warren/server';
import { startBroker, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';

const BODY = new Uint8Array(100);
/** Long enough that a hold in these tests ends only because a queue drained. */
const NEVER = 600_000;

let broker: TestBroker | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await broker?.dispose();
  broker = undefined;
});

async function start(overrides: Partial<Config>): Promise<TestBroker> {
  broker = await startBroker(overrides);
  return broker;
}

async function open(name: string): Promise<Client> {
  const client = await connect(broker!.url, { name });
  clients.push(client);
  return client;
}

async function connectionState(name: string): Promise<string | undefined> {
  const list = (await call(broker!.httpUrl, 'GET', '/api/connections')).body as Array<{ state: string; client_properties: { product?: string } }>;
  return list.find((connection) => connection.client_properties.product === name)?.state;
}

async function ready(queue: string): Promise<number> {
  return (await call(broker!.httpUrl, 'GET', `/api/queues/%2F/${queue}`)).body.messages_ready as number;
}

/** Acks each message it is given; `done` resolves at the `total`th. */
function acker(total: number): { ack(message: Message): void; readonly count: number; done: Promise<void> } {
  let count = 0;
  let reached: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (reached = resolve));
  return {
    ack(message) {
      message.ack();
      if (++count === total) reached();
    },
    get count() {
      return count;
    },
    done,
  };
}

function publishMany(client: Client, queue: string, count: number): Promise<unknown[]> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) pending.push(client.publish('', queue, BODY));
  return Promise.all(pending);
}

describe('a queue whose consumer drains it', () => {
  it('holds its publisher above the high mark and lets it go once the consumer has taken the backlog down to half', async () => {
    await start({ queueFlowMessages: 100, queueFlowHoldMs: NEVER });
    const publisher = await open('publisher');
    const consumer = await open('consumer');
    await publisher.declareQueue('drained', { durable: false });
    await publisher.declareQueue('other', { durable: false });
    const held: Message[] = [];
    let acking = false;
    const acks = acker(300);
    await consumer.consume('drained', (message) => (acking ? acks.ack(message) : void held.push(message)), { prefetch: 10 });

    const all = publishMany(publisher, 'drained', 300);
    await expect.poll(() => connectionState('publisher')).toBe('flow');
    const backlog = await ready('drained');
    expect(backlog).toBeGreaterThan(100);

    // Published behind the hold, to a queue that holds nobody: it waits for the drained queue.
    let ackedWhenConfirmed = -1;
    const late = publisher.publish('', 'other', BODY).then(() => (ackedWhenConfirmed = acks.count));
    acking = true;
    for (const message of held.splice(0)) acks.ack(message);
    await Promise.all([late, all, acks.done]);
    // Let go only once ready was down to 50: the consumer had taken at least backlog - 50 - prefetch.
    expect(ackedWhenConfirmed).toBeGreaterThanOrEqual(backlog - 50 - 10);
    expect(await connectionState('publisher')).toBe('running');
  });

  it('does not hold a connection that consumes from the queue it publishes into', async () => {
    await start({ queueFlowMessages: 100, queueFlowHoldMs: NEVER });
    const both = await open('both');
    await both.declareQueue('loop', { durable: true });
    const acks = acker(2_000);
    await both.consume('loop', acks.ack, { prefetch: 10 });
    const pending: Promise<unknown>[] = [acks.done];
    for (let i = 0; i < 2_000; i++) pending.push(both.publish('', 'loop', BODY, { persistent: true }));
    await Promise.all(pending);
  });
});

describe('a slow consumer', () => {
  it('never holds publishing to other queues by other connections', async () => {
    await start({ queueFlowMessages: 100, queueFlowHoldMs: NEVER });
    const stuck = await open('stuck');
    const other = await open('other');
    const slowConsumer = await open('slow-consumer');
    const fastConsumer = await open('fast-consumer');
    await stuck.declareQueue('slow', { durable: false });
    await other.declareQueue('fast', { durable: true });
    await slowConsumer.consume('slow', () => undefined, { prefetch: 1 });
    const acks = acker(2_000);
    await fastConsumer.consume('fast', acks.ack);

    void publishMany(stuck, 'slow', 300).catch(() => undefined);
    await expect.poll(() => connectionState('stuck')).toBe('flow');
    await Promise.all([publishMany(other, 'fast', 2_000), acks.done]);
    expect(await connectionState('stuck')).toBe('flow');
  });

  it('still lets its queue take publishes up to its limits, after one short hold', async () => {
    await start({ queueFlowMessages: 100, queueFlowHoldMs: 50 });
    const publisher = await open('publisher');
    const slowConsumer = await open('slow-consumer');
    await publisher.declareQueue('slow', { durable: true });
    await slowConsumer.consume('slow', () => undefined, { prefetch: 1 });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 3_000; i++) pending.push(publisher.publish('', 'slow', BODY, { persistent: true }));
    await Promise.all(pending);
    expect(await ready('slow')).toBe(2_999);
    await publisher.publish('', 'slow', BODY);
    expect(await ready('slow')).toBe(3_000);
  });

  it('cannot deadlock two connections that each consume the queue the other publishes into', async () => {
    await start({ queueFlowMessages: 100, queueFlowHoldMs: NEVER });
    const a = await open('a');
    const b = await open('b');
    await a.declareQueue('qa', { durable: false });
    await a.declareQueue('qb', { durable: false });
    const acks = acker(6_000);
    await a.consume('qa', acks.ack, { prefetch: 10 });
    await b.consume('qb', acks.ack, { prefetch: 10 });
    await Promise.all([publishMany(a, 'qb', 3_000), publishMany(b, 'qa', 3_000), acks.done]);
  });
});

describe('a queue without consumers', () => {
  it('takes publishes up to its limits and never holds its publisher', async () => {
    await start({ queueFlowMessages: 100, queueFlowHoldMs: NEVER });
    const publisher = await open('publisher');
    await publisher.declareQueue('idle', { durable: false, arguments: { 'x-max-length': 2_500, 'x-overflow': 'reject-publish' } });
    const results = await Promise.allSettled(Array.from({ length: 3_000 }, () => publisher.publish('', 'idle', BODY)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2_500);
    expect(await ready('idle')).toBe(2_500);
    expect(await connectionState('publisher')).toBe('running');
  });
});
