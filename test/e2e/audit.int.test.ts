/**
 * The audit log (issue 11, point 3): every redrive, purge, queue and exchange delete, policy
 * change and definitions import, through HTTP and WebSocket, as `{time, user, action, object,
 * parameters, counts}` at `GET /api/audit`, newest first, paged, kept across restarts and
 * bounded by `auditRetention`. The user is the authenticated one (issue 23): Basic auth, hello
 * credentials, else `guest` from loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { ConfigError, loadConfig } from '@warren/server';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';
import { redriveJobEnd } from '../support/redrive.js';

let broker: TestBroker;
let dir: Awaited<ReturnType<typeof tempDir>>;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);
const audit = async (query = '') => (await api('GET', `/api/audit${query}`)).body;
const asBob = { authorization: `Basic ${Buffer.from('bob:secret').toString('base64')}` };

beforeAll(async () => {
  dir = await tempDir();
  broker = await startBroker({}, dir.path);
  for (const [name, password, tags] of [['alice', 'alice-pw', 'policymaker'], ['bob', 'secret', 'management']]) {
    expect((await api('PUT', `/api/users/${name}`, { password, tags })).status).toBe(201);
    expect((await api('PUT', `/api/permissions/%2F/${name}`, { configure: '.*', write: '.*', read: '.*' })).status).toBe(201);
  }
});
afterAll(async () => {
  await broker?.close();
  await dir?.remove();
});

describe('GET /api/audit', () => {
  it('records actions through HTTP and WebSocket with user, object, parameters and counts, newest first', async () => {
    const alice: Client = await connect(broker.url, { username: 'alice', password: 'alice-pw' });
    await alice.declareQueue('au.q');
    await alice.declareExchange('au.x', 'fanout');
    for (let i = 0; i < 3; i++) await alice.publish('', 'au.q', `m${i}`);
    await alice.purgeQueue('au.q');
    await alice.publish('', 'au.q', 'left');
    await alice.setPolicy('au.p', { pattern: '^au\\.', definition: { 'max-length': 10 } });
    await alice.deletePolicy('au.p');
    await alice.deleteExchange('au.x');
    await alice.deleteQueue('au.q');
    await alice.close();

    const http = await fetch(`${broker.httpUrl}/api/queues/%2F/au.h`, { method: 'PUT', headers: { ...asBob, 'content-type': 'application/json' }, body: '{}' });
    expect(http.status).toBe(201);
    expect((await fetch(`${broker.httpUrl}/api/queues/%2F/au.h/contents`, { method: 'DELETE', headers: asBob })).status).toBe(204);
    expect((await api('PUT', '/api/policies/%2F/au.hp', { pattern: '^au', definition: { 'message-ttl': 5 } })).status).toBe(201);
    expect((await api('DELETE', '/api/policies/%2F/au.hp')).status).toBe(204);
    expect((await api('POST', '/api/definitions', { queues: [{ name: 'au.def', vhost: '/', durable: true, auto_delete: false, arguments: {} }] })).status).toBe(200);
    expect((await api('DELETE', '/api/queues/%2F/au.def?if-empty=true')).status).toBe(204);

    const page = await audit('?page_size=100');
    expect(page).toMatchObject({ page: 1, page_size: 100, page_count: 1 });
    expect(page.total_count).toBe(page.items.length);
    const summary = page.items.map((e: { user: string; action: string; object: { type: string; name: string | null } }) => [e.user, e.action, e.object.type, e.object.name]);
    expect(summary).toEqual([
      ['guest', 'queue.delete', 'queue', 'au.def'],
      ['guest', 'definitions.import', 'definitions', null],
      ['guest', 'policy.delete', 'policy', 'au.hp'],
      ['guest', 'policy.set', 'policy', 'au.hp'],
      ['bob', 'queue.purge', 'queue', 'au.h'],
      ['alice', 'queue.delete', 'queue', 'au.q'],
      ['alice', 'exchange.delete', 'exchange', 'au.x'],
      ['alice', 'policy.delete', 'policy', 'au.p'],
      ['alice', 'policy.set', 'policy', 'au.p'],
      ['alice', 'queue.purge', 'queue', 'au.q'],
      ['guest', 'permission.set', 'permission', 'bob'],
      ['guest', 'user.put', 'user', 'bob'],
      ['guest', 'permission.set', 'permission', 'alice'],
      ['guest', 'user.put', 'user', 'alice'],
    ]);
    // Every one of these users was authenticated (issue 23); only a refused login is recorded unverified.
    expect(page.items.every((e: { user_verified: boolean }) => e.user_verified === true)).toBe(true);
    const [deleteDef, importDef, , policySet, , deleteQ, , , , purge] = page.items;
    expect(purge).toMatchObject({ object: { type: 'queue', vhost: '/', name: 'au.q' }, counts: { messages: 3 }, parameters: {} });
    expect(deleteQ).toMatchObject({ parameters: { if_unused: false, if_empty: false }, counts: { messages: 1 } });
    expect(policySet.parameters).toEqual({ pattern: '^au', definition: { 'message-ttl': 5 } });
    expect(importDef).toMatchObject({ parameters: { prune: false, force: false }, counts: { queues: 1, warnings: 0 } });
    expect(deleteDef.parameters).toEqual({ if_unused: false, if_empty: true });
    expect(Date.parse(purge.time)).toBeLessThanOrEqual(Date.parse(deleteDef.time));
    expect(purge.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('records redrives: chosen ids with their counts, a job’s start and its end', async () => {
    const c = await connect(broker.url);
    await c.declareQueue('au.dlq');
    await c.declareQueue('au.origin');
    const death = [{ count: 1, reason: 'rejected', queue: 'au.origin', exchange: '', 'routing-keys': ['au.origin'], time: 1 }];
    for (let i = 0; i < 4; i++) await c.publish('', 'au.dlq', `d${i}`, { messageId: `d${i}`, headers: { 'x-death': death } });
    await c.close();
    expect((await api('POST', '/api/queues/%2F/au.dlq/redrive', { ids: ['d0'] })).body).toEqual({ moved: 1, skipped: 0 });
    const started = await api('POST', '/api/queues/%2F/au.dlq/redrive', { filter: { body_contains: 'd' } });
    await redriveJobEnd(broker.httpUrl, started.body.id);
    await expect.poll(async () => (await audit('?page_size=1')).items[0].action).toBe('redrive.end');
    const [end, start, ids] = (await audit('?page_size=3')).items;
    expect(ids).toMatchObject({ action: 'redrive', object: { type: 'queue', name: 'au.dlq' }, parameters: { to: 'origin', ids: 1 }, counts: { moved: 1, skipped: 0 } });
    expect(start).toMatchObject({ action: 'redrive.start', parameters: { to: 'origin', filter: { body_contains: 'd' }, job: started.body.id } });
    expect(end).toMatchObject({ user: 'guest', action: 'redrive.end', parameters: { job: started.body.id, state: 'completed' }, counts: { matched: 3, moved: 3, skipped: 0 } });
  });

  it('pages newest first and refuses bad paging with invalid_argument', async () => {
    const all = (await audit('?page_size=500')).items;
    const pages = [];
    for (let page = 1; page <= Math.ceil(all.length / 4); page++) pages.push(...(await audit(`?page=${page}&page_size=4`)).items);
    expect(pages).toEqual(all);
    expect(await audit(`?page=${all.length + 1}&page_size=1`)).toMatchObject({ items: [], item_count: 0, total_count: all.length });
    expect((await api('GET', '/api/audit?page=0')).body).toEqual({ error: 'invalid_argument', reason: "field 'page' = 0: must be >= 1" });
    expect((await api('GET', '/api/audit?page_size=501')).body.reason).toBe("field 'page_size' = 501: must be <= 500");
    expect((await api('GET', '/api/audit?page=two')).body.reason).toBe("field 'page' = \"two\": must be integer");
    expect((await api('GET', '/api/audit?sort=time')).body.error).toBe('invalid_argument');
  });

  it('keeps the log across a restart', async () => {
    const before = (await audit('?page_size=500')).items;
    await broker.close();
    broker = await startBroker({}, dir.path);
    expect((await audit('?page_size=500')).items).toEqual(before);
  });
});

describe('audit retention', () => {
  it('keeps the newest `count` entries, across a restart', async () => {
    const own = await tempDir();
    let small = await startBroker({ auditRetention: { count: 3 } }, own.path);
    try {
      const c = await connect(small.url);
      for (let i = 0; i < 5; i++) {
        await c.declareQueue(`r${i}`);
        await c.purgeQueue(`r${i}`);
      }
      await c.close();
      const names = async () => (await call(small.httpUrl, 'GET', '/api/audit')).body.items.map((e: { object: { name: string } }) => e.object.name);
      expect(await names()).toEqual(['r4', 'r3', 'r2']);
      expect((await call(small.httpUrl, 'GET', '/api/audit')).body.total_count).toBe(3);
      await small.close();
      small = await startBroker({ auditRetention: { count: 2 } }, own.path);
      expect(await names()).toEqual(['r4', 'r3']);
    } finally {
      await small.close();
      await own.remove();
    }
  });

  it('refuses a retention setting that is not a positive count or number of days', () => {
    for (const auditRetention of [{}, { count: 0 }, { days: 0 }, { days: -1 }, { count: 1.5 }, { weeks: 2 }, 10]) {
      expect(() => loadConfig({ overrides: { auditRetention } })).toThrow(ConfigError);
    }
    expect(loadConfig({ overrides: { auditRetention: { days: 0.5, count: 100 } } }).auditRetention).toEqual({ days: 0.5, count: 100 });
  });
});
