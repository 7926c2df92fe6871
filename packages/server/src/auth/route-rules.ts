/**
 * What each management API route needs (docs/security.md, "The management API"), after
 * RabbitMQ's management plugin: a tag (management < policymaker, monitoring < administrator),
 * access to the vhost named in the URL, and configure / write / read on the queue or exchange it
 * names. Every /api/ route must be in this table: registering one that is not fails the server's
 * start (ruleFor throws), so a new route is never open, nor shut, by accident; nothing outside
 * /api/ (the UI's files, /healthz, /readyz, /metrics) needs credentials. Lists keep only what the
 * user may see unless the user has `monitoring` (`filter`): entries of vhosts it has permissions
 * in, or its own connections and channels (RabbitMQ's management tag); one connection or channel
 * of another user is refused (`owner`). The admin UI's push socket, /api/live, is authenticated
 * on its upgrade and checks each path it follows against this same table (live/live-endpoint.ts).
 */
import type { PermissionKind } from './principal.js';

export interface RouteRule {
  /** No credentials needed at all. */
  public?: boolean;
  /** Authenticated, nothing more (whoami, logout). */
  anyUser?: boolean;
  tag?: 'management' | 'policymaker' | 'monitoring' | 'administrator';
  /** The vhost is the `:vhost` parameter; the user needs permissions there. */
  vhost?: boolean;
  /** A permission on the `:name` parameter. */
  resource?: { kind: PermissionKind; type: 'queue' | 'exchange' };
  /** Binding or unbinding (RabbitMQ): write on the `:destination`, read on the `:source` exchange. */
  binding?: boolean;
  /**
   * Drop list entries the user may not see, unless it has `monitoring`: of vhosts it has no
   * permissions in, by their `vhost` field, their `name` (vhost lists) or their `queue.vhost`
   * (consumers); or of other users, by their `user` field (connections and channels).
   */
  filter?: 'vhost' | 'name' | 'queue' | 'user';
  /** The one object answered (a connection, a channel) must be the user's own, unless it has `monitoring`. */
  owner?: boolean;
}

const management: RouteRule = { tag: 'management' };
const list: RouteRule = { tag: 'management', filter: 'vhost' };
const inVhost: RouteRule = { tag: 'management', vhost: true, filter: 'vhost' };
const queue = (kind: PermissionKind): RouteRule => ({ tag: 'management', vhost: true, resource: { kind, type: 'queue' } });
const exchange = (kind: PermissionKind): RouteRule => ({ tag: 'management', vhost: true, resource: { kind, type: 'exchange' } });
const binding: RouteRule = { tag: 'management', vhost: true, binding: true };
const policymaker: RouteRule = { tag: 'policymaker', vhost: true };
const administrator: RouteRule = { tag: 'administrator' };
const monitoring: RouteRule = { tag: 'monitoring' };
const own: RouteRule = { tag: 'management', owner: true };
const ownList: RouteRule = { tag: 'management', filter: 'user' };

