/**
 * Definitions as a desired state (issue 11, part 5): `?mode=diff` answers what an import would
 * create, change and delete and changes nothing; `?prune=true` makes the topology match the file,
 * never touching built-in exchanges or connections' exclusive queues, and refuses to delete a
 * queue holding messages without `force=true`; an import with one bad entry changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';

let broker: TestBroker;
let client: Client;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const importDefs = (body: unknown, query = '') => api('POST', `/api/definitions${query}`, body);
const exists = async (path: string) => (await api('GET', path)).status === 200;

beforeAll(async () => {
  broker = await startBroker();
  client = await connect(broker.url);
});
afterAll(async () => {
  await client.close();
  await broker.dispose();
});

/** A small topology in vhost `/`: a topic exchange, two queues, their bindings and a policy. */
function desired(): Record<string, any> {
  return {
    vhosts: [{ name: '/' }],
    policies: [{ vhost: '/', name: 'd-limits', pattern: '^d\\.', 'apply-to': 'queues', priority: 1, definition: { 'max-length': 100 } }],
    exchanges: [{ name: 'd.events', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
    queues: [
      { name: 'd.work', vhost: '/', durable: true, auto_delete: false, arguments: {} },
      { name: 'd.audit', vhost: '/', durable: true, auto_delete: false, arguments: {} },
    ],
    bindings: [
      { source: 'd.events', vhost: '/', destination: 'd.work', destination_type: 'queue', routing_key: 'work.#', arguments: {} },
      { source: 'd.events', vhost: '/', destination: 'd.audit', destination_type: 'queue', routing_key: '#', arguments: {} },
    ],
  };
}

const none = { policies: [], exchanges: [], queues: [], bindings: [] };

describe('POST /api/definitions?mode=diff', () => {
  it('answers what an import would create, and changes nothing', async () => {
    const { status, body } = await importDefs(desired(), '?mode=diff');
    expect(status).toBe(200);
    expect(body).toEqual({
      mode: 'diff',
      create: {
        vhosts: [],
        policies: [{ vhost: '/', name: 'd-limits' }],
        exchanges: [{ vhost: '/', name: 'd.events' }],
        queues: [
          { vhost: '/', name: 'd.work' },
          { vhost: '/', name: 'd.audit' },
        ],
        bindings: desired().bindings,
      },
      change: { policies: [], exchanges: [], queues: [] },
      delete: none,
      warnings: [],
    });
    expect(await exists('/api/queues/%2F/d.work')).toBe(false);
    expect(await exists('/api/exchanges/%2F/d.events')).toBe(false);
    expect(await exists('/api/policies/%2F/d-limits')).toBe(false);
  });

  it('answers nothing to do once imported, and the changed fields of what differs', async () => {
    expect((await importDefs(desired())).status).toBe(200);
    const same = (await importDefs(desired(), '?mode=diff')).body;
    expect([same.create, same.change, same.delete]).toEqual([{ vhosts: [], ...none }, { policies: [], exchanges: [], queues: [] }, none]);

    const edited = desired();
    edited.policies[0].priority = 2;
    edited.policies[0].definition = { 'max-length': 50 };
    edited.queues[0].durable = false;
    edited.bindings.push({ source: 'd.events', vhost: '/', destination: 'd.work', destination_type: 'queue', routing_key: 'urgent.*', arguments: {} });
    const { body } = await importDefs(edited, '?mode=diff');
    expect(body.change).toEqual({
      policies: [{ vhost: '/', name: 'd-limits', fields: { priority: { old: 1, new: 2 }, definition: { old: { 'max-length': 100 }, new: { 'max-length': 50 } } } }],
      exchanges: [],
      queues: [{ vhost: '/', name: 'd.work', fields: { durable: { old: true, new: false } }, refused: 'queue_conflict' }],
    });
    expect(body.create.bindings).toEqual([edited.bindings[2]]);
    // The real import refuses the conflict the diff showed, and changes nothing.
    const refused = await importDefs(edited);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('queue_conflict');
    expect((await api('GET', '/api/policies/%2F/d-limits')).body.priority).toBe(1);
  });
});

describe('POST /api/definitions?prune=true', () => {
  it('diff lists what a prune deletes; apply deletes it, sparing built-ins and exclusive queues', async () => {
    await api('PUT', '/api/queues/%2F/d.stray', {});
    await api('PUT', '/api/exchanges/%2F/d.stray-x', { type: 'fanout' });
    await api('POST', '/api/bindings/%2F/e/d.events/q/d.work', { routing_key: 'stray.key' });
    await api('POST', '/api/bindings/%2F/e/amq.direct/q/d.audit', { routing_key: 'audit' });
    await api('PUT', '/api/policies/%2F/d-stray', { pattern: '^nothing$', definition: { expires: 60000 } });
    const { queue: exclusive } = await client.declareQueue('', { exclusive: true });
    await client.bind(exclusive, 'd.events', '#');

    const deletions = {
      policies: [{ vhost: '/', name: 'd-stray' }],
      exchanges: [{ vhost: '/', name: 'd.stray-x' }],
      queues: [{ vhost: '/', name: 'd.stray' }],
      bindings: [
        { vhost: '/', source: 'amq.direct', destination: 'd.audit', destination_type: 'queue', routing_key: 'audit', arguments: {} },
        { vhost: '/', source: 'd.events', destination: 'd.work', destination_type: 'queue', routing_key: 'stray.key', arguments: {} },
      ],
    };
    const diff = (await importDefs(desired(), '?mode=diff&prune=true')).body;
    expect(sortBindings(diff.delete)).toEqual(sortBindings(deletions));
    expect(await exists('/api/queues/%2F/d.stray')).toBe(true);

    const { status, body } = await importDefs(desired(), '?mode=apply&prune=true');
    expect(status).toBe(200);
    expect(sortBindings(body.deleted)).toEqual(sortBindings(deletions));
    expect(await exists('/api/queues/%2F/d.stray')).toBe(false);
    expect(await exists('/api/exchanges/%2F/d.stray-x')).toBe(false);
    expect(await exists('/api/policies/%2F/d-stray')).toBe(false);
    expect(await exists(`/api/queues/%2F/${encodeURIComponent(exclusive)}`)).toBe(true);
    for (const builtIn of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers']) expect(await exists(`/api/exchanges/%2F/${builtIn}`)).toBe(true);
    const bindings = (await api('GET', '/api/bindings/%2F')).body as Array<{ source: string; destination: string; routing_key: string }>;
    expect(bindings.filter((b) => b.source !== '').map((b) => `${b.source} ${b.destination} ${b.routing_key}`).sort()).toEqual(
      ['d.events d.audit #', 'd.events d.work work.#', `d.events ${exclusive} #`].sort(),
    );
    expect((await importDefs(desired(), '?mode=diff&prune=true')).body.delete).toEqual(none);
  });

  it('refuses to delete a queue holding messages without force=true, naming it and changing nothing', async () => {
    await api('PUT', '/api/queues/%2F/d.full', {});
    await client.publish('', 'd.full', 'keep me');
    await api('PUT', '/api/queues/%2F/d.empty', {});
    const withNew = desired();
    withNew.queues.push({ name: 'd.new', vhost: '/', durable: true, auto_delete: false, arguments: {} });

    expect((await importDefs(withNew, '?mode=diff&prune=true')).body.delete.queues).toEqual([
      { vhost: '/', name: 'd.full', messages: 1 },
      { vhost: '/', name: 'd.empty' },
    ]);
    const refused = await importDefs(withNew, '?prune=true');
    expect(refused).toEqual({
      status: 400,
      body: {
        error: 'not_empty',
        reason: "the prune would delete queues that hold messages: 'd.full' in vhost '/' (1 message); nothing was changed (force=true deletes them)",
      },
    });
    expect(await exists('/api/queues/%2F/d.empty')).toBe(true);
    expect(await exists('/api/queues/%2F/d.new')).toBe(false);

    const forced = await importDefs(withNew, '?prune=true&force=true');
    expect(forced.status).toBe(200);
    expect(forced.body.deleted.queues).toEqual([
      { vhost: '/', name: 'd.full', messages: 1 },
      { vhost: '/', name: 'd.empty' },
    ]);
    expect(await exists('/api/queues/%2F/d.full')).toBe(false);
    expect(await exists('/api/queues/%2F/d.new')).toBe(true);
  });
});

describe('an import is all or nothing', () => {
  const fresh = () => ({
    exchanges: [
      { name: 'aon.x', vhost: '/', type: 'direct' },
      { name: 'aon.h', vhost: '/', type: 'headers' },
    ],
    queues: [
      { name: 'aon.q1', vhost: '/' },
      { name: 'aon.q2', vhost: '/' },
    ],
    policies: [{ vhost: '/', name: 'aon-p', pattern: '^aon\\.', definition: { 'max-length': 1 } }],
    bindings: [
      { source: 'aon.x', vhost: '/', destination: 'aon.q1', destination_type: 'queue', routing_key: 'a' },
      { source: 'aon.h', vhost: '/', destination: 'aon.q2', destination_type: 'queue', arguments: { 'x-match': 'some' } },
      { source: 'aon.x', vhost: '/', destination: 'aon.q2', destination_type: 'queue', routing_key: 'b' },
    ],
  });
  const nothingImported = async () => {
    for (const path of ['/api/exchanges/%2F/aon.x', '/api/exchanges/%2F/aon.h', '/api/queues/%2F/aon.q1', '/api/queues/%2F/aon.q2', '/api/policies/%2F/aon-p']) {
      expect(await exists(path)).toBe(false);
    }
  };

  it('a binding the exchange type refuses, in the middle, changes nothing and is named', async () => {
    const { status, body } = await importDefs(fresh());
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_argument');
    expect(body.reason).toContain("binding 'aon.h' → queue 'aon.q2' in vhost '/'");
    expect(body.reason).toContain('x-match');
    await nothingImported();
  });

  it('a malformed entry, an unknown source and a binding to the default exchange are refused the same way', async () => {
    const malformed = fresh();
    malformed.bindings[1] = { source: 'aon.x', vhost: '/', destination: 'aon.q2', destination_type: 'queue', routing_key: 7 } as never;
    expect((await importDefs(malformed)).body).toEqual({ error: 'invalid_argument', reason: "bindings[1] ('aon.x' → 'aon.q2').routing_key = 7: must be string" });
    const unknown = fresh();
    unknown.bindings[1] = { source: 'aon.nope', vhost: '/', destination: 'aon.q2', destination_type: 'queue', routing_key: 'b' };
    expect((await importDefs(unknown)).body.reason).toContain("no exchange 'aon.nope'");
    const toDefault = fresh();
    toDefault.bindings[1] = { source: 'aon.x', vhost: '/', destination: '', destination_type: 'exchange', routing_key: 'b' } as never;
    expect((await importDefs(toDefault)).body.error).toBe('access_refused');
    await nothingImported();
  });
});

describe('an import the queue limit stops halfway', () => {
  let limited: TestBroker;
  afterAll(() => limited?.dispose());

  it('undoes what it had declared, policies included', async () => {
    limited = await startBroker({ maxQueues: 2 });
    const at = (method: string, path: string, body?: unknown) => call(limited.httpUrl, method, path, body);
    await at('PUT', '/api/queues/%2F/d.kept', {});
    await at('PUT', '/api/policies/%2F/d-limits', { pattern: '^d\\.', definition: { 'max-length': 7 } });
    const { status, body } = await at('POST', '/api/definitions', desired());
    expect(status).toBe(400);
    expect(body.error).toBe('queue_limit');
    for (const path of ['/api/queues/%2F/d.work', '/api/queues/%2F/d.audit', '/api/exchanges/%2F/d.events']) {
      expect((await at('GET', path)).status).toBe(404);
    }
    expect((await at('GET', '/api/policies/%2F/d-limits')).body.definition).toEqual({ 'max-length': 7 });
    expect((await at('GET', '/api/queues/%2F/d.kept')).body.effective_arguments['max-length']).toEqual({
      value: 7,
      source: { type: 'policy', name: 'd-limits' },
    });
  });
});

describe('bad input', () => {
  it('refuses a bad mode, flag or body with a stable code and changes nothing', async () => {
    expect(await importDefs(desired(), '?mode=sync')).toEqual({
      status: 400,
      body: { error: 'invalid_argument', reason: "query parameter 'mode' = \"sync\": must be one of apply, diff" },
    });
    expect((await importDefs(desired(), '?prune=yes')).body.reason).toBe("query parameter 'prune' = \"yes\": must be one of true, false");
    expect((await importDefs(desired(), '?dry=true')).body.error).toBe('invalid_argument');
    expect((await importDefs('{"queues": [', '?mode=diff')).status).toBe(400);
    expect((await importDefs({ queues: 'none' }, '?mode=diff')).body).toEqual({ error: 'invalid_argument', reason: "field 'queues' = \"none\": must be array" });
  });
});

function sortBindings(objects: { bindings: Array<{ source: string; routing_key: string }> }) {
  return { ...objects, bindings: [...objects.bindings].sort((a, b) => `${a.source} ${a.routing_key}`.localeCompare(`${b.source} ${b.routing_key}`)) };
}
