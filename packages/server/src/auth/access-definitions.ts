/**
 * Users, permissions and topic permissions in RabbitMQ's definitions JSON (docs/security.md,
 * "Definitions"): exported beside the topology, imported with it. A RabbitMQ export imports as it
 * is: `password_hash` with `hashing_algorithm` (rabbit_password_hashing_sha256 / _sha512 / _md5)
 * is kept, so its users log in with their old passwords; `tags` may be a list or "a,b". An import
 * is checked whole (`stage`: entries, regexes, algorithms, users and vhosts named) before the
 * core touches anything, and applied after the core's import succeeded.
 */
import { Ajv } from 'ajv';
import { WarrenError, type PermissionView, type TopicPermissionView, type UserView } from '@warren/protocol';
import type { Broker } from '@warren/core';
import type { AccessRegistry, UserRecord } from './access-registry.js';
import { regexMatcher } from './patterns.js';
import { hashPassword, HASHING_ALGORITHMS, SCRYPT_ALGORITHM } from './password-hash.js';
import { parseTags, userView } from './routes/users.js';

export const ACCESS_SECTIONS = ['users', 'permissions', 'topic_permissions'] as const;

export interface AccessDefinitions {
  users: UserView[];
  permissions: PermissionView[];
  topic_permissions: TopicPermissionView[];
}

const text = { type: 'string', maxLength: 4096 };
const name = { type: 'string', minLength: 1, maxLength: 255 };
const schema = {
  type: 'object',
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: {
          name,
          password_hash: text,
          password: { type: 'string', minLength: 1, maxLength: 1024 },
          hashing_algorithm: { enum: [...HASHING_ALGORITHMS] },
          tags: { anyOf: [text, { type: 'array', items: name }] },
          limits: { anyOf: [{ type: 'object', additionalProperties: { type: 'integer', minimum: -1 } }, { type: 'array', maxItems: 0 }] },
        },
      },
    },
    permissions: { type: 'array', items: { type: 'object', required: ['user', 'vhost', 'configure', 'write', 'read'], properties: { user: name, vhost: name, configure: text, write: text, read: text } } },
    topic_permissions: {
      type: 'array',
      items: { type: 'object', required: ['user', 'vhost', 'exchange', 'write', 'read'], properties: { user: name, vhost: name, exchange: { type: 'string', maxLength: 255 }, write: text, read: text } },
    },
  },
};
const validate = new Ajv({ allErrors: false, strict: false }).compile(schema);

type Document = { users?: Array<Record<string, unknown>>; permissions?: PermissionView[]; topic_permissions?: TopicPermissionView[]; vhosts?: Array<{ name: string }> };

export function exportAccess(registry: AccessRegistry): AccessDefinitions {
  return { users: [...registry.users.values()].map(userView), permissions: [...registry.permissions.values()], topic_permissions: [...registry.topicPermissions.values()] };
}

/** Checks the document's access sections; resolves with what applies them (after the core's import). */
export async function stageAccess(registry: AccessRegistry, broker: Broker, input: unknown): Promise<() => void> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return () => {};
  if (!validate(input)) {
    const error = validate.errors?.[0];
    throw new WarrenError('invalid_argument', `definitions${error?.instancePath.replaceAll('/', '.') ?? ''} ${error?.message ?? 'is invalid'}`);
  }
  const document = input as Document;
  const users: UserRecord[] = [];
  for (const entry of document.users ?? []) {
    const password =
      typeof entry.password === 'string'
        ? await hashPassword(entry.password)
        : { password_hash: (entry.password_hash as string | undefined) ?? '', hashing_algorithm: (entry.hashing_algorithm as string | undefined) ?? (entry.password_hash === undefined ? SCRYPT_ALGORITHM : 'rabbit_password_hashing_sha256') };
    const limits = Array.isArray(entry.limits) ? {} : ((entry.limits as Record<string, number> | undefined) ?? {});
    users.push({ name: entry.name as string, ...password, tags: parseTags(entry.tags as string | string[] | undefined), limits });
  }
  const userNames = new Set([...registry.users.keys(), ...users.map((u) => u.name)]);
  const vhostNames = new Set([...broker.vhosts.keys(), ...(document.vhosts ?? []).map((v) => v.name)]);
  const permissions = document.permissions ?? [];
  const topics = document.topic_permissions ?? [];
  for (const p of [...permissions, ...topics]) {
    if (!userNames.has(p.user)) throw new WarrenError('invalid_argument', `definitions: a permission names user '${p.user}', which neither exists nor is in the document`);
    if (!vhostNames.has(p.vhost)) throw new WarrenError('invalid_argument', `definitions: a permission names vhost '${p.vhost}', which neither exists nor is in the document`);
  }
  for (const p of permissions) for (const kind of ['configure', 'write', 'read'] as const) regexMatcher(p[kind], `permission of '${p.user}' in '${p.vhost}': ${kind}`);
  for (const t of topics) for (const kind of ['write', 'read'] as const) regexMatcher(t[kind], `topic permission of '${t.user}' in '${t.vhost}': ${kind}`);
  return () => {
    for (const user of users) registry.putUser(user);
    for (const p of permissions) registry.putPermission({ user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read });
    for (const t of topics) registry.putTopicPermission({ user: t.user, vhost: t.vhost, exchange: t.exchange, write: t.write, read: t.read });
  };
}
