/** Exchanges through the client: each type's routing, defaults, alternate and e2e bindings, declare rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type ExchangeType } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';

let broker: TestBroker;
let client: Client;
let n = 0;
const unique = (base: string) => `${base}-${++n}`;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

async function queueBoundTo(exchange: string, key = '', args?: Record<string, unknown>): Promise<string> {
  const { queue } = await client.declareQueue('', { exclusive: true });
  await client.bind(queue, exchange, key, args);
  return queue;
}

async function exchangeOf(type: ExchangeType, args: Record<string, unknown> = {}): Promise<string> {
  const name = unique(type);
  await client.declareExchange(name, type, { arguments: args });
  return name;
}

describe('routing by exchange type', () => {
  it('direct routes on the exact routing key', async () => {
    const x = await exchangeOf('direct');
    const red = await queueBoundTo(x, 'red');
    const blue = await queueBoundTo(x, 'blue');
    await client.publish(x, 'red', 'r1');
    await client.publish(x, 'blue', 'b1');
    await client.publish(x, 'green', 'g1');
    expect(texts(await take(client, red, 1))).toEqual(['r1']);
    expect(texts(await take(client, blue, 1))).toEqual(['b1']);
    expect(await depth(client, red)).toBe(0);
  });

  it('fanout copies to every bound queue, ignoring the key', async () => {
    const x = await exchangeOf('fanout');
    const queues = [await queueBoundTo(x), await queueBoundTo(x, 'ignored'), await queueBoundTo(x)];
    await client.publish(x, 'anything', 'hello');
    for (const q of queues) expect(texts(await take(client, q, 1))).toEqual(['hello']);
  });

  it('topic matches * as one word and # as zero or more', async () => {
    const x = await exchangeOf('topic');
    const star = await queueBoundTo(x, 'stock.*.nyse');
    const hash = await queueBoundTo(x, 'stock.#');
    const all = await queueBoundTo(x, '#');
    for (const key of ['stock.ibm.nyse', 'stock', 'stock.a.b.c', 'other', '']) await client.publish(x, key, key);
    expect(texts(await take(client, star, 1))).toEqual(['stock.ibm.nyse']);
    expect(texts(await take(client, hash, 3))).toEqual(['stock.ibm.nyse', 'stock', 'stock.a.b.c']);
    expect(texts(await take(client, all, 5))).toEqual(['stock.ibm.nyse', 'stock', 'stock.a.b.c', 'other', '']);
  });

  it('headers matches all or any of the binding arguments', async () => {
    const x = await exchangeOf('headers');
    const all = await queueBoundTo(x, '', { 'x-match': 'all', format: 'pdf', type: 'report' });
    const any = await queueBoundTo(x, '', { 'x-match': 'any', format: 'pdf', type: 'report' });
    await client.publish(x, '', 'both', { headers: { format: 'pdf', type: 'report' } });
    await client.publish(x, '', 'one', { headers: { format: 'pdf', type: 'log' } });
    await client.publish(x, '', 'none', { headers: { format: 'zip' } });
    expect(texts(await take(client, all, 1))).toEqual(['both']);
    expect(texts(await take(client, any, 2))).toEqual(['both', 'one']);
  });

  it('rejects a headers binding with a bad x-match as invalid_argument', async () => {
    const x = await exchangeOf('headers');
    const { queue } = await client.declareQueue('', { exclusive: true });
    await expect(client.bind(queue, x, '', { 'x-match': 'most' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('built-in exchanges', () => {
  it('the default exchange routes to the queue named by the key, and takes no bindings', async () => {
    const { queue } = await client.declareQueue('', { exclusive: true });
    await client.publish('', queue, 'direct to queue');
    expect(texts(await take(client, queue, 1))).toEqual(['direct to queue']);
    await expect(client.bind(queue, '', 'x')).rejects.toMatchObject({ code: 'access_refused' });
  });

  it('has the amq.* exchanges of RabbitMQ, which cannot be redeclared differently or deleted', async () => {
    for (const [name, type] of [
      ['amq.direct', 'direct'],
      ['amq.fanout', 'fanout'],
      ['amq.topic', 'topic'],
      ['amq.headers', 'headers'],
      ['amq.match', 'headers'],
    ] as const) {
      await client.declareExchange(name, type, { passive: true });
      await client.declareExchange(name, type);
    }
    const q = await queueBoundTo('amq.topic', 'a.#');
    await client.publish('amq.topic', 'a.b', 'via amq.topic');
    expect(texts(await take(client, q, 1))).toEqual(['via amq.topic']);
    await expect(client.declareExchange('amq.mine', 'direct')).rejects.toMatchObject({ code: 'reserved_name' });
    await expect(client.deleteExchange('amq.direct')).rejects.toMatchObject({ code: 'reserved_name' });
  });
});

describe('alternate and exchange-to-exchange', () => {
  it('sends what an exchange cannot route to its alternate exchange', async () => {
    const alternate = await exchangeOf('fanout');
    const unrouted = await queueBoundTo(alternate);
    const x = await exchangeOf('direct', { 'alternate-exchange': alternate });
    const routed = await queueBoundTo(x, 'known');
    await client.publish(x, 'known', 'k');
    await client.publish(x, 'unknown', 'u');
    expect(texts(await take(client, routed, 1))).toEqual(['k']);
    expect(texts(await take(client, unrouted, 1))).toEqual(['u']);
    expect(await depth(client, unrouted)).toBe(0);
  });

  it('routes through exchange-to-exchange bindings, once per queue even with cycles', async () => {
    const source = await exchangeOf('topic');
    const middle = await exchangeOf('fanout');
    await client.bindExchange(middle, source, 'logs.#');
    await client.bindExchange(source, middle); // a cycle must not loop or duplicate
    const q = await queueBoundTo(middle);
    const direct = await queueBoundTo(source, 'logs.error');
    await client.publish(source, 'logs.error', 'e1');
    await client.publish(source, 'metrics.cpu', 'm1');
    expect(texts(await take(client, q, 1))).toEqual(['e1']);
    expect(texts(await take(client, direct, 1))).toEqual(['e1']);
    expect(await depth(client, q)).toBe(0);
    await client.unbindExchange(middle, source, 'logs.#');
    await client.publish(source, 'logs.error', 'e2');
    expect(texts(await take(client, direct, 1))).toEqual(['e2']);
    expect(await depth(client, q)).toBe(0);
  });
});

describe('declare rules', () => {
  it('is idempotent, and a conflicting re-declare is exchange_conflict', async () => {
    const x = unique('idem');
    await client.declareExchange(x, 'topic', { durable: true });
    await client.declareExchange(x, 'topic', { durable: true });
    await expect(client.declareExchange(x, 'fanout')).rejects.toMatchObject({ code: 'exchange_conflict', replyCode: 406 });
    await expect(client.declareExchange(x, 'topic', { durable: false })).rejects.toMatchObject({ code: 'exchange_conflict' });
    await client.declareExchange(x, 'topic', { passive: true });
  });

  it('passive declare of a missing exchange is exchange_not_found', async () => {
    await expect(client.declareExchange(unique('missing'), 'direct', { passive: true })).rejects.toMatchObject({
      code: 'exchange_not_found',
      replyCode: 404,
    });
  });

  it('delete if_unused refuses an exchange with bindings', async () => {
    const x = await exchangeOf('direct');
    const q = await queueBoundTo(x, 'k');
    await expect(client.deleteExchange(x, { ifUnused: true })).rejects.toMatchObject({ code: 'in_use' });
    await client.unbind(q, x, 'k');
    await client.deleteExchange(x, { ifUnused: true });
    await expect(client.publish(x, 'k', 'gone')).rejects.toMatchObject({ code: 'exchange_not_found' });
  });

  it('an auto-delete exchange goes with its last binding', async () => {
    const x = unique('auto');
    await client.declareExchange(x, 'fanout', { autoDelete: true });
    const q = await queueBoundTo(x);
    await client.unbind(q, x);
    await expect(client.declareExchange(x, 'fanout', { passive: true })).rejects.toMatchObject({ code: 'exchange_not_found' });
  });

  it('an internal exchange takes no publishes but routes from other exchanges', async () => {
    const inner = unique('internal');
    await client.declareExchange(inner, 'fanout', { internal: true });
    const outer = await exchangeOf('fanout');
    await client.bindExchange(inner, outer);
    const q = await queueBoundTo(inner);
    await expect(client.publish(inner, '', 'no')).rejects.toMatchObject({ code: 'access_refused' });
    await client.publish(outer, '', 'yes');
    expect(texts(await take(client, q, 1))).toEqual(['yes']);
  });
});
