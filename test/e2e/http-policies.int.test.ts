/**
 * Policies over HTTP (issue 3, point 3): RabbitMQ's shape, validation that names the bad key and
 * why, live application to existing and new queues, RabbitMQ's precedence between queue
 * arguments and policies, and policies that survive a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client } from '@warren/client';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth, take, texts } from '../support/messages.js';
import { call } from '../support/http.js';


let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const queue = async (name: string) => (await api('GET', `/api/queues/%2F/${encodeURIComponent(name)}`)).body;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

describe('managing policies', () => {
  it('PUT creates (201) and replaces (204); GET shows RabbitMQ fields with defaults', async () => {
    expect((await api('PUT', '/api/policies/%2F/ttl', { pattern: '^ttl\\.', definition: { 'message-ttl': 60000 } })).status).toBe(201);
    expect((await api('GET', '/api/policies/%2F/ttl')).body).toEqual({
      vhost: '/',
      name: 'ttl',
      pattern: '^ttl\\.',
      'apply-to': 'all',
      priority: 0,
      definition: { 'message-ttl': 60000 },
    });
    const replaced = { pattern: '^ttl\\.', 'apply-to': 'queues', priority: 3, definition: { 'message-ttl': 1000, expires: 5000 } };
    expect((await api('PUT', '/api/policies/%2F/ttl', replaced)).status).toBe(204);
    expect((await api('GET', '/api/policies/%2F/ttl')).body).toEqual({ vhost: '/', name: 'ttl', ...replaced });
    expect((await api('GET', '/api/policies')).body).toContainEqual({ vhost: '/', name: 'ttl', ...replaced });
    expect((await api('GET', '/api/policies/%2F')).body).toContainEqual({ vhost: '/', name: 'ttl', ...replaced });
    expect((await api('DELETE', '/api/policies/%2F/ttl')).status).toBe(204);
    expect((await api('GET', '/api/policies/%2F/ttl')).body).toEqual({ error: 'not_found', reason: "no policy 'ttl' in vhost '/'" });
  });

  it('takes every documented key, Warren retry keys included', async () => {
    const definition = {
      'dead-letter-exchange': 'dlx',
      'dead-letter-routing-key': 'dead',
      'message-ttl': 0,
      expires: 1,
      'max-length': 0,
      'max-length-bytes': 0,
      overflow: 'reject-publish-dlx',
      'delivery-limit': 0,
      'alternate-exchange': 'ae',
      'retry-delays': [100, 1000, 10000],
      'retry-initial-delay': 0,
      'retry-multiplier': 1.5,
      'retry-max-delay': 60000,
      'retry-jitter': 0.2,
      'retry-max-attempts': 4,
    };
    expect((await api('PUT', '/api/policies/%2F/everything', { pattern: '^nothing-matches$', definition })).status).toBe(201);
    expect((await api('GET', '/api/policies/%2F/everything')).body.definition).toEqual(definition);
    await api('DELETE', '/api/policies/%2F/everything');
  });

  it('refuses bad bodies with 400, naming the key and why', async () => {
    const put = async (body: unknown) => (await api('PUT', '/api/policies/%2F/bad', body)).body;
    expect(await put({ pattern: '.', definition: { 'max-length': 'ten' } })).toEqual({
      error: 'invalid_argument',
      reason: 'definition key \'max-length\' = "ten": must be integer',
    });
    expect((await put({ pattern: '.', definition: { 'ha-mode': 'all' } })).reason).toMatch(/^definition key 'ha-mode' = "all": unknown key \(known: dead-letter-exchange, /);
    expect((await put({ pattern: '.', definition: { overflow: 'drop-tail' } })).reason).toBe(
      "definition key 'overflow' = \"drop-tail\": must be one of drop-head, reject-publish, reject-publish-dlx",
    );
    expect((await put({ pattern: '.', definition: { expires: 0 } })).reason).toBe("definition key 'expires' = 0: must be >= 1");
    expect((await put({ pattern: '.', definition: { 'retry-delays': [] } })).reason).toBe(
      "definition key 'retry-delays' = []: must NOT have fewer than 1 items",
    );
    expect((await put({ pattern: '.', definition: { 'retry-delays': [10, -1] } })).reason).toBe("definition key 'retry-delays'[1] = -1: must be >= 0");
    expect((await put({ pattern: '.', definition: { 'retry-jitter': 2 } })).reason).toBe("definition key 'retry-jitter' = 2: must be <= 1");
    expect((await put({ pattern: '.', definition: { 'retry-multiplier': 0.5 } })).reason).toBe("definition key 'retry-multiplier' = 0.5: must be >= 1");
    expect((await put({ pattern: '.', definition: { 'retry-max-attempts': 0 } })).reason).toBe("definition key 'retry-max-attempts' = 0: must be >= 1");
    expect((await put({ pattern: '.', 'apply-to': 'queue', definition: {} })).reason).toBe("field 'apply-to' = \"queue\": must be one of queues, exchanges, all");
    expect((await put({ pattern: '.', priority: 1.5, definition: {} })).reason).toBe("field 'priority' = 1.5: must be integer");
    expect((await put({ definition: {} })).reason).toBe("field 'pattern' is required");
    expect((await put({ pattern: '(', definition: {} })).error).toBe('invalid_argument');
    expect(await put(undefined)).toEqual({ error: 'invalid_argument', reason: 'the body must be a JSON object' });
    expect((await api('GET', '/api/policies/%2F/bad')).status).toBe(404);
  });

  it('answers 404 for an unknown vhost or policy', async () => {
    expect(await api('PUT', '/api/policies/nowhere/p', { pattern: '.', definition: {} })).toEqual({
      status: 404,
      body: { error: 'vhost_not_found', reason: "no vhost 'nowhere'" },
    });
    expect((await api('GET', '/api/policies/nowhere')).status).toBe(404);
    expect(await api('DELETE', '/api/policies/%2F/never')).toEqual({ status: 404, body: { error: 'not_found', reason: "no policy 'never' in vhost '/'" } });
  });
});

describe('applying policies', () => {
  it('applies live to existing and new matching queues, and deleting it undoes that', async () => {
    await client.declareQueue('limited.old');
    for (const m of ['m1', 'm2', 'm3', 'm4', 'm5']) await client.publish('', 'limited.old', m);
    await api('PUT', '/api/policies/%2F/limit', { pattern: '^limited\\.', 'apply-to': 'queues', definition: { 'max-length': 2 } });
    expect(await queue('limited.old')).toMatchObject({ policy: 'limit', effective_policy_definition: { 'max-length': 2 }, arguments: {}, messages_ready: 2 });
    expect(texts(await take(client, 'limited.old', 2, { noAck: true }))).toEqual(['m4', 'm5']);

    await client.declareQueue('limited.new');
    for (const m of ['a', 'b', 'c']) await client.publish('', 'limited.new', m);
    expect(await depth(client, 'limited.new')).toBe(2);
    expect((await queue('unlimited')).error).toBe('queue_not_found');

    await api('DELETE', '/api/policies/%2F/limit');
    expect(await queue('limited.new')).toMatchObject({ policy: null, effective_policy_definition: {} });
    await client.publish('', 'limited.new', 'd');
    expect(await depth(client, 'limited.new')).toBe(3);
  });

  it('apply-to exchanges leaves queues alone, and the policy shows on the exchange', async () => {
    await client.declareExchange('ae-src', 'direct');
    await client.declareQueue('ae-src');
    await api('PUT', '/api/policies/%2F/ae', { pattern: '^ae-', 'apply-to': 'exchanges', definition: { 'alternate-exchange': 'amq.fanout' } });
    expect((await api('GET', '/api/exchanges/%2F/ae-src')).body).toMatchObject({ name: 'ae-src', policy: 'ae' });
    expect((await queue('ae-src')).policy).toBeNull();
    await api('DELETE', '/api/policies/%2F/ae');
  });

  it('of several matching policies the highest priority applies, a tie going to the first name', async () => {
    await client.declareQueue('prio.q');
    await api('PUT', '/api/policies/%2F/b-low', { pattern: '^prio\\.', priority: 1, definition: { 'max-length': 10 } });
    await api('PUT', '/api/policies/%2F/c-high', { pattern: '^prio\\.', priority: 5, definition: { 'max-length': 20 } });
    expect((await queue('prio.q')).policy).toBe('c-high');
    await api('PUT', '/api/policies/%2F/a-high', { pattern: 'q$', priority: 5, definition: { 'max-length': 30 } });
    expect((await queue('prio.q')).policy).toBe('a-high');
    for (const name of ['a-high', 'b-low', 'c-high']) await api('DELETE', `/api/policies/%2F/${name}`);
  });

  it("follows RabbitMQ's precedence: the smaller limit wins, the queue's own dead-letter exchange wins", async () => {
    await client.declareQueue('prec.q', {
      arguments: { 'x-max-length': 5, 'x-message-ttl': 1000, 'x-dead-letter-exchange': 'from-args', 'x-overflow': 'reject-publish' },
    });
    await api('PUT', '/api/policies/%2F/prec', {
      pattern: '^prec\\.',
      definition: { 'max-length': 2, 'message-ttl': 60000, 'dead-letter-exchange': 'from-policy', 'dead-letter-routing-key': 'rk', overflow: 'drop-head' },
    });
    expect((await queue('prec.q')).effective_settings).toEqual({
      'max-length': 2,
      'message-ttl': 1000,
      'dead-letter-exchange': 'from-args',
      'dead-letter-routing-key': 'rk',
      overflow: 'reject-publish',
    });
    await api('DELETE', '/api/policies/%2F/prec');
  });

  it('dead-letters by policy: a rejected message goes to the policy’s dead-letter exchange with x-death', async () => {
    await client.declareExchange('policy-dlx', 'fanout');
    await client.declareQueue('policy-dead');
    await client.bind('policy-dead', 'policy-dlx');
    await client.declareQueue('dl.work');
    await api('PUT', '/api/policies/%2F/dl', { pattern: '^dl\\.', definition: { 'dead-letter-exchange': 'policy-dlx' } });
    await client.publish('', 'dl.work', 'doomed');
    const [m] = await take(client, 'dl.work', 1);
    m!.reject({ requeue: false });
    const [dead] = await take(client, 'policy-dead', 1, { noAck: true });
    expect(dead!.text()).toBe('doomed');
    expect(dead!.headers['x-death']).toMatchObject([{ count: 1, reason: 'rejected', queue: 'dl.work' }]);
    await api('DELETE', '/api/policies/%2F/dl');
  });

  it('shows retry keys as effective settings', async () => {
    await client.declareQueue('retry.q');
    await api('PUT', '/api/policies/%2F/retry', { pattern: '^retry\\.', definition: { 'retry-delays': [100, 200], 'retry-max-attempts': 3 } });
    expect((await queue('retry.q')).effective_settings.retry).toMatchObject({ delays: [100, 200], 'max-attempts': 3 });
    await api('DELETE', '/api/policies/%2F/retry');
  });
});

describe('durability', () => {
  it('policies survive a restart and apply to the recovered queues', async () => {
    const dir = await tempDir();
    let first: TestBroker | undefined = await startBroker({}, dir.path);
    try {
      await call(first.httpUrl, 'PUT', '/api/queues/%2F/kept.q', { durable: true });
      await call(first.httpUrl, 'PUT', '/api/policies/%2F/kept', { pattern: '^kept\\.', 'apply-to': 'queues', priority: 7, definition: { 'max-length': 3 } });
      await first.dispose();
      first = undefined;
      const second = await startBroker({}, dir.path);
      try {
        expect((await call(second.httpUrl, 'GET', '/api/policies/%2F/kept')).body).toEqual({
          vhost: '/',
          name: 'kept',
          pattern: '^kept\\.',
          'apply-to': 'queues',
          priority: 7,
          definition: { 'max-length': 3 },
        });
        expect((await call(second.httpUrl, 'GET', '/api/queues/%2F/kept.q')).body).toMatchObject({ policy: 'kept' });
      } finally {
        await second.dispose();
      }
    } finally {
      await first?.dispose();
      await dir.remove();
    }
  });
});
