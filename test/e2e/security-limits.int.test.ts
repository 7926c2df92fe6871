/**
 * Limits per user and vhost (issue 23, point 5): connections per user (the user's own
 * `max-connections`, else maxConnectionsPerUser), per vhost, queues per vhost, and the time a
 * socket has to log in. Each exceeded by one is refused with a stable code; what was open stays
 * open. The global limits, frame and message size are limits.int.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';
import { RawClient } from '../support/raw-client.js';
import { ALL, createUser, helloAs } from '../support/security.js';

let broker: TestBroker;
const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);

beforeAll(async () => {
  broker = await startBroker({ maxConnectionsPerUser: 2, maxConnectionsPerVhost: 3, maxQueuesPerVhost: 3 });
  await api('PUT', '/api/vhosts/lim');
  for (const name of ['u1', 'u2']) await createUser(broker.httpUrl, undefined, name, `${name}-pw`, [], { '/': ALL, lim: ALL });
  await api('PUT', '/api/users/solo', { password: 'solo-pw', limits: { 'max-connections': 1 } });
  await api('PUT', '/api/permissions/lim/solo', ALL);
});
afterAll(async () => {
  await broker?.dispose();
});

async function refusedWith(fields: Record<string, unknown>, code: string, closeCode: number): Promise<void> {
  const { raw, welcomed } = await helloAs(broker.url, fields);
  expect(welcomed).toBe(false);
  expect(raw.frames[0]?.header).toMatchObject({ type: 'error', code });
  expect((await raw.closed).code).toBe(closeCode);
}

describe('connection limits', () => {
  it('per user: the one over maxConnectionsPerUser is refused with connection_limit (4006); the others and other users stay', async () => {
    const open: Client[] = [await connect(broker.url, { username: 'u1', password: 'u1-pw' }), await connect(broker.url, { username: 'u1', password: 'u1-pw' })];
    await refusedWith({ username: 'u1', password: 'u1-pw' }, 'connection_limit', 4006);
    const other = await connect(broker.url, { username: 'u2', password: 'u2-pw' });
    for (const client of open) await client.declareQueue(`still-open`);
    await other.close();
    await open[0]!.close();
    // One closed: there is room again.
    open[0] = await connect(broker.url, { username: 'u1', password: 'u1-pw' });
    for (const client of open) await client.close();
  });

  it("per user, the user's own max-connections limit comes first", async () => {
    const one = await connect(broker.url, { username: 'solo', password: 'solo-pw', vhost: 'lim' });
    await refusedWith({ username: 'solo', password: 'solo-pw', vhost: 'lim' }, 'connection_limit', 4006);
    await one.close();
  });

  it('per vhost: the one over maxConnectionsPerVhost is refused; other vhosts are not counted', async () => {
    const open = [
      await connect(broker.url, { username: 'u1', password: 'u1-pw', vhost: 'lim' }),
      await connect(broker.url, { username: 'u2', password: 'u2-pw', vhost: 'lim' }),
      await connect(broker.url, { vhost: 'lim' }),
    ];
    await refusedWith({ vhost: 'lim' }, 'connection_limit', 4006);
    const elsewhere = await connect(broker.url);
    await elsewhere.close();
    for (const client of open) await client.close();
  });
});

describe('queues per vhost', () => {
  it('the queue over maxQueuesPerVhost is queue_limit, over the wire and over HTTP; other vhosts have their own count', async () => {
    const client = await connect(broker.url, { vhost: 'lim' });
    for (const name of ['a', 'b', 'c']) await client.declareQueue(`lim.${name}`);
    await expect(client.declareQueue('lim.d')).rejects.toMatchObject({ code: 'queue_limit' });
    await client.declareQueue('lim.a');
    expect(await api('PUT', '/api/queues/lim/lim.e', {})).toMatchObject({ status: 400, body: { error: 'queue_limit' } });
    expect((await api('GET', '/api/queues/lim')).body).toHaveLength(3);
    expect((await api('PUT', '/api/queues/%2F/elsewhere', {})).status).toBe(201);
    await client.close();
  });
});

describe('the login timeout', () => {
  it('closes a socket that never logs in with handshake_timeout (4002); one that does in time is unaffected', async () => {
    const quick = await startBroker({ handshakeTimeout: 1000 });
    try {
      // guest's password is checked once here (scrypt), so the timely hello below is answered at once.
      expect((await call(quick.httpUrl, 'GET', '/api/whoami')).status).toBe(200);
      const idle = await RawClient.open(quick.url, { hello: false });
      const timely = await RawClient.open(quick.url);
      expect((await idle.closed).code).toBe(4002);
      expect(idle.frames[0]?.header).toMatchObject({ code: 'handshake_timeout' });
      expect((await timely.request({ type: 'queue.declare', queue: 'alive' })).header.type).toBe('ok');
      await timely.close();
    } finally {
      await quick.dispose();
    }
  });
});
