/**
 * The principal of a JWT access token, whose scopes follow RabbitMQ's OAuth 2 plugin:
 * `<prefix>configure:<vhost>/<name>`, `<prefix>write:<vhost>/<name>[/<routing key>]`,
 * `<prefix>read:<vhost>/<name>[/<routing key>]` and `<prefix>tag:<tag>`, where `*` is a wildcard
 * and the default vhost is written `%2F` (segments are percent-decoded). Scopes without the
 * prefix are ignored. Verifying the token is token-verifier.ts's job.
 */
import type { Principal, PermissionKind, TopicKind } from './principal.js';
import { resourceName, tagsImply } from './principal.js';
import { wildcardMatcher, type Matcher } from './patterns.js';

interface ScopeGrant {
  kind: PermissionKind;
  vhost: Matcher;
  name: Matcher;
  routingKey: Matcher;
}

const KINDS = new Set<string>(['configure', 'write', 'read']);

export class TokenPrincipal implements Principal {
  readonly mechanism = 'token';
  private readonly grants: ScopeGrant[] = [];
  private readonly tagList: string[] = [];

  constructor(
    readonly user: string,
    scopes: readonly string[],
    prefix: string,
    readonly expiresAt: number,
  ) {
    for (const scope of scopes) {
      if (!scope.startsWith(prefix)) continue;
      const body = scope.slice(prefix.length);
      const colon = body.indexOf(':');
      if (colon < 0) continue;
      const action = body.slice(0, colon);
      const target = body.slice(colon + 1);
      if (action === 'tag') this.tagList.push(target);
      else if (KINDS.has(action)) this.addGrant(action as PermissionKind, target);
    }
  }

  private addGrant(kind: PermissionKind, target: string): void {
    const [vhost, name, routingKey = '*'] = target.split('/').map(decodeSegment);
    if (vhost === undefined || name === undefined || vhost === null || name === null || routingKey === null) return;
    this.grants.push({ kind, vhost: wildcardMatcher(vhost), name: wildcardMatcher(name), routingKey: wildcardMatcher(routingKey) });
  }

  tags(): string[] {
    return this.tagList;
  }

  hasTag(tag: string): boolean {
    return tagsImply(this.tagList, tag);
  }

  hasVHost(vhost: string): boolean {
    return this.grants.some((g) => g.vhost(vhost));
  }

  may(vhost: string, kind: PermissionKind, resource: string): boolean {
    const name = resourceName(resource);
    return this.grants.some((g) => g.kind === kind && g.vhost(vhost) && g.name(name));
  }

  mayAny(vhost: string, kind: PermissionKind): boolean {
    return this.grants.some((g) => g.kind === kind && g.vhost(vhost));
  }

  mayTopic(vhost: string, exchange: string, kind: TopicKind, routingKey: string): boolean {
    return this.grants.some((g) => g.kind === kind && g.vhost(vhost) && g.name(exchange) && g.routingKey(routingKey));
  }
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
