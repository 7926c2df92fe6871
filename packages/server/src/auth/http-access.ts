/**
 * The management API's one gate (docs/security.md, "The management API"): a fastify onRequest
 * hook authenticates every request to a non-public route (Basic, Bearer, the session cookie, a
 * verified client certificate, or nothing: guest from loopback), a preHandler hook checks the
 * route's rule (route-rules.ts) against the URL's vhost and name, and a preSerialization hook
 * drops list entries the user may not see and refuses another user's connection or channel. Routes only declare; nothing in them checks.
 * A refusal answers 401 `not_authorized` or 403 `access_refused` before the handler runs, so it
 * changes nothing, and is logged and audited.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { AccessControl } from './access-control.js';
import type { Credentials } from './authenticator.js';
import { certificateUser } from './connection-limits.js';
import { cookieValue, CSRF_HEADER, HttpSessions, SESSION_COOKIE } from './http-sessions.js';
import type { Principal } from './principal.js';
import { ruleFor, type RouteRule } from './route-rules.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, once the onRequest hook authenticated the request (null on public routes). */
    principal: Principal | null;
    /** The CSRF token of the browser session the request was authenticated by, if any (whoami answers it). */
    csrfToken: string | undefined;
  }
  interface FastifyContextConfig {
    access?: RouteRule;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installHttpAccess(app: FastifyInstance, access: AccessControl, sessions: HttpSessions): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('csrfToken', undefined);
  app.addHook('onRoute', (route) => {
    const method = [route.method].flat()[0] ?? 'GET';
    route.config = { ...(route.config as object | undefined), access: ruleFor(method, route.url) } as typeof route.config;
  });

  app.addHook('onRequest', async (request, reply) => {
    const rule = ruleOf(request);
    // A principal an earlier hook set (the cluster's replay of a committed change) stands.
    if (rule === undefined || rule.public === true || request.principal !== null) return;
    try {
      request.principal = await authenticate(request, access, sessions);
    } catch (error) {
      if (error instanceof WarrenError) {
        await refused(access, request, claimedUser(request), false, error);
        if (error.code === 'not_authorized' && !fromScript(request)) void reply.header('www-authenticate', 'Basic realm="Warren", charset="UTF-8"');
      }
      throw error;
    }
  });

  app.addHook('preHandler', async (request) => {
    const rule = ruleOf(request);
    const principal = request.principal;
    if (rule === undefined || rule.public === true || principal === null) return;
    const reason = refusalOf(rule, principal, request.params as Record<string, string> | undefined, SAFE_METHODS.has(request.method));
    if (reason === undefined) return;
    const error = new WarrenError('access_refused', reason);
    await refused(access, request, principal.user, true, error);
    throw error;
  });

  app.addHook('preSerialization', async (request, _reply, payload: unknown) => {
    const rule = ruleOf(request);
    const principal = request.principal;
    if (rule === undefined || principal === null || principal.hasTag('monitoring')) return payload;
    if (rule.owner === true && isRecord(payload) && typeof payload.user === 'string' && payload.user !== principal.user) {
      const error = new WarrenError('access_refused', `user '${principal.user}' may see only its own connections and channels (this needs the 'monitoring' tag)`);
      await refused(access, request, principal.user, true, error);
      throw error;
    }
    const filter = rule.filter;
    if (filter === undefined) return payload;
    const visible = (entry: unknown): boolean => isVisible(entry, filter, principal);
    if (Array.isArray(payload)) return payload.filter(visible);
    // A page (?page=): its items are filtered the same way, and its counts follow.
    if (isRecord(payload) && Array.isArray(payload.items)) {
      const items = payload.items.filter(visible);
      const hidden = payload.items.length - items.length;
      return { ...payload, items, item_count: items.length, ...(typeof payload.filtered_count === 'number' ? { filtered_count: payload.filtered_count - hidden } : {}) };
    }
    return payload;
  });
}

/** Whether a list entry is one the principal (without `monitoring`) may see; an entry that lacks the field is not. */
function isVisible(entry: unknown, filter: NonNullable<RouteRule['filter']>, principal: Principal): boolean {
  if (!isRecord(entry)) return false;
  if (filter === 'user') return entry.user === principal.user;
  const vhost = filter === 'queue' ? (isRecord(entry.queue) ? entry.queue.vhost : undefined) : entry[filter];
  return typeof vhost === 'string' && principal.hasVHost(vhost);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * A request a page's script made and marked with X-Requested-With (the admin UI's fetch): a
 * Basic challenge would make the browser open its own password dialog over the UI's login page,
 * so none is sent. Every other client, a browser's navigation included, still gets it.
 */
