/**
 * Who is asking, once authenticated: a user of the registry (password or client certificate)
 * or the bearer of a JWT (its scopes). Both answer the same questions, RabbitMQ's: may this
 * principal configure / write / read this resource in this vhost, may it publish or bind with
 * this routing key on this topic exchange, does it have this tag. The default exchange is
 * checked as `amq.default` (RabbitMQ's name for it).
 */
import type { AccessRegistry } from './access-registry.js';
import { quoteRegex, regexMatcher } from './patterns.js';

export type PermissionKind = 'configure' | 'write' | 'read';
export type TopicKind = 'write' | 'read';

export interface Principal {
  readonly user: string;
  /** How the principal proved who it is. */
  readonly mechanism: 'password' | 'token' | 'certificate';
  hasTag(tag: string): boolean;
  tags(): string[];
  /** Whether it has any permissions in the vhost (required to connect to it). */
  hasVHost(vhost: string): boolean;
  may(vhost: string, kind: PermissionKind, resource: string): boolean;
  /** Whether some permission of this kind in the vhost can match a name (for a UI to hide what cannot be done). */
  mayAny(vhost: string, kind: PermissionKind): boolean;
  mayTopic(vhost: string, exchange: string, kind: TopicKind, routingKey: string): boolean;
  /** ms since the epoch when its credentials stop being valid (tokens). */
  readonly expiresAt?: number;
}

/** RabbitMQ checks permissions on the default exchange under this name. */
export const resourceName = (name: string): string => (name === '' ? 'amq.default' : name);

/** Tags that carry the management tag's rights with them (RabbitMQ's tag hierarchy). */
const IMPLIES_MANAGEMENT = new Set(['administrator', 'monitoring', 'policymaker', 'management']);

export function tagsImply(tags: readonly string[], tag: string): boolean {
  if (tags.includes(tag) || tags.includes('administrator')) return true;
  if (tag === 'management') return tags.some((t) => IMPLIES_MANAGEMENT.has(t));
  return false;
}

export class UserPrincipal implements Principal {
  constructor(
    readonly user: string,
    private readonly registry: AccessRegistry,
    readonly mechanism: 'password' | 'certificate' = 'password',
  ) {}

  tags(): string[] {
    return this.registry.user(this.user)?.tags ?? [];
  }

  hasTag(tag: string): boolean {
    return tagsImply(this.tags(), tag);
  }

  hasVHost(vhost: string): boolean {
    return this.registry.permission(this.user, vhost) !== undefined;
  }

  may(vhost: string, kind: PermissionKind, resource: string): boolean {
    const permission = this.registry.permission(this.user, vhost);
    return permission !== undefined && regexMatcher(permission[kind])(resourceName(resource));
  }

  mayAny(vhost: string, kind: PermissionKind): boolean {
    const pattern = this.registry.permission(this.user, vhost)?.[kind];
    return pattern !== undefined && pattern !== '';
  }

  /** No topic permission for the exchange means no restriction (RabbitMQ). Patterns may use {username} and {vhost}. */
  mayTopic(vhost: string, exchange: string, kind: TopicKind, routingKey: string): boolean {
    const topic = this.registry.topicPermission(this.user, vhost, exchange);
    if (topic === undefined) return true;
    const pattern = topic[kind].replaceAll('{username}', quoteRegex(this.user)).replaceAll('{vhost}', quoteRegex(vhost));
    return regexMatcher(pattern)(routingKey);
  }
}
