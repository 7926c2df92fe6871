/**
 * Browser sessions for the admin UI (issue 23, point 6, HTTP side): POST /api/auth/login sets an
 * HttpOnly, SameSite=Strict session cookie (Secure under TLS: security-tls covers the port) and
 * answers a CSRF token that every state-changing request made with the cookie must carry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../support/broker.js';
import { ALL, basic, callAs, createUser } from '../support/security.js';

let broker: TestBroker;
const ROOT = basic('root', 'root-pw');

beforeAll(async () => {
  broker = await startBroker({ defaultUser: 'root', defaultPass: 'root-pw' });
  await createUser(broker.httpUrl, ROOT, 'ui', 'ui-pw', ['management'], { '/': ALL });
});
afterAll(async () => {
  await broker?.dispose();
});

async function login(username: string, password: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const reply = await callAs(broker.httpUrl, undefined, 'POST', '/api/auth/login', { username, password });
  expect(reply.status).toBe(200);
  const setCookie = reply.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, csrf: reply.body.csrf_token, setCookie };
}

describe('browser sessions', () => {
  it('log in with a password into an HttpOnly, SameSite=Strict cookie that authenticates later requests', async () => {
    const reply = await callAs(broker.httpUrl, undefined, 'POST', '/api/auth/login', { username: 'ui', password: 'ui-pw' });
    expect(reply.body).toMatchObject({ name: 'ui', tags: ['management'], mechanism: 'password' });
    expect(reply.body.csrf_token).toMatch(/^[\w-]{40,}$/);
    const setCookie = reply.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^warren_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict/);
    expect(setCookie).not.toContain('Secure');
    const cookie = setCookie.split(';')[0]!;
    expect((await callAs(broker.httpUrl, undefined, 'GET', '/api/whoami', undefined, { cookie })).body).toMatchObject({ name: 'ui' });
  });

  it("whoami with the cookie answers the session's CSRF token (a reloaded page gets it back); without a session, none", async () => {
    const { cookie, csrf } = await login('ui', 'ui-pw');
    expect((await callAs(broker.httpUrl, undefined, 'GET', '/api/whoami', undefined, { cookie })).body.csrf_token).toBe(csrf);
    expect((await callAs(broker.httpUrl, basic('ui', 'ui-pw'), 'GET', '/api/whoami')).body.csrf_token).toBeUndefined();
  });

  it('a 401 to a request marked X-Requested-With carries no Basic challenge (no browser password dialog over the login page)', async () => {
    const plain = await callAs(broker.httpUrl, undefined, 'GET', '/api/queues');
    expect(plain.headers.get('www-authenticate')).toContain('Basic');
    const marked = await callAs(broker.httpUrl, undefined, 'GET', '/api/queues', undefined, { 'x-requested-with': 'XMLHttpRequest' });
    expect(marked.status).toBe(401);
    expect(marked.headers.get('www-authenticate')).toBeNull();
  });

  it('refuse a wrong password with 401, audited', async () => {
    const reply = await callAs(broker.httpUrl, undefined, 'POST', '/api/auth/login', { username: 'ui', password: 'nope' });
    expect(reply).toMatchObject({ status: 401, body: { error: 'not_authorized' } });
    const audit = (await callAs(broker.httpUrl, ROOT, 'GET', '/api/audit')).body.items;
    expect(audit[0]).toMatchObject({ user: 'ui', user_verified: false, action: 'refused.login' });
  });

  it('demand the CSRF token on every state-changing request made with the cookie, and change nothing without it', async () => {
    const { cookie, csrf } = await login('ui', 'ui-pw');
    const without = await callAs(broker.httpUrl, undefined, 'PUT', '/api/queues/%2F/csrf.q', {}, { cookie });
    expect(without).toMatchObject({ status: 403, body: { error: 'access_refused' } });
    const forged = await callAs(broker.httpUrl, undefined, 'PUT', '/api/queues/%2F/csrf.q', {}, { cookie, 'x-csrf-token': 'guess' });
    expect(forged.status).toBe(403);
    expect((await callAs(broker.httpUrl, ROOT, 'GET', '/api/queues/%2F/csrf.q')).status).toBe(404);
    const ok = await callAs(broker.httpUrl, undefined, 'PUT', '/api/queues/%2F/csrf.q', {}, { cookie, 'x-csrf-token': csrf });
    expect(ok.status).toBe(201);
  });

  it('end at logout, and when the user is deleted', async () => {
    const first = await login('ui', 'ui-pw');
    await callAs(broker.httpUrl, undefined, 'POST', '/api/auth/logout', undefined, { cookie: first.cookie, 'x-csrf-token': first.csrf });
    expect((await callAs(broker.httpUrl, undefined, 'GET', '/api/whoami', undefined, { cookie: first.cookie })).status).toBe(401);
    const second = await login('ui', 'ui-pw');
    expect((await callAs(broker.httpUrl, ROOT, 'DELETE', '/api/users/ui')).status).toBe(204);
    expect((await callAs(broker.httpUrl, undefined, 'GET', '/api/whoami', undefined, { cookie: second.cookie })).status).toBe(401);
  });
});
