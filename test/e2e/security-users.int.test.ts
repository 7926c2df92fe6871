/**
 * Users, vhosts and permissions (issue 23, point 1, and the login parts of point 2): managed over
 * /api/users, /api/permissions, /api/topic-permissions and /api/vhosts, checked at the WebSocket
 * hello and on every frame, kept across restarts and in definitions, RabbitMQ password hashes
 * imported as they are; guest from loopback, WARREN_DEFAULT_USER, and slowed failed logins.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';
import { ALL, basic, callAs, createUser, helloAs } from '../support/security.js';

let broker: TestBroker;
let dir: Awaited<ReturnType<typeof tempDir>>;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);

beforeAll(async () => {
  dir = await tempDir();
  broker = await startBroker({}, dir.path);
});
afterAll(async () => {
  await broker?.close();
  await dir?.remove();
});

describe('users and permissions over HTTP', () => {
  it('whoami answers the guest from loopback as the first administrator', async () => {
    expect((await api('GET', '/api/whoami')).body).toEqual({
      name: 'guest',
      tags: ['administrator'],
      mechanism: 'password',
      // Warren's summary per vhost, for a UI to hide what cannot be done.
      permissions: [{ vhost: '/', configure: true, write: true, read: true }],
    });
    expect((await callAs(broker.httpUrl, basic('guest', 'guest'), 'GET', '/api/whoami')).body.name).toBe('guest');
  });

  it('creates, shows, updates and deletes users; passwords are stored as scrypt hashes', async () => {
    expect((await api('PUT', '/api/users/carol', { password: 'pw1', tags: 'monitoring,management' })).status).toBe(201);
    const carol = (await api('GET', '/api/users/carol')).body;
    expect(carol).toMatchObject({ name: 'carol', hashing_algorithm: 'warren_password_hashing_scrypt', tags: ['monitoring', 'management'], limits: {} });
    expect(carol.password_hash).not.toContain('pw1');
    expect((await api('PUT', '/api/users/carol', { tags: ['administrator'] })).status).toBe(204);
    expect((await api('GET', '/api/users/carol')).body).toMatchObject({ tags: ['administrator'], password_hash: carol.password_hash });
    expect((await callAs(broker.httpUrl, basic('carol', 'pw1'), 'GET', '/api/whoami')).body).toMatchObject({ name: 'carol', tags: ['administrator'] });
    expect((await api('GET', '/api/users')).body.map((u: { name: string }) => u.name)).toEqual(['guest', 'carol']);
    expect((await api('DELETE', '/api/users/carol')).status).toBe(204);
    expect((await api('GET', '/api/users/carol')).status).toBe(404);
    expect((await api('DELETE', '/api/users/carol')).body.error).toBe('not_found');
  });

  it('sets and lists permissions and topic permissions; bad regexes are 400 and change nothing', async () => {
    await api('PUT', '/api/users/dan', { password: 'pw' });
    expect((await api('PUT', '/api/permissions/%2F/dan', { configure: '^dan\\.', write: '.*', read: '' })).status).toBe(201);
    expect((await api('GET', '/api/permissions/%2F/dan')).body).toEqual({ user: 'dan', vhost: '/', configure: '^dan\\.', write: '.*', read: '' });
    const bad = await api('PUT', '/api/permissions/%2F/dan', { configure: '(', write: '.*', read: '.*' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_argument' } });
    expect(bad.body.reason).toContain('configure');
    expect((await api('GET', '/api/permissions/%2F/dan')).body.configure).toBe('^dan\\.');
    expect((await api('PUT', '/api/permissions/nowhere/dan', ALL)).body.error).toBe('vhost_not_found');
    expect((await api('PUT', '/api/permissions/%2F/ghost', ALL)).body.error).toBe('not_found');
    expect((await api('PUT', '/api/topic-permissions/%2F/dan', { exchange: 'events', write: '^dan\\.', read: '.*' })).status).toBe(201);
    expect((await api('GET', '/api/topic-permissions/%2F/dan')).body).toEqual([{ user: 'dan', vhost: '/', exchange: 'events', write: '^dan\\.', read: '.*' }]);
    expect((await api('GET', '/api/users/dan/permissions')).body).toHaveLength(1);
    expect((await api('GET', '/api/users/dan/topic-permissions')).body).toHaveLength(1);
    expect((await api('DELETE', '/api/topic-permissions/%2F/dan')).status).toBe(204);
    expect((await api('DELETE', '/api/permissions/%2F/dan')).status).toBe(204);
    expect((await api('GET', '/api/permissions')).body.map((p: { user: string }) => p.user)).toEqual(['guest']);
  });
});

describe('logging in over the WebSocket', () => {
  it('welcomes the right password, refuses a wrong one (4013) and a vhost without permissions (4011)', async () => {
    await createUser(broker.httpUrl, undefined, 'erin', 'erin-pw', [], { '/': ALL });
    const ok = await helloAs(broker.url, { username: 'erin', password: 'erin-pw' });
    expect(ok.welcomed).toBe(true);
    await ok.raw.close();
    const wrong = await helloAs(broker.url, { username: 'erin', password: 'nope' });
    expect(wrong.welcomed).toBe(false);
    expect((await wrong.raw.closed).code).toBe(4013);
    expect(wrong.raw.frames[0]?.header).toMatchObject({ type: 'error', code: 'not_authorized', reply_code: 403 });
    expect((await api('PUT', '/api/vhosts/erin-only', undefined)).status).toBe(201);
    const noVhost = await helloAs(broker.url, { username: 'erin', password: 'erin-pw', vhost: 'erin-only' });
    expect(noVhost.raw.frames[0]?.header).toMatchObject({ type: 'error', code: 'vhost_access_refused' });
    expect((await noVhost.raw.closed).code).toBe(4011);
  });

  it('applies a permission change to open connections from their next frame, and closes those of a deleted user', async () => {
    await createUser(broker.httpUrl, undefined, 'fay', 'fay-pw', [], { '/': ALL });
    const fay = await connect(broker.url, { username: 'fay', password: 'fay-pw' });
    await fay.declareQueue('fay.a');
    await api('PUT', '/api/permissions/%2F/fay', { configure: '^fay\\.a$', write: '.*', read: '.*' });
    await expect(fay.declareQueue('fay.b')).rejects.toMatchObject({ code: 'access_refused' });
    expect((await api('GET', '/api/queues/%2F/fay.b')).status).toBe(404);
    await fay.declareQueue('fay.a');
    await api('DELETE', '/api/users/fay');
    expect(await fay.closed).toMatchObject({ code: 'not_authorized' });
  });

  it('enforces topic permissions on routing keys of topic exchanges, for publish and bind', async () => {
    await createUser(broker.httpUrl, undefined, 'gus', 'gus-pw', [], { '/': ALL });
    await api('PUT', '/api/topic-permissions/%2F/gus', { exchange: 'gus.events', write: '^{username}\\.', read: '^public\\.' });
    const gus = await connect(broker.url, { username: 'gus', password: 'gus-pw' });
    await gus.declareExchange('gus.events', 'topic');
    await gus.declareQueue('gus.q');
    await gus.bind('gus.q', 'gus.events', 'public.#');
    await expect(gus.bind('gus.q', 'gus.events', 'secret.#')).rejects.toMatchObject({ code: 'access_refused' });
    await gus.publish('gus.events', 'gus.hello', 'mine');
    await expect(gus.publish('gus.events', 'other.hello', 'theirs')).rejects.toMatchObject({ code: 'access_refused' });
    await gus.close();
  });
});

describe('a RabbitMQ export with password hashes', () => {
  it('imports as it is, and its users log in with their old passwords (SHA-256 and SHA-512)', async () => {
    const rabbit = (password: string, hash: 'sha256' | 'sha512') => {
      const salt = randomBytes(4);
      return Buffer.concat([salt, createHash(hash).update(salt).update(password, 'utf8').digest()]).toString('base64');
    };
    const document = {
      users: [
        { name: 'legacy256', password_hash: rabbit('old-256', 'sha256'), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['management'], limits: {} },
        { name: 'legacy512', password_hash: rabbit('old-512', 'sha512'), hashing_algorithm: 'rabbit_password_hashing_sha512', tags: 'policymaker', limits: {} },
      ],
      vhosts: [{ name: '/' }],
      permissions: [
        { user: 'legacy256', vhost: '/', configure: '.*', write: '.*', read: '.*' },
        { user: 'legacy512', vhost: '/', configure: '.*', write: '.*', read: '.*' },
      ],
    };
    const imported = await api('POST', '/api/definitions', document);
    expect(imported).toMatchObject({ status: 200, body: { warnings: [] } });
    for (const [user, password] of [['legacy256', 'old-256'], ['legacy512', 'old-512']]) {
      const client = await connect(broker.url, { username: user, password });
      await client.close();
      expect((await callAs(broker.httpUrl, basic(user!, password!), 'GET', '/api/whoami')).status).toBe(200);
      expect((await callAs(broker.httpUrl, basic(user!, 'wrong'), 'GET', '/api/whoami')).status).toBe(401);
    }
    const exported = (await api('GET', '/api/definitions')).body;
    expect(exported.users).toContainEqual(document.users[0]);
  });
});

describe('vhosts at run time', () => {
  it('are created and deleted over HTTP, with what they hold and their connections, and survive a restart', async () => {
    expect((await api('PUT', '/api/vhosts/staging')).status).toBe(201);
    expect((await api('PUT', '/api/vhosts/staging')).status).toBe(204);
    // The creator gets full permissions there, as with RabbitMQ's management plugin.
    expect((await api('GET', '/api/permissions/staging/guest')).body).toMatchObject(ALL);
    const client = await connect(broker.url, { vhost: 'staging' });
    await client.declareQueue('staged');
    await client.publish('', 'staged', 'kept');
    expect((await api('PUT', '/api/vhosts/doomed')).status).toBe(201);
    const doomed = await connect(broker.url, { vhost: 'doomed' });
    await doomed.declareQueue('gone');
    expect((await api('DELETE', '/api/vhosts/doomed')).status).toBe(204);
    expect(await doomed.closed).toMatchObject({ code: 'connection_forced' });
    expect((await api('GET', '/api/queues/doomed/gone')).status).toBe(404);
    expect((await api('GET', '/api/permissions/doomed/guest')).status).toBe(404);
    await client.close();

    await broker.close();
    broker = await startBroker({}, dir.path);
    expect((await api('GET', '/api/queues/staging/staged')).body).toMatchObject({ name: 'staged', messages: 1 });
    expect((await api('GET', '/api/queues/doomed/gone')).status).toBe(404);
    expect((await api('GET', '/api/users/erin')).status).toBe(200);
    expect((await api('GET', '/api/permissions/staging/guest')).status).toBe(200);
    const again = await helloAs(broker.url, { username: 'erin', password: 'erin-pw' });
    expect(again.welcomed).toBe(true);
    await again.raw.close();
  });
});

describe('failed logins', () => {
  it('are slowed down per address after three, and audited', async () => {
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect((await callAs(broker.httpUrl, basic('mallory', `guess${i}`), 'GET', '/api/overview')).status).toBe(401);
      timings.push(performance.now() - started);
    }
    // The 4th waits 250 ms and the 5th 500 ms before their check (login-throttle.ts).
    expect(timings[3]).toBeGreaterThanOrEqual(240);
    expect(timings[4]).toBeGreaterThanOrEqual(490);
    // A success clears that address and user only; guest from the same address was never slowed.
    expect((await api('GET', '/api/whoami')).status).toBe(200);
    const audit = (await api('GET', '/api/audit?page_size=20')).body.items;
    expect(audit.filter((e: { user: string; action: string }) => e.user === 'mallory' && e.action === 'refused.GET /api/overview')).toHaveLength(5);
  });
});

describe('WARREN_DEFAULT_USER / WARREN_DEFAULT_PASS', () => {
  it('create the first administrator instead of guest, so a client without credentials is refused', async () => {
    const own = await startBroker({ defaultUser: 'root', defaultPass: 'hunter22' });
    try {
      const anonymous = await helloAs(own.url, {});
      expect(anonymous.welcomed).toBe(false);
      expect((await anonymous.raw.closed).code).toBe(4013);
      expect((await call(own.httpUrl, 'GET', '/api/overview')).status).toBe(401);
      expect((await callAs(own.httpUrl, basic('root', 'hunter22'), 'GET', '/api/whoami')).body).toMatchObject({ name: 'root', tags: ['administrator'] });
      const root = await connect(own.url, { username: 'root', password: 'hunter22' });
      await root.close();
    } finally {
      await own.dispose();
    }
  });
});
