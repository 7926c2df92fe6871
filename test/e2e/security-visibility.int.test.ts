/**
 * What each management tag sees (docs/security.md, "The management API"), as RabbitMQ's
 * management plugin shows it: `monitoring` sees every connection, channel and consumer;
 * `management` sees its own connections and channels and what its vhost permissions allow, in
 * plain lists and in pages alike. The live socket /api/live needs a user, and pushes a path only
 * when its GET would be allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBroker, type TestBroker } from '../support/broker.js';
import type { RawClient } from '../support/raw-client.js';
import { ALL, basic, callAs, createUser, helloAs, NONE } from '../support/security.js';

let broker: TestBroker;
const ROOT = basic('root', 'root-pw');
const MANAGER = basic('manager', 'manager-pw');
const WATCHER = basic('watcher', 'watcher-pw');
const sockets: RawClient[] = [];

async function connectAs(fields: Record<string, unknown>): Promise<RawClient> {
  const { raw, welcomed } = await helloAs(broker.url, fields);
  expect(welcomed).toBe(true);
  sockets.push(raw);
  return raw;
}

beforeAll(async () => {
  broker = await startBroker({ defaultUser: 'root', defaultPass: 'root-pw' });
  await createUser(broker.httpUrl, ROOT, 'manager', 'manager-pw', ['management'], { '/': ALL });
  await createUser(broker.httpUrl, ROOT, 'watcher', 'watcher-pw', ['monitoring'], { '/': NONE });
  await callAs(broker.httpUrl, ROOT, 'PUT', '/api/vhosts/private');
  await callAs(broker.httpUrl, ROOT, 'PUT', '/api/queues/private/secret', {});
  await callAs(broker.httpUrl, ROOT, 'PUT', '/api/queues/%2F/open', {});
  await connectAs({ username: 'manager', password: 'manager-pw' });
  const root = await connectAs({ username: 'root', password: 'root-pw', vhost: 'private' });
  await root.request({ type: 'consume', queue: 'secret', consumer_tag: 'c-secret' });
});
afterAll(async () => {
  for (const socket of sockets) await socket.close();
  await broker?.dispose();
});

const users = (entries: { user: string }[]) => [...new Set(entries.map((e) => e.user))].sort();

describe('connections and channels', () => {
  it('a management user lists only its own; a monitoring user lists everyone', async () => {
    for (const path of ['/api/connections', '/api/channels']) {
      expect(users((await callAs(broker.httpUrl, MANAGER, 'GET', path)).body)).toEqual(['manager']);
      expect(users((await callAs(broker.httpUrl, WATCHER, 'GET', path)).body)).toEqual(['manager', 'root']);
    }
  });

  it("pages are filtered like lists, counts included", async () => {
    const page = (await callAs(broker.httpUrl, MANAGER, 'GET', '/api/connections?page=1&page_size=100')).body;
    expect(users(page.items)).toEqual(['manager']);
    expect(page.item_count).toBe(1);
    expect(page.filtered_count).toBe(1);
    expect(page.total_count).toBe(1);
  });

  it('a page of one holds the user\'s own connection or channel, whatever sorts first', async () => {
    for (const path of ['/api/connections', '/api/channels']) {
      for (const reverse of [false, true]) {
        const page = (await callAs(broker.httpUrl, MANAGER, 'GET', `${path}?page=1&page_size=1&sort_reverse=${reverse}`)).body;
        expect(users(page.items)).toEqual(['manager']);
        expect(page).toMatchObject({ page_count: 1, filtered_count: 1, total_count: 1 });
      }
    }
  });

  it("another user's connection or channel is refused to a management user, shown to a monitoring user", async () => {
    const all = (await callAs(broker.httpUrl, WATCHER, 'GET', '/api/connections')).body as { name: string; user: string }[];
    const rootsName = encodeURIComponent(all.find((c) => c.user === 'root')!.name);
    const ownName = encodeURIComponent(all.find((c) => c.user === 'manager')!.name);
    expect(await callAs(broker.httpUrl, MANAGER, 'GET', `/api/connections/${rootsName}`)).toMatchObject({ status: 403, body: { error: 'access_refused' } });
    expect((await callAs(broker.httpUrl, MANAGER, 'GET', `/api/connections/${ownName}`)).status).toBe(200);
    expect((await callAs(broker.httpUrl, WATCHER, 'GET', `/api/connections/${rootsName}`)).status).toBe(200);
    const channels = (await callAs(broker.httpUrl, WATCHER, 'GET', '/api/channels')).body as { name: string; user: string }[];
    const rootsChannel = encodeURIComponent(channels.find((c) => c.user === 'root')!.name);
    expect((await callAs(broker.httpUrl, MANAGER, 'GET', `/api/channels/${rootsChannel}`)).status).toBe(403);
    // Closing a connection stays the administrator's.
    expect((await callAs(broker.httpUrl, WATCHER, 'DELETE', `/api/connections/${rootsName}`)).status).toBe(403);
  });
});

describe('consumers, queues and nodes', () => {
  it("consumers of a vhost the user has no permissions in are hidden unless it has monitoring", async () => {
    const tags = (body: { consumer_tag: string }[]) => body.map((c) => c.consumer_tag);
    expect(tags((await callAs(broker.httpUrl, MANAGER, 'GET', '/api/consumers')).body)).not.toContain('c-secret');
    expect(tags((await callAs(broker.httpUrl, WATCHER, 'GET', '/api/consumers')).body)).toContain('c-secret');
    expect((await callAs(broker.httpUrl, MANAGER, 'GET', '/api/consumers/private')).status).toBe(403);
  });

  it('a monitoring user reads a vhost it has no permissions in, and changes nothing there', async () => {
    expect((await callAs(broker.httpUrl, WATCHER, 'GET', '/api/consumers/private')).status).toBe(200);
    expect((await callAs(broker.httpUrl, WATCHER, 'GET', '/api/queues/private/secret')).status).toBe(200);
    expect((await callAs(broker.httpUrl, MANAGER, 'GET', '/api/queues/private/secret')).status).toBe(403);
    expect((await callAs(broker.httpUrl, WATCHER, 'PUT', '/api/scheduled/private/none', { due: 0 })).status).toBe(403);
  });

  it('a page of queues keeps only the vhosts the user may see', async () => {
    const page = (await callAs(broker.httpUrl, MANAGER, 'GET', '/api/queues?page=1&page_size=100')).body;
    expect(page.items.map((q: { name: string }) => q.name)).toEqual(['open']);
    expect(page).toMatchObject({ item_count: 1, filtered_count: 1, total_count: 1 });
    const all = (await callAs(broker.httpUrl, MANAGER, 'GET', '/api/queues')).body;
    expect(all.map((q: { name: string }) => q.name)).toEqual(['open']);
  });

  it('pages of exchanges and vhosts count only the vhosts the user may see', async () => {
    const exchanges = (await callAs(broker.httpUrl, MANAGER, 'GET', '/api/exchanges?page=1&page_size=500')).body;
    expect(new Set(exchanges.items.map((e: { vhost: string }) => e.vhost))).toEqual(new Set(['/']));
    expect(exchanges.total_count).toBe(exchanges.items.length);
    const everywhere = (await callAs(broker.httpUrl, WATCHER, 'GET', '/api/exchanges?page=1&page_size=500')).body;
    expect(everywhere.total_count).toBeGreaterThan(exchanges.total_count);
    const vhosts = (await callAs(broker.httpUrl, MANAGER, 'GET', '/api/vhosts?page=1&page_size=100')).body;
    expect(vhosts).toMatchObject({ items: [expect.objectContaining({ name: '/' })], filtered_count: 1, total_count: 1 });
  });

  it('nodes need monitoring', async () => {
    expect((await callAs(broker.httpUrl, MANAGER, 'GET', '/api/nodes')).status).toBe(403);
    expect((await callAs(broker.httpUrl, WATCHER, 'GET', '/api/nodes')).status).toBe(200);
  });
});

interface Push {
  path?: string;
  status?: number;
  data?: unknown;
}

function live(authorization?: string): Promise<{ ws: WebSocket; next(path: string): Promise<Push> }> {
  const ws = new WebSocket(`${broker.httpUrl.replace(/^http/, 'ws')}/api/live`, authorization === undefined ? {} : { headers: { authorization } });
  const pushes: Push[] = [];
  const waiting: (() => void)[] = [];
  ws.on('message', (data) => {
    pushes.push(JSON.parse(data.toString()) as Push);
    for (const wake of waiting.splice(0)) wake();
  });
  const next = async (path: string): Promise<Push> => {
    for (;;) {
      const i = pushes.findIndex((p) => p.path === path);
      if (i >= 0) return pushes.splice(i, 1)[0]!;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('the live socket', () => {
  it('needs a user: without credentials (and no guest) or with a wrong password the upgrade is answered 401', async () => {
    await expect(live()).rejects.toThrow('401');
    await expect(live(basic('watcher', 'wrong'))).rejects.toThrow('401');
  });

  it('pushes a path only as its GET would answer the user: refused paths once, with their 403, and never again', async () => {
    const { ws, next } = await live(MANAGER);
    ws.send(JSON.stringify({ subscribe: '/api/nodes' }));
    ws.send(JSON.stringify({ subscribe: '/api/queues' }));
    expect(await next('/api/nodes')).toMatchObject({ status: 403, data: { error: 'access_refused' } });
    const queues = await next('/api/queues');
    expect(queues.status).toBe(200);
    expect((queues.data as { vhost: string }[]).map((q) => q.vhost)).not.toContain('private');
    // The refused path is no longer followed: subscribing again asks afresh, and is refused again.
    ws.send(JSON.stringify({ subscribe: '/api/nodes' }));
    expect(await next('/api/nodes')).toMatchObject({ status: 403 });
    ws.close();

    const watcher = await live(WATCHER);
    watcher.ws.send(JSON.stringify({ subscribe: '/api/nodes' }));
    expect(await watcher.next('/api/nodes')).toMatchObject({ status: 200 });
    watcher.ws.close();
  });
});
