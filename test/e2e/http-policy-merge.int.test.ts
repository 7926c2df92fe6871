/**
 * Policies that merge and explain themselves (issue 11, part 4): each definition key comes from
 * the highest-priority matching policy that sets it, a queue shows where each setting comes from
 * (`effective_arguments`), and `?dry_run=true` tells what a policy change would do without doing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { depth } from '../support/messages.js';
import { call } from '../support/http.js';

let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const queue = async (name: string) => (await api('GET', `/api/queues/%2F/${encodeURIComponent(name)}`)).body;
const putPolicy = (name: string, body: unknown, query = '') => api('PUT', `/api/policies/%2F/${name}${query}`, body);
const deletePolicies = async (...names: string[]) => {
  for (const name of names) await api('DELETE', `/api/policies/%2F/${name}`);
};

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

describe('merged policies', () => {
  it('take each key from the highest-priority policy that sets it; `policy` names the winner', async () => {
    await api('PUT', '/api/queues/%2F/merge.q', { arguments: { 'x-dead-letter-exchange': 'from-args' } });
    await putPolicy('limits', { pattern: '^merge\\.', priority: 5, definition: { 'max-length': 2 } });
    await putPolicy('ttl', { pattern: '^merge\\.', priority: 1, definition: { 'max-length': 100, 'message-ttl': 60000, 'dead-letter-exchange': 'p' } });
    const q = await queue('merge.q');
    expect(q.policy).toBe('limits');
    expect(q.effective_policy_definition).toEqual({ 'max-length': 2, 'message-ttl': 60000, 'dead-letter-exchange': 'p' });
    expect(Object.keys(q.effective_arguments).sort()).toEqual(Object.keys(q.effective_settings).sort());
    expect(q.effective_arguments).toMatchObject({
      'message-ttl': { value: 60000, source: { type: 'policy', name: 'ttl' } },
      'max-length': { value: 2, source: { type: 'policy', name: 'limits' } },
      overflow: { value: 'drop-head', source: { type: 'default' } },
      'dead-letter-exchange': { value: 'from-args', source: { type: 'argument' } },
    });
    for (const body of ['a', 'b', 'c']) await client.publish('', 'merge.q', body);
    expect(await depth(client, 'merge.q')).toBe(2);
    await deletePolicies('limits', 'ttl');
  });

  it('a single policy behaves as before: its definition, its name, the smaller limit winning over an argument', async () => {
    await api('PUT', '/api/queues/%2F/single.q', { arguments: { 'x-max-length': 1 } });
    await putPolicy('single', { pattern: '^single\\.', definition: { 'max-length': 5, expires: 600000 } });
    const q = await queue('single.q');
    expect(q.policy).toBe('single');
    expect(q.effective_policy_definition).toEqual({ 'max-length': 5, expires: 600000 });
    expect(q.effective_arguments['max-length']).toEqual({ value: 1, source: { type: 'argument' } });
    expect(q.effective_arguments['message-ttl']).toBeUndefined();
    expect(q.effective_arguments.expires).toEqual({ value: 600000, source: { type: 'policy', name: 'single' } });
    await deletePolicies('single');
    expect((await queue('single.q')).effective_arguments).toMatchObject({
      'max-length': { value: 1, source: { type: 'argument' } },
      overflow: { value: 'drop-head', source: { type: 'default' } },
    });
  });

  it('merges exchange policies too: the alternate exchange may come from a lower-priority policy', async () => {
    await client.declareExchange('merge-x', 'direct');
    await client.declareQueue('merge-caught');
    await client.bind('merge-caught', 'amq.fanout');
    await putPolicy('x-high', { pattern: '^merge-x$', 'apply-to': 'exchanges', priority: 9, definition: {} });
    await putPolicy('x-ae', { pattern: '^merge-', 'apply-to': 'exchanges', priority: 0, definition: { 'alternate-exchange': 'amq.fanout' } });
    expect((await api('GET', '/api/exchanges/%2F/merge-x')).body.policy).toBe('x-high');
    await client.publish('merge-x', 'nobody', 'caught');
    expect(await depth(client, 'merge-caught')).toBe(1);
    await deletePolicies('x-high', 'x-ae');
  });
});

describe('PUT /api/policies/{vhost}/{name}?dry_run=true', () => {
  it('changes nothing and answers the queues it matches and each effective key that would change', async () => {
    await api('PUT', '/api/queues/%2F/dry.a', {});
    await api('PUT', '/api/queues/%2F/dry.b', { arguments: { 'x-max-length': 3 } });
    await api('PUT', '/api/queues/%2F/other.c', {});
    await putPolicy('dry-base', { pattern: '^dry\\.', priority: 0, definition: { 'message-ttl': 1000 } });
    const { status, body } = await putPolicy('dry-new', { pattern: '^dry\\.', priority: 1, definition: { 'max-length': 10, 'message-ttl': 500 } }, '?dry_run=true');
    expect(status).toBe(200);
    expect(body.dry_run).toBe(true);
    expect(body.matched).toEqual({ queues: ['dry.a', 'dry.b'], exchanges: [] });
    expect(body.queues).toEqual([
      {
        name: 'dry.a',
        matches: true,
        policy: { old: 'dry-base', new: 'dry-new' },
        changes: {
          'message-ttl': { old: { value: 1000, source: { type: 'policy', name: 'dry-base' } }, new: { value: 500, source: { type: 'policy', name: 'dry-new' } } },
          'max-length': { old: null, new: { value: 10, source: { type: 'policy', name: 'dry-new' } } },
        },
      },
      {
        name: 'dry.b',
        matches: true,
        policy: { old: 'dry-base', new: 'dry-new' },
        changes: {
          'message-ttl': { old: { value: 1000, source: { type: 'policy', name: 'dry-base' } }, new: { value: 500, source: { type: 'policy', name: 'dry-new' } } },
        },
      },
    ]);
    expect((await api('GET', '/api/policies/%2F/dry-new')).status).toBe(404);
    expect((await queue('dry.a')).policy).toBe('dry-base');
  });

  it('shows the queues an edited pattern would leave', async () => {
    const { body } = await putPolicy('dry-base', { pattern: '^dry\\.a$', definition: { 'message-ttl': 1000 } }, '?dry_run=true');
    expect(body.matched.queues).toEqual(['dry.a']);
    expect(body.queues).toEqual([
      {
        name: 'dry.b',
        matches: false,
        policy: { old: 'dry-base', new: null },
        changes: { 'message-ttl': { old: { value: 1000, source: { type: 'policy', name: 'dry-base' } }, new: null } },
      },
    ]);
    expect((await api('GET', '/api/policies/%2F/dry-base')).body.pattern).toBe('^dry\\.');
    await deletePolicies('dry-base');
  });

  it('refuses what a real PUT refuses, and a bad dry_run value, changing nothing', async () => {
    const badKey = await putPolicy('dry-bad', { pattern: '.', definition: { 'max-length': 'ten' } }, '?dry_run=true');
    expect(badKey.status).toBe(400);
    expect(badKey.body).toEqual({ error: 'invalid_argument', reason: "definition key 'max-length' = \"ten\": must be integer" });
    const badPattern = await putPolicy('dry-bad', { pattern: '(', definition: {} }, '?dry_run=true');
    expect(badPattern.body.error).toBe('invalid_argument');
    const badFlag = await putPolicy('dry-bad', { pattern: '.', definition: {} }, '?dry_run=yes');
    expect(badFlag.status).toBe(400);
    expect(badFlag.body).toEqual({ error: 'invalid_argument', reason: "query parameter 'dry_run' = \"yes\": must be one of true, false" });
    const noVhost = await api('PUT', '/api/policies/nowhere/dry-bad?dry_run=true', { pattern: '.', definition: {} });
    expect(noVhost.body.error).toBe('vhost_not_found');
    expect((await api('GET', '/api/policies/%2F/dry-bad')).status).toBe(404);
    expect(await api('GET', '/api/queues/%2F/no.such.queue')).toEqual({
      status: 404,
      body: { error: 'queue_not_found', reason: "no queue 'no.such.queue' in vhost '/'" },
    });
  });
});
