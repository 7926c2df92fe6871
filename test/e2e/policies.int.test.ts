/** Policies through the client: applied live, RabbitMQ's precedence, removed live, validated. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';
import { call } from '../support/http.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => {
  ({ broker, client } = await brokerWithClient());
  await client.declareExchange('policy-dlx', 'fanout');
  await client.declareQueue('policy-dead');
  await client.bind('policy-dead', 'policy-dlx');
});
afterAll(() => stopBoth(client, broker));

describe('policies', () => {
  it('apply live to existing and new matching queues, and stop applying when deleted', async () => {
    await client.declareQueue('billing.invoices');
    for (const b of ['i1', 'i2', 'i3']) await client.publish('', 'billing.invoices', b);
    await client.setPolicy('billing-limits', {
      pattern: '^billing\\.',
      'apply-to': 'queues',
      priority: 1,
      definition: { 'max-length': 2, 'dead-letter-exchange': 'policy-dlx' },
    });
    // Existing queue: trimmed at once, the oldest dead-lettered with reason maxlen.
    expect(await depth(client, 'billing.invoices')).toBe(2);
    const [dropped] = await take(client, 'policy-dead', 1);
    expect(dropped!.text()).toBe('i1');
    expect((dropped!.headers['x-death'] as { reason: string }[])[0]!.reason).toBe('maxlen');

    // New queue: the policy applies from its declaration.
    await client.declareQueue('billing.refunds');
    for (const b of ['r1', 'r2', 'r3']) await client.publish('', 'billing.refunds', b);
    expect(await depth(client, 'billing.refunds')).toBe(2);

    // Not matching: untouched.
    await client.declareQueue('shipping.labels');
    for (const b of ['s1', 's2', 's3']) await client.publish('', 'shipping.labels', b);
    expect(await depth(client, 'shipping.labels')).toBe(3);

    expect((await client.listPolicies()).map((p) => [p.name, p.pattern, p['apply-to'], p.priority])).toEqual([
      ['billing-limits', '^billing\\.', 'queues', 1],
    ]);
    await client.deletePolicy('billing-limits');
    for (const b of ['r4', 'r5']) await client.publish('', 'billing.refunds', b);
    expect(await depth(client, 'billing.refunds')).toBe(4);
    expect(texts(await take(client, 'policy-dead', 1))).toEqual(['r1']);
  });

  it('follows RabbitMQ precedence: smaller numeric limit wins, the queue argument wins for dead-lettering', async () => {
    await client.declareExchange('arg-dlx', 'fanout');
    await client.declareQueue('arg-dead');
    await client.bind('arg-dead', 'arg-dlx');
    await client.declareQueue('prec.q', { arguments: { 'x-max-length': 5, 'x-dead-letter-exchange': 'arg-dlx' } });
    await client.setPolicy('prec', { pattern: '^prec\\.', definition: { 'max-length': 1, 'dead-letter-exchange': 'policy-dlx' } });
    for (const b of ['p1', 'p2']) await client.publish('', 'prec.q', b);
    expect(await depth(client, 'prec.q')).toBe(1);
    expect(texts(await take(client, 'arg-dead', 1))).toEqual(['p1']);
    expect(await depth(client, 'policy-dead')).toBe(0);
    await client.deletePolicy('prec');
  });

  it('of several matching policies applies the one with the highest priority', async () => {
    await client.declareQueue('prio.q');
    await client.setPolicy('low', { pattern: '^prio', priority: 1, definition: { 'max-length': 1 } });
    await client.setPolicy('high', { pattern: '^prio\\.', priority: 5, definition: { 'max-length': 3 } });
    for (const b of ['a', 'b', 'c', 'd']) await client.publish('', 'prio.q', b);
    expect(await depth(client, 'prio.q')).toBe(3);
    await client.deletePolicy('low');
    await client.deletePolicy('high');
  });

  it('sets an alternate exchange through a policy', async () => {
    await client.declareExchange('ae-source', 'direct');
    await client.declareExchange('ae-target', 'fanout');
    await client.declareQueue('ae-catch');
    await client.bind('ae-catch', 'ae-target');
    await client.setPolicy('ae', { pattern: '^ae-source$', 'apply-to': 'exchanges', definition: { 'alternate-exchange': 'ae-target' } });
    await client.publish('ae-source', 'nobody', 'caught');
    expect(texts(await take(client, 'ae-catch', 1))).toEqual(['caught']);
    await client.deletePolicy('ae');
  });

  it('rejects a bad definition naming the key and why, and a bad pattern', async () => {
    await expect(client.setPolicy('bad', { pattern: '.*', definition: { 'max-length': 'ten' } as never })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining("'max-length'"),
    });
    await expect(client.setPolicy('bad', { pattern: '.*', definition: { 'no-such-key': 1 } as never })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('no-such-key'),
    });
    await expect(client.setPolicy('bad', { pattern: '(', definition: {} })).rejects.toMatchObject({ code: 'invalid_argument' });
    // RE2 has no lookaround and no backreferences: refused, naming the construct.
    await expect(client.setPolicy('bad', { pattern: '^(?!amq\\.)', definition: {} })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('(?!'),
    });
    await expect(client.setPolicy('bad', { pattern: '(a)\\1', definition: {} })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('\\1'),
    });
    expect(await client.listPolicies()).toEqual([]);
  });
});

describe('hostile policy patterns', () => {
  // With a backtracking engine each of these takes seconds (or for ever) on the names below.
  const PATTERNS = ['^(a|a)*$', '^(a+)+$', '^(a|aa)+$', '(x+x+)+y', '^(([a-z])+.)+[A-Z]([a-z])+$', '^(\\w+\\s?)*$'];
  const NAMES = ['a'.repeat(254) + 'b', 'a'.repeat(30) + '!', 'x'.repeat(255), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-', `${'ab'.repeat(120)}!`];

  it('are accepted and matched in linear time: declaring long adversarial names under them stays instant', async () => {
    for (const [i, pattern] of PATTERNS.entries()) {
      await client.setPolicy(`hostile-${i}`, { pattern, 'apply-to': 'queues', priority: i, definition: { 'max-length': 100 + i } });
    }
    for (const name of NAMES) await client.declareQueue(name);
    // Every declare above matched every pattern on the broker's one thread and the broker still answers.
    const matched = await call(broker.httpUrl, 'GET', `/api/queues/%2F/${'a'.repeat(30)}!`);
    expect(matched.status).toBe(200);
    const exact = await client.declareQueue('a'.repeat(30));
    expect(exact.queue).toBe('a'.repeat(30));
    const shown = await call(broker.httpUrl, 'GET', `/api/queues/%2F/${'a'.repeat(30)}`);
    expect(shown.body.policy).toBe('hostile-5');
    for (const [i] of PATTERNS.entries()) await client.deletePolicy(`hostile-${i}`);
    for (const name of [...NAMES, 'a'.repeat(30)]) await client.deleteQueue(name);
  });
});
