/**
 * `/api/users`, `/api/users/{name}` and `/api/whoami`, in RabbitMQ's shape (docs/security.md).
 * A password given here is hashed with scrypt; a `password_hash` with its `hashing_algorithm`
 * (RabbitMQ's salted SHA-256 / SHA-512 / MD5, or Warren's scrypt) is kept as it is. Who may call
 * these is route-rules.ts's business; every change is audited with the verified user.
 */
import type { FastifyInstance } from 'fastify';
import { httpActor } from '../../audit/user.js';
import { parseUserBody, WarrenError, type UserView, type WhoamiView } from '@warren/protocol';
import type { AccessControl } from '../access-control.js';
import type { UserRecord } from '../access-registry.js';
import { hashPassword, HASHING_ALGORITHMS, type PasswordHash } from '../password-hash.js';
import type { Principal } from '../principal.js';
import { written } from '../../http/lookup.js';

interface UserParams {
  name: string;
}

export function userView(user: UserRecord): UserView {
  return { name: user.name, password_hash: user.password_hash, hashing_algorithm: user.hashing_algorithm, tags: user.tags, limits: user.limits };
}

/** RabbitMQ's whoami (name, tags), and Warren's summary of the user's permissions per vhost it may use. */
export function whoami(principal: Principal, vhosts: Iterable<string>): WhoamiView {
  const view: WhoamiView = { name: principal.user, tags: principal.tags(), mechanism: principal.mechanism };
  if (principal.expiresAt !== undefined) view.expires_at = new Date(principal.expiresAt).toISOString();
  view.permissions = [...vhosts]
    .filter((vhost) => principal.hasVHost(vhost))
    .map((vhost) => ({ vhost, configure: principal.mayAny(vhost, 'configure'), write: principal.mayAny(vhost, 'write'), read: principal.mayAny(vhost, 'read') }));
  return view;
}

/** RabbitMQ takes tags as "a,b" (older API) or as a list. */
export function parseTags(tags: string | string[] | undefined): string[] {
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return [...new Set(list.map((t) => t.trim()).filter((t) => t !== ''))];
}

export async function passwordOf(body: { password?: string; password_hash?: string; hashing_algorithm?: string }, before: PasswordHash | undefined): Promise<PasswordHash> {
  if (body.password !== undefined) {
    if (body.password === '') throw new WarrenError('invalid_argument', 'password must not be empty; leave it out for a user who logs in by certificate or token only');
    return hashPassword(body.password);
  }
  if (body.password_hash !== undefined) {
    const algorithm = body.hashing_algorithm ?? 'rabbit_password_hashing_sha256';
    if (!(HASHING_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new WarrenError('invalid_argument', `hashing_algorithm '${algorithm}' is not one of ${HASHING_ALGORITHMS.join(', ')}`);
    }
    return { password_hash: body.password_hash, hashing_algorithm: algorithm };
  }
  return before ?? { password_hash: '', hashing_algorithm: HASHING_ALGORITHMS[0] };
}

export function userRoutes(app: FastifyInstance, access: AccessControl): void {
  const { registry } = access;
  app.get('/api/whoami', async (request): Promise<WhoamiView> => ({
    ...whoami(request.principal!, access.broker.vhosts.keys()),
    ...(request.csrfToken === undefined ? {} : { csrf_token: request.csrfToken }),
  }));

  app.get('/api/users', async (): Promise<UserView[]> => [...registry.users.values()].map(userView));

  app.get<{ Params: UserParams }>('/api/users/:name', async (request): Promise<UserView> => {
    const user = registry.user(request.params.name);
    if (user === undefined) throw new WarrenError('not_found', `no user '${request.params.name}'`);
    return userView(user);
  });

  app.put<{ Params: UserParams }>('/api/users/:name', async (request, reply) => {
    const body = parseUserBody(request.body ?? {});
    const name = request.params.name;
    const before = registry.user(name);
    const password = await passwordOf(body, before);
    const tags = body.tags === undefined ? (before?.tags ?? []) : parseTags(body.tags);
    registry.putUser({ name, ...password, tags, limits: body.limits ?? before?.limits ?? {} });
    access.broker.audit.record({ ...httpActor(request), action: 'user.put', object: { type: 'user', vhost: null, name }, parameters: { tags, password_changed: password !== before } });
    await written(access.broker);
    return reply.code(before === undefined ? 201 : 204).send();
  });

  app.delete<{ Params: UserParams }>('/api/users/:name', async (request, reply) => {
    const name = request.params.name;
    if (!registry.deleteUser(name)) throw new WarrenError('not_found', `no user '${name}'`);
    access.broker.audit.record({ ...httpActor(request), action: 'user.delete', object: { type: 'user', vhost: null, name } });
    await written(access.broker);
    return reply.code(204).send();
  });
}