export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  'POST /api/auth/login': { public: true },
  'POST /api/auth/logout': { anyUser: true },
  'GET /api/whoami': { anyUser: true },
  'GET /api/openapi.json': { anyUser: true },
  'GET /api/overview': management,
  'GET /api/nodes': monitoring,
  'GET /api/nodes/:name': monitoring,
  'PUT /api/nodes/:name': administrator,
  'DELETE /api/nodes/:name': administrator,
  'PUT /api/nodes/:name/address': administrator,
  'DELETE /api/nodes/:name/address': administrator,
  'PUT /api/queues/:vhost/:name/members': administrator,
  'POST /api/rebalance/moves': administrator,
  'POST /api/rebalance/queues': administrator,
  'GET /api/connections': ownList,
  'GET /api/connections/:name': own,
  'DELETE /api/connections/:name': administrator,
  'GET /api/connections/:name/channels': ownList,
  'GET /api/connections/:name/unacked': monitoring,
  'GET /api/vhosts/:vhost/connections': { tag: 'management', vhost: true, filter: 'user' },
  'GET /api/channels': ownList,
  'GET /api/channels/:name': own,
  'GET /api/consumers': { tag: 'management', filter: 'queue' },
  'GET /api/consumers/:vhost': { tag: 'management', vhost: true, filter: 'queue' },
  'GET /api/definitions/:vhost': administrator,
  'POST /api/definitions/:vhost': administrator,
  'GET /api/audit': monitoring,
  'GET /api/definitions': administrator,
  'POST /api/definitions': administrator,
  'GET /api/vhosts': { tag: 'management', filter: 'name' },
  'GET /api/vhosts/:name': management,
  'PUT /api/vhosts/:name': administrator,
  'DELETE /api/vhosts/:name': administrator,
  'GET /api/users': administrator,
  'GET /api/users/:name': administrator,
  'PUT /api/users/:name': administrator,
  'DELETE /api/users/:name': administrator,
  'GET /api/users/:name/permissions': administrator,
  'GET /api/users/:name/topic-permissions': administrator,
  'GET /api/permissions': administrator,
  'GET /api/permissions/:vhost/:user': administrator,
  'PUT /api/permissions/:vhost/:user': administrator,
  'DELETE /api/permissions/:vhost/:user': administrator,
  'GET /api/topic-permissions': administrator,
  'GET /api/topic-permissions/:vhost/:user': administrator,
  'PUT /api/topic-permissions/:vhost/:user': administrator,
  'DELETE /api/topic-permissions/:vhost/:user': administrator,
  'GET /api/queues': list,
  'GET /api/queues/:vhost': inVhost,
  'GET /api/queues/:vhost/:name': { tag: 'management', vhost: true },
  'GET /api/queues/:vhost/:name/bindings': { tag: 'management', vhost: true },
  'PUT /api/queues/:vhost/:name': queue('configure'),
  'DELETE /api/queues/:vhost/:name': queue('configure'),
  'DELETE /api/queues/:vhost/:name/contents': queue('read'),
  'POST /api/queues/:vhost/:name/get': queue('read'),
  'POST /api/queues/:vhost/:name/redrive': queue('configure'),
  'GET /api/queues/:vhost/:name/failures': queue('read'),
  'GET /api/exchanges': list,
  'GET /api/exchanges/:vhost': inVhost,
  'GET /api/exchanges/:vhost/:name': { tag: 'management', vhost: true },
  'GET /api/exchanges/:vhost/:name/bindings/source': { tag: 'management', vhost: true },
  'GET /api/exchanges/:vhost/:name/bindings/destination': { tag: 'management', vhost: true },
  'PUT /api/exchanges/:vhost/:name': exchange('configure'),
  'DELETE /api/exchanges/:vhost/:name': exchange('configure'),
  'POST /api/exchanges/:vhost/:name/route': exchange('write'),
  'POST /api/exchanges/:vhost/:name/publish': exchange('write'),
  'GET /api/bindings': list,
  'GET /api/bindings/:vhost': inVhost,
  'GET /api/bindings/:vhost/e/:source/q/:destination': { tag: 'management', vhost: true },
  'GET /api/bindings/:vhost/e/:source/e/:destination': { tag: 'management', vhost: true },
  'GET /api/bindings/:vhost/e/:source/q/:destination/:props': { tag: 'management', vhost: true },
  'GET /api/bindings/:vhost/e/:source/e/:destination/:props': { tag: 'management', vhost: true },
  'POST /api/bindings/:vhost/e/:source/q/:destination': binding,
  'POST /api/bindings/:vhost/e/:source/e/:destination': binding,
  'DELETE /api/bindings/:vhost/e/:source/q/:destination/:props': binding,
  'DELETE /api/bindings/:vhost/e/:source/e/:destination/:props': binding,
  'GET /api/policies': list,
  'GET /api/policies/:vhost': inVhost,
  'GET /api/policies/:vhost/:name': { tag: 'management', vhost: true },
  'PUT /api/policies/:vhost/:name': policymaker,
  'DELETE /api/policies/:vhost/:name': policymaker,
  // Each dead-letter queue is read only if the user may read it (routes/failures.ts).
  'GET /api/failures/:vhost': { tag: 'management', vhost: true },
  'GET /api/redrives': list,
  'GET /api/redrives/:id': management,
  'DELETE /api/redrives/:id': administrator,
  'GET /api/scheduled/:vhost': inVhost,
  'DELETE /api/scheduled/:vhost/:id': { tag: 'management', vhost: true },
  'PUT /api/scheduled/:vhost/:id': { tag: 'management', vhost: true },
};

/** The rule of a route as fastify registers it; throws for an /api/ route the table lacks. */
export function ruleFor(method: string, url: string): RouteRule {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  const known = ROUTE_RULES[key];
  if (known !== undefined) return known;
  if (url.startsWith('/api/') || url === '/api') throw new Error(`route ${key} has no access rule: add one to ROUTE_RULES (auth/route-rules.ts)`);
  return { public: true };
}
