/**
 * What each management API route needs (docs/security.md, "The management API"), after
 * RabbitMQ's management plugin: a tag (management < policymaker, monitoring < administrator),
 * access to the vhost named in the URL, and configure / write / read on the queue or exchange it
 * names. A route missing from this table needs `administrator` when under /api/ (deny by
 * default, so a new route is never open by accident), and nothing outside /api/ (the UI's
 * files, /healthz, /readyz, /metrics). Lists keep only the entries of vhosts the user may see
 * unless the user has `monitoring` (`filter`).
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
  /** Drop list entries of vhosts the user has no permissions in: by their `vhost` field, or their `name` (vhost lists). */
  filter?: 'vhost' | 'name';
}

const management: RouteRule = { tag: 'management' };
const list: RouteRule = { tag: 'management', filter: 'vhost' };
const inVhost: RouteRule = { tag: 'management', vhost: true, filter: 'vhost' };
const queue = (kind: PermissionKind): RouteRule => ({ tag: 'management', vhost: true, resource: { kind, type: 'queue' } });
const exchange = (kind: PermissionKind): RouteRule => ({ tag: 'management', vhost: true, resource: { kind, type: 'exchange' } });
const policymaker: RouteRule = { tag: 'policymaker', vhost: true };
const administrator: RouteRule = { tag: 'administrator' };
const monitoring: RouteRule = { tag: 'monitoring' };

export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  'POST /api/auth/login': { public: true },
  'POST /api/auth/logout': { anyUser: true },
  'GET /api/whoami': { anyUser: true },
  'GET /api/overview': management,
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
  'PUT /api/queues/:vhost/:name': queue('configure'),
  'DELETE /api/queues/:vhost/:name': queue('configure'),
  'DELETE /api/queues/:vhost/:name/contents': queue('read'),
  'POST /api/queues/:vhost/:name/get': queue('read'),
  'POST /api/queues/:vhost/:name/redrive': queue('configure'),
  'GET /api/exchanges': list,
  'GET /api/exchanges/:vhost': inVhost,
  'GET /api/exchanges/:vhost/:name': { tag: 'management', vhost: true },
  'PUT /api/exchanges/:vhost/:name': exchange('configure'),
  'DELETE /api/exchanges/:vhost/:name': exchange('configure'),
  'POST /api/exchanges/:vhost/:name/route': exchange('write'),
  'POST /api/exchanges/:vhost/:name/publish': exchange('write'),
  'GET /api/bindings': list,
  'GET /api/bindings/:vhost': inVhost,
  'GET /api/policies': list,
  'GET /api/policies/:vhost': inVhost,
  'GET /api/policies/:vhost/:name': { tag: 'management', vhost: true },
  'PUT /api/policies/:vhost/:name': policymaker,
  'DELETE /api/policies/:vhost/:name': policymaker,
  'GET /api/redrives': list,
  'GET /api/redrives/:id': management,
  'DELETE /api/redrives/:id': administrator,
  'GET /api/scheduled/:vhost': inVhost,
  'DELETE /api/scheduled/:vhost/:id': { tag: 'management', vhost: true },
  'PUT /api/scheduled/:vhost/:id': { tag: 'management', vhost: true },
};

export function ruleFor(method: string, url: string): RouteRule {
  const known = ROUTE_RULES[`${method === 'HEAD' ? 'GET' : method} ${url}`];
  if (known !== undefined) return known;
  return url.startsWith('/api/') || url === '/api' ? administrator : { public: true };
}
