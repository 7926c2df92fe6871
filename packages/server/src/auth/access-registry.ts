/**
 * Users, their permissions per vhost and their topic permissions: RabbitMQ's internal auth
 * backend model (docs/security.md, "The model"). Held in memory for every frame's check, kept in
 * the store's record space 'access' (one record per user, permission and topic permission), and
 * read back at boot. Every change bumps `generation`, so what a connection cached is recomputed.
 * Checking a password is authenticator.ts's job; what an operation needs is frame-access.ts's
 * and route-access.ts's.
 */
import { WarrenError } from '@warren/protocol';
import type { Store } from '@warren/core';
import type { PasswordHash } from './password-hash.js';
import { regexMatcher } from './patterns.js';

export interface UserRecord extends PasswordHash {
  name: string;
  /** Any strings; administrator, monitoring, policymaker and management mean something to Warren, others are kept (as RabbitMQ does). */
  tags: string[];
  /** RabbitMQ's user limits: `max-connections` (-1 or absent: none). */
  limits: Record<string, number>;
  /**
   * Set only on the guest that the first boot creates, whose password is known to be `guest`:
   * its logins are checked without scrypt (a broker restarted often must not pay it per start).
   * Any change to the user writes a record without it.
   */
  guestDefault?: true;
}

export interface PermissionRecord {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface TopicPermissionRecord {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

const SEP = '\u0000';
const permissionKey = (user: string, vhost: string): string => `${user}${SEP}${vhost}`;
const topicKey = (user: string, vhost: string, exchange: string): string => `${user}${SEP}${vhost}${SEP}${exchange}`;

/** A name longer than this is refused, as RabbitMQ's short strings are. */
const MAX_NAME = 255;

export class AccessRegistry {
  readonly users = new Map<string, UserRecord>();
  readonly permissions = new Map<string, PermissionRecord>();
  readonly topicPermissions = new Map<string, TopicPermissionRecord>();
  /** Bumped on every change: connections compare it with the one their cached answers were computed at. */
  generation = 0;
  private readonly removedListeners: ((user: string) => void)[] = [];

  constructor(private readonly store: Store) {}

  async restore(): Promise<void> {
    for (const { id, value } of await this.store.readRecords('access', { limit: Number.MAX_SAFE_INTEGER })) {
      if (id.startsWith('user:')) this.users.set((value as UserRecord).name, value as UserRecord);
      else if (id.startsWith('perm:')) {
        const p = value as PermissionRecord;
        this.permissions.set(permissionKey(p.user, p.vhost), p);
      } else if (id.startsWith('topic:')) {
        const t = value as TopicPermissionRecord;
        this.topicPermissions.set(topicKey(t.user, t.vhost, t.exchange), t);
      }
    }
    this.generation++;
  }

  /** Called with the name of each user deleted or whose password changed (its connections are closed). */
  onUserRevoked(listener: (user: string) => void): void {
    this.removedListeners.push(listener);
  }

  user(name: string): UserRecord | undefined {
    return this.users.get(name);
  }

  putUser(record: UserRecord): void {
    checkName('user', record.name);
    const before = this.users.get(record.name);
    this.users.set(record.name, record);
    this.store.putRecord('access', `user:${record.name}`, record, true);
    this.generation++;
    if (before !== undefined && before.password_hash !== record.password_hash) this.revoked(record.name);
  }

  /** Deletes the user with its permissions; false when there was none. */
  deleteUser(name: string): boolean {
    if (!this.users.delete(name)) return false;
    this.store.deleteRecord('access', `user:${name}`);
    for (const p of [...this.permissions.values()]) if (p.user === name) this.deletePermission(p.user, p.vhost);
    for (const t of [...this.topicPermissions.values()]) if (t.user === name) this.deleteTopicPermission(t.user, t.vhost, t.exchange);
    this.generation++;
    this.revoked(name);
    return true;
  }

  permission(user: string, vhost: string): PermissionRecord | undefined {
    return this.permissions.get(permissionKey(user, vhost));
  }

  putPermission(record: PermissionRecord): void {
    this.requireUser(record.user);
    for (const kind of ['configure', 'write', 'read'] as const) regexMatcher(record[kind], kind);
    const key = permissionKey(record.user, record.vhost);
    this.permissions.set(key, record);
    this.store.putRecord('access', `perm:${key}`, record, true);
    this.generation++;
  }

  deletePermission(user: string, vhost: string): boolean {
    const key = permissionKey(user, vhost);
    if (!this.permissions.delete(key)) return false;
    this.store.deleteRecord('access', `perm:${key}`);
    this.generation++;
    return true;
  }

  topicPermission(user: string, vhost: string, exchange: string): TopicPermissionRecord | undefined {
    return this.topicPermissions.get(topicKey(user, vhost, exchange));
  }

  putTopicPermission(record: TopicPermissionRecord): void {
    this.requireUser(record.user);
    for (const kind of ['write', 'read'] as const) regexMatcher(record[kind], kind);
    const key = topicKey(record.user, record.vhost, record.exchange);
    this.topicPermissions.set(key, record);
    this.store.putRecord('access', `topic:${key}`, record, true);
    this.generation++;
  }

  deleteTopicPermission(user: string, vhost: string, exchange: string): boolean {
    const key = topicKey(user, vhost, exchange);
    if (!this.topicPermissions.delete(key)) return false;
    this.store.deleteRecord('access', `topic:${key}`);
    this.generation++;
    return true;
  }

  /** A deleted vhost takes its permissions with it, as in RabbitMQ. */
  vhostDeleted(vhost: string): void {
    for (const p of [...this.permissions.values()]) if (p.vhost === vhost) this.deletePermission(p.user, p.vhost);
    for (const t of [...this.topicPermissions.values()]) if (t.vhost === vhost) this.deleteTopicPermission(t.user, t.vhost, t.exchange);
  }

  private requireUser(name: string): void {
    if (!this.users.has(name)) throw new WarrenError('not_found', `no user '${name}'`);
  }

  private revoked(name: string): void {
    for (const listener of this.removedListeners) listener(name);
  }
}

function checkName(kind: string, name: string): void {
  if (name === '' || name.length > MAX_NAME) throw new WarrenError('invalid_argument', `a ${kind} name must have 1 to ${MAX_NAME} characters`);
}