function fromScript(request: FastifyRequest): boolean {
  return request.headers['x-requested-with'] !== undefined;
}

function ruleOf(request: FastifyRequest): RouteRule | undefined {
  // A request that matched no route (404) has no rule: nothing to protect, nothing to tell.
  return request.routeOptions.url === undefined ? undefined : request.routeOptions.config.access;
}

async function authenticate(request: FastifyRequest, access: AccessControl, sessions: HttpSessions): Promise<Principal> {
  const address = request.socket.remoteAddress;
  const header = request.headers.authorization;
  if (header === undefined) {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (id !== undefined) {
      const session = sessions.find(id);
      if (session === undefined) throw new WarrenError('not_authorized', 'the session has ended; log in again');
      if (!SAFE_METHODS.has(request.method) && !HttpSessions.csrfMatches(session, headerValue(request.headers[CSRF_HEADER]))) {
        throw new WarrenError('access_refused', `a ${request.method} with the session cookie needs the ${CSRF_HEADER} header of the login`);
      }
      request.csrfToken = session.csrf;
      return session.principal;
    }
  }
  return access.authenticate(credentialsOf(request, header), address);
}

function credentialsOf(request: { socket: unknown }, header: string | undefined): Credentials {
  if (header !== undefined) {
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'bearer') return { kind: 'token', token: value };
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { kind: 'password', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    throw new WarrenError('not_authorized', 'the Authorization header must be Basic or Bearer');
  }
  const user = certificateUser(request);
  return user === undefined ? { kind: 'none' } : { kind: 'certificate', username: user };
}

function refusalOf(rule: RouteRule, principal: Principal, params: Record<string, string> | undefined, reading: boolean): string | undefined {
  if (rule.anyUser === true) return undefined;
  const tag = rule.tag ?? 'administrator';
  if (!principal.hasTag(tag)) return `this needs the '${tag}' tag; user '${principal.user}' has ${describeTags(principal)}`;
  // Administrators manage every vhost over the API (docs/security.md, "Differences from RabbitMQ").
  if (principal.hasTag('administrator')) return undefined;
  const vhost = params?.vhost;
  // `monitoring` reads every vhost (RabbitMQ); what it may change still follows its permissions.
  const seesAll = reading && principal.hasTag('monitoring');
  if (rule.vhost === true && vhost !== undefined && !seesAll && !principal.hasVHost(vhost)) return `user '${principal.user}' has no access to vhost '${vhost}'`;
  const name = params?.name;
  if (rule.resource !== undefined && vhost !== undefined && name !== undefined && !principal.may(vhost, rule.resource.kind, name)) {
    return `${rule.resource.kind} access to ${rule.resource.type} '${name}' in vhost '${vhost}' refused for user '${principal.user}'`;
  }
  if (rule.binding === true && vhost !== undefined && params?.source !== undefined && params.destination !== undefined) {
    if (!principal.may(vhost, 'write', params.destination)) return `write access to destination '${params.destination}' in vhost '${vhost}' refused for user '${principal.user}'`;
    if (!principal.may(vhost, 'read', params.source)) return `read access to exchange '${params.source}' in vhost '${vhost}' refused for user '${principal.user}'`;
  }
  return undefined;
}

function describeTags(principal: Principal): string {
  const tags = principal.tags();
  return tags.length === 0 ? 'no tags' : `tags ${tags.join(', ')}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The name a refused request claimed, for the log and the audit (it is not verified). */
function claimedUser(request: FastifyRequest): string {
  try {
    const credentials = credentialsOf(request, request.headers.authorization);
    return credentials.kind === 'password' || credentials.kind === 'certificate' ? credentials.username : credentials.kind === 'none' ? 'guest' : '(token)';
  } catch {
    return '(malformed)';
  }
}

function refused(access: AccessControl, request: FastifyRequest, user: string, verified: boolean, error: WarrenError): Promise<void> {
  return access.refused({
    user,
    verified,
    operation: `${request.method} ${request.routeOptions.url ?? ''}`,
    object: { type: 'route', vhost: (request.params as Record<string, string> | undefined)?.vhost ?? null, name: request.url.split('?')[0] ?? null },
    code: error.code,
    reason: error.message,
    address: request.socket.remoteAddress,
  });
}
