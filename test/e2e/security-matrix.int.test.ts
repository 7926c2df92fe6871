/**
 * The access matrix (issue 23, point 2): every WebSocket frame type and every management API
 * route, each with no credentials, wrong credentials, a user without the permission and a user
 * with it. Refusals carry a stable code (not_authorized, access_refused), change nothing, and are
 * audited. The broker runs with WARREN_DEFAULT_USER, so there is no guest to fall back on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FRAME_SCHEMAS, encodeFrame } from '@warren/protocol';
import { ROUTE_RULES, type RouteRule } from '@warren/server';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient, type ReceivedFrame } from '../support/raw-client.js';
import { ALL, basic, callAs, createUser, NONE } from '../support/security.js';

let broker: TestBroker;
const ROOT = basic('root', 'root-pw');
const asRoot = (method: string, path: string, body?: unknown) => callAs(broker.httpUrl, ROOT, method, path, body);
const BODY = new TextEncoder().encode('m');

beforeAll(async () => {
  broker = await startBroker({ defaultUser: 'root', defaultPass: 'root-pw' });
  // nobody: may connect to '/', may do nothing there, has no tags. allowed: everything in '/'.
  // narrow: the management tag and permissions on names starting with "narrow." only.
  await createUser(broker.httpUrl, ROOT, 'nobody', 'nobody-pw', [], { '/': NONE });
  await createUser(broker.httpUrl, ROOT, 'allowed', 'allowed-pw', ['policymaker', 'management'], { '/': ALL });
  await createUser(broker.httpUrl, ROOT, 'watcher', 'watcher-pw', ['monitoring'], { '/': NONE });
  await createUser(broker.httpUrl, ROOT, 'narrow', 'narrow-pw', ['management'], { '/': { configure: '^narrow\\.', write: '^narrow\\.', read: '^narrow\\.' } });
});
afterAll(async () => {
  await broker?.dispose();
});

/** What the broker holds, to show that refusals changed nothing. */
async function snapshot(): Promise<unknown> {
  const definitions = (await asRoot('GET', '/api/definitions')).body;
  const queues = (await asRoot('GET', '/api/queues')).body.map((q: { name: string; messages: number }) => [q.name, q.messages]);
  return { ...definitions, queues };
}

// --- WebSocket frames ------------------------------------------------------------------------

interface FrameCase {
  frame: Record<string, unknown>;
  /** `permission`: refused without it. `nothing`: settles the connection's own state; same answer for everyone. */
  needs: 'permission' | 'nothing';
  setup?: () => Promise<unknown>;
}

