/** Tests of authentication and permissions: calling the API as a user, making users, opening sockets with credentials. */
import { RawClient } from './raw-client.js';
import type { Reply } from './http.js';

export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Like call(), with an Authorization header (or none) and extra headers. */
export async function callAs(base: string, authorization: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply & { headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(authorization === undefined ? {} : { authorization }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

/** Creates a user with a password, tags and permissions in the given vhosts, as `admin` (an Authorization header). */
export async function createUser(base: string, admin: string | undefined, name: string, password: string, tags: string[] = [], permissions: Record<string, Permissions> = {}): Promise<void> {
  const put = await callAs(base, admin, 'PUT', `/api/users/${encodeURIComponent(name)}`, { password, tags: tags.join(',') });
  if (put.status !== 201 && put.status !== 204) throw new Error(`PUT user ${name}: ${put.status} ${JSON.stringify(put.body)}`);
  for (const [vhost, perms] of Object.entries(permissions)) {
    const set = await callAs(base, admin, 'PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`, perms);
    if (set.status !== 201 && set.status !== 204) throw new Error(`PUT permissions ${name}: ${set.status} ${JSON.stringify(set.body)}`);
  }
}

/** A raw socket that sent `hello` with these fields; resolves once welcomed or refused. */
export async function helloAs(url: string, fields: Record<string, unknown>): Promise<{ raw: RawClient; welcomed: boolean }> {
  const raw = await RawClient.open(url, { hello: false });
  raw.send({ type: 'hello', version: 1, ...fields });
  const first = await Promise.race([raw.next((f) => f.header.type === 'welcome' || f.header.type === 'error'), raw.closed.then(() => undefined)]);
  return { raw, welcomed: first?.header.type === 'welcome' };
}

export const ALL: Permissions = { configure: '.*', write: '.*', read: '.*' };
export const NONE: Permissions = { configure: '', write: '', read: '' };