const q = (name: string) => asRoot('PUT', `/api/queues/%2F/${name}`, {});
const x = (name: string, type = 'direct') => asRoot('PUT', `/api/exchanges/%2F/${name}`, { type });
const withMessage = async (name: string) => {
  await q(name);
  await asRoot('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: name, payload: 'm', payload_encoding: 'string', properties: {} });
};

/** Names are per run: the permitted user's run changes things, the refused users' runs must not. */
const FRAMES = (run: string): Record<string, FrameCase> => ({
  'exchange.declare': { frame: { exchange: `m.${run}.xd`, kind: 'direct' }, needs: 'permission' },
  'exchange.delete': { frame: { exchange: `m.${run}.xdel` }, needs: 'permission', setup: () => x(`m.${run}.xdel`) },
  'exchange.bind': { frame: { destination: `m.${run}.xb1`, source: `m.${run}.xb2`, routing_key: 'k' }, needs: 'permission', setup: () => Promise.all([x(`m.${run}.xb1`), x(`m.${run}.xb2`)]) },
  'exchange.unbind': { frame: { destination: 'm.xu1', source: 'm.xu2', routing_key: 'k' }, needs: 'permission' },
  'queue.declare': { frame: { queue: `m.${run}.qd` }, needs: 'permission' },
  'queue.bind': { frame: { queue: `m.${run}.qb`, exchange: 'amq.direct', routing_key: 'k' }, needs: 'permission', setup: () => q(`m.${run}.qb`) },
  'queue.unbind': { frame: { queue: 'm.qu', exchange: 'amq.direct', routing_key: 'k' }, needs: 'permission' },
  'queue.purge': { frame: { queue: `m.${run}.qp` }, needs: 'permission', setup: () => withMessage(`m.${run}.qp`) },
  'queue.delete': { frame: { queue: `m.${run}.qdel` }, needs: 'permission', setup: () => q(`m.${run}.qdel`) },
  'queue.browse': { frame: { queue: `m.${run}.qbr` }, needs: 'permission', setup: () => withMessage(`m.${run}.qbr`) },
  consume: { frame: { queue: `m.${run}.qc`, consumer_tag: 'c1', no_ack: true }, needs: 'permission', setup: () => withMessage(`m.${run}.qc`) },
  publish: { frame: { seq: 1, exchange: '', routing_key: `m.${run}.qpub` }, needs: 'permission', setup: () => q(`m.${run}.qpub`) },
  'policy.declare': { frame: { name: `m.${run}.p`, policy: { pattern: '^m\\.never$', definition: { 'max-length': 5 } } }, needs: 'permission' },
  'policy.delete': { frame: { name: `m.${run}.pdel` }, needs: 'permission', setup: () => asRoot('PUT', `/api/policies/%2F/m.${run}.pdel`, { pattern: '^m\\.never$', definition: { 'max-length': 5 } }) },
  'policy.list': { frame: {}, needs: 'permission' },
  'scheduled.list': { frame: {}, needs: 'permission' },
  'scheduled.cancel': { frame: { scheduled_id: 'none' }, needs: 'permission' },
  'scheduled.reschedule': { frame: { scheduled_id: 'none', due: 0 }, needs: 'permission' },
  'auth.refresh': { frame: { token: 'not.a.token' }, needs: 'permission' },
  cancel: { frame: { consumer_tag: 'none' }, needs: 'nothing' },
  ack: { frame: { delivery_tag: 999 }, needs: 'nothing' },
  nack: { frame: { delivery_tag: 999 }, needs: 'nothing' },
  reject: { frame: { delivery_tag: 999 }, needs: 'nothing' },
  retry: { frame: { delivery_tag: 999 }, needs: 'nothing' },
  extend: { frame: { delivery_tag: 999, ms: 1000 }, needs: 'nothing' },
  heartbeat: { frame: {}, needs: 'nothing' },
  hello: { frame: { version: 1 }, needs: 'nothing' },
  close: { frame: {}, needs: 'nothing' },
});

const REQUESTS_WITHOUT_ID = new Set(['ack', 'nack', 'reject', 'retry', 'extend', 'heartbeat', 'hello', 'close', 'publish']);

/** Sends one frame on an open connection and answers what came back for it (the reply, the confirm, or errors with no id). */
async function exchange(raw: RawClient, type: string, c: FrameCase): Promise<Record<string, unknown> | undefined> {
  if (type === 'publish') {
    raw.send({ type, ...c.frame }, BODY);
    return (await raw.next((f) => (f.header.type === 'publish.ack' || f.header.type === 'publish.nack') && f.header.seq === c.frame.seq)).header;
  }
  if (!REQUESTS_WITHOUT_ID.has(type)) return (await raw.request({ type, ...c.frame })).header;
  const before = raw.frames.length;
  raw.send({ type, ...c.frame });
  // A request after it: its reply proves the frame was handled; errors between them are the frame's.
  await raw.request({ type: 'queue.declare', queue: 'amq.sync-point', passive: true });
  const errors = raw.frames.slice(before).filter((f) => f.header.type === 'error' && f.header.id === undefined);
  return errors[0]?.header;
}

async function openAs(user: string, password: string): Promise<RawClient> {
  const raw = await RawClient.open(broker.url, { hello: false });
  raw.send({ type: 'hello', version: 1, username: user, password });
  await raw.next((f) => f.header.type === 'welcome');
  return raw;
}

describe('every WebSocket frame type', () => {
  it('the table covers every client frame', () => {
    expect(Object.keys(FRAMES('')).sort()).toEqual(Object.keys(CLIENT_FRAME_SCHEMAS).sort());
  });

  it.each([
    ['no credentials', {}],
    ['wrong credentials', { username: 'allowed', password: 'wrong' }],
  ])('with %s: the hello is refused (not_authorized, 4013) and no frame behind it runs', async (_, credentials) => {
    await q('amq.sync-point').catch(() => undefined);
    const before = await snapshot();
    const raw = await RawClient.open(broker.url, { hello: false });
    const frames = FRAMES('anon');
    let id = 1;
    const parts = [encodeFrame({ type: 'hello', version: 1, ...credentials })];
    for (const [type, c] of Object.entries(frames)) parts.push(encodeFrame({ type, ...(REQUESTS_WITHOUT_ID.has(type) ? {} : { id: id++ }), ...c.frame }, type === 'publish' ? BODY : undefined));
    raw.sendBytes(Buffer.concat(parts));
    expect((await raw.closed).code).toBe(4013);
    expect(raw.frames.map((f: ReceivedFrame) => f.header)).toEqual([expect.objectContaining({ type: 'error', code: 'not_authorized' })]);
    expect(await snapshot()).toEqual(before);
    // Refused logins are throttled per address and user; a success for that user clears it.
    await asRoot('GET', '/api/whoami');
    await openAs('allowed', 'allowed-pw').then((r) => r.close());
  });

  it('a user without the permission is refused each one with access_refused and nothing changes; the ones that need none answer as for anyone', async () => {
    const frames = FRAMES('denied');
    for (const c of Object.values(frames)) await c.setup?.();
    const before = await snapshot();
    const nobody = await openAs('nobody', 'nobody-pw');
    const allowedAnswers = await openAs('allowed', 'allowed-pw');
    for (const [type, c] of Object.entries(frames)) {
      if (type === 'close') continue;
      const answer = await exchange(nobody, type, c);
      if (c.needs === 'permission') {
        expect(answer, type).toMatchObject({ code: 'access_refused' });
        expect(answer?.type, type).toBe(type === 'publish' ? 'publish.nack' : 'error');
      } else {
        expect(answer?.code, type).toBe((await exchange(allowedAnswers, type, c))?.code);
      }
    }
    expect(await snapshot()).toEqual(before);
    nobody.send({ type: 'close' });
    expect((await nobody.closed).code).toBe(1000);
    await allowedAnswers.close();
    const audit = (await asRoot('GET', '/api/audit?page_size=100')).body.items;
    const refused = audit.filter((e: { user: string; action: string }) => e.user === 'nobody' && e.action.startsWith('refused.')).map((e: { action: string }) => e.action);
    expect(refused).toContain('refused.queue.purge');
    expect(refused).toContain('refused.publish');
  });

  it('a user with the permission is answered and the frame takes effect', async () => {
    const frames = FRAMES('ok');
    for (const c of Object.values(frames)) await c.setup?.();
    await x('m.xu1');
    await x('m.xu2');
    await q('m.qu');
    const allowed = await openAs('allowed', 'allowed-pw');
    for (const [type, c] of Object.entries(frames)) {
      if (type === 'close') continue;
      const answer = await exchange(allowed, type, c);
      if (c.needs === 'nothing') {
        expect(answer?.code, type).not.toBe('access_refused');
      } else if (type === 'auth.refresh') {
        // A password connection has no token to refresh: refused alike for everyone (no oauth configured).
        expect(answer).toMatchObject({ type: 'error', code: 'access_refused' });
      } else if (type === 'scheduled.cancel' || type === 'scheduled.reschedule') {
        expect(answer, type).toMatchObject({ type: 'error', code: 'scheduled_not_found' });
      } else {
        expect(answer?.type, type).toBe(type === 'publish' ? 'publish.ack' : 'ok');
      }
    }
    expect((await asRoot('GET', '/api/exchanges/%2F/m.ok.xd')).status).toBe(200);
    expect((await asRoot('GET', '/api/exchanges/%2F/m.ok.xdel')).status).toBe(404);
    expect((await asRoot('GET', '/api/queues/%2F/m.ok.qd')).status).toBe(200);
    expect((await asRoot('GET', '/api/queues/%2F/m.ok.qp')).body.messages).toBe(0);
    expect((await asRoot('GET', '/api/queues/%2F/m.ok.qpub')).body.messages).toBe(1);
    expect((await asRoot('GET', '/api/policies/%2F/m.ok.p')).status).toBe(200);
    expect((await asRoot('GET', '/api/policies/%2F/m.ok.pdel')).status).toBe(404);
    allowed.send({ type: 'close' });
    expect((await allowed.closed).code).toBe(1000);
  });
});

// --- HTTP routes -----------------------------------------------------------------------------

/** A concrete request for each route; names exist where the route wants them to. */
function requestFor(key: string): { method: string; path: string; body?: unknown } {
  const [method, pattern] = key.split(' ') as [string, string];
  // A vhost route's :name is 'hq', never '/': deleting '/' would take the users' permissions with it.
  const path = pattern
    .replace(':vhost', '%2F')
    .replace(':user', 'allowed')
    .replace(':id', 'none')
    .replace(':source', 'hq')
    .replace(':destination', 'hq')
    .replace(':props', '~')
    .replace(':name', pattern.startsWith('/api/users') ? 'target' : pattern.startsWith('/api/policies') ? 'hp' : pattern.startsWith('/api/nodes') ? 'none' : 'hq');
  const bodies: Record<string, unknown> = {
    'PUT /api/users/:name': { password: 'pw', tags: '' },
    'PUT /api/permissions/:vhost/:user': ALL,
    'PUT /api/topic-permissions/:vhost/:user': { exchange: 'amq.topic', write: '.*', read: '.*' },
    'PUT /api/policies/:vhost/:name': { pattern: '^never$', definition: { 'max-length': 5 } },
    'PUT /api/queues/:vhost/:name': {},
    'PUT /api/exchanges/:vhost/:name': { type: 'direct' },
    'POST /api/definitions': {},
    'POST /api/queues/:vhost/:name/get': { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' },
    'POST /api/queues/:vhost/:name/redrive': {},
    'POST /api/exchanges/:vhost/:name/route': { routing_key: 'k' },
    'POST /api/exchanges/:vhost/:name/publish': { routing_key: 'k', payload: 'x', payload_encoding: 'string', properties: {} },
    'POST /api/auth/login': { username: 'allowed', password: 'allowed-pw' },
    'PUT /api/scheduled/:vhost/:id': { due: 0 },
    'POST /api/bindings/:vhost/e/:source/q/:destination': { routing_key: 'k' },
    'POST /api/bindings/:vhost/e/:source/e/:destination': { routing_key: 'k' },
  };
  return { method, path, body: bodies[key] ?? (method === 'POST' || method === 'PUT' ? {} : undefined) };
}

const PASSWORDS: Record<string, string> = { root: 'root-pw', allowed: 'allowed-pw', watcher: 'watcher-pw', narrow: 'narrow-pw', nobody: 'nobody-pw' };

/** The least user that should pass the rule. */
function permittedUser(rule: RouteRule): string {
  if (rule.anyUser === true) return 'nobody';
  if (rule.tag === 'administrator' || rule.tag === undefined) return 'root';
  if (rule.tag === 'monitoring') return 'watcher';
  return 'allowed';
}

const ROUTES = Object.entries(ROUTE_RULES).filter(([, rule]) => rule.public !== true);
/** A route the table names that the broker does not have: a stale rule. */
const isNoRoute = (reply: { status: number; body: { reason?: unknown } }): boolean => reply.status === 404 && String(reply.body.reason).startsWith('no route');

describe('every management API route', () => {
  beforeAll(async () => {
    await q('hq');
    await x('hq');
    await asRoot('PUT', '/api/policies/%2F/hp', { pattern: '^never$', definition: { 'max-length': 5 } });
  });

  it.each(ROUTES.map(([key]) => [key]))('%s: 401 without or with wrong credentials, 403 for a user without the right, and changes nothing', async (key) => {
    const { method, path, body } = requestFor(key);
    const rule = ROUTE_RULES[key]!;
    const before = await snapshot();
    const none = await callAs(broker.httpUrl, undefined, method, path, body);
    expect(isNoRoute(none), `${key} is in ROUTE_RULES but no such route is registered`).toBe(false);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('not_authorized');
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    const wrong = await callAs(broker.httpUrl, basic('allowed', 'wrong'), method, path, body);
    expect(wrong).toMatchObject({ status: 401, body: { error: 'not_authorized' } });
    if (rule.anyUser !== true) {
      const denied = await callAs(broker.httpUrl, basic('nobody', 'nobody-pw'), method, path, body);
      expect(denied).toMatchObject({ status: 403, body: { error: 'access_refused' } });
    }
    if (rule.resource !== undefined || rule.binding === true) {
      // The tag is there, the permission on this name is not.
      const narrow = await callAs(broker.httpUrl, basic('narrow', 'narrow-pw'), method, path, body);
      expect(narrow).toMatchObject({ status: 403, body: { error: 'access_refused' } });
    }
    expect(await snapshot()).toEqual(before);
    await openAs('allowed', 'allowed-pw').then((r) => r.close());
  });

  it.each(ROUTES.map(([key]) => [key]))('%s: passes for a user with the right', async (key) => {
    const { method, path, body } = requestFor(key);
    const user = permittedUser(ROUTE_RULES[key]!);
    const reply = await callAs(broker.httpUrl, basic(user, PASSWORDS[user]!), method, path, body);
    expect(isNoRoute(reply), key).toBe(false);
    expect([401, 403], `${user}: ${JSON.stringify(reply.body)}`).not.toContain(reply.status);
    // Put back what a deleting route removed, for the routes after it.
    if (key.startsWith('DELETE /api/queues/:vhost/:name') || key.startsWith('DELETE /api/exchanges')) await Promise.all([q('hq'), x('hq')]);
    if (key === 'DELETE /api/permissions/:vhost/:user') await asRoot('PUT', '/api/permissions/%2F/allowed', ALL);
  });

  it('lists show a user without monitoring only the vhosts it has permissions in', async () => {
    await asRoot('PUT', '/api/vhosts/hidden');
    await callAs(broker.httpUrl, ROOT, 'PUT', '/api/queues/hidden/secret', {});
    const seen = (await callAs(broker.httpUrl, basic('allowed', 'allowed-pw'), 'GET', '/api/queues')).body.map((x: { vhost: string }) => x.vhost);
    expect(seen).not.toContain('hidden');
    const all = (await callAs(broker.httpUrl, basic('watcher', 'watcher-pw'), 'GET', '/api/queues')).body.map((x: { vhost: string }) => x.vhost);
    expect(all).toContain('hidden');
  });
});

describe('the table and the routes the broker registers', () => {
  // A route without a rule cannot be registered: the broker refuses to start (route-rules.ts,
  // unit-tested beside it), so every test here would fail. This closes the other direction for
  // the documented API: each operation of the OpenAPI document has its rule.
  it('every operation of /api/openapi.json has a rule, and the document is open to any user', async () => {
    const openapi = await callAs(broker.httpUrl, basic('nobody', 'nobody-pw'), 'GET', '/api/openapi.json');
    expect(openapi.status).toBe(200);
    const operations = Object.entries(openapi.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z_]+)\}/g, ':$1')}`),
    );
    expect(operations.length).toBeGreaterThan(60);
    expect(operations.filter((operation) => ROUTE_RULES[operation] === undefined)).toEqual([]);
  });
});
