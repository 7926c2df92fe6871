/**
 * Wires authentication and authorisation into the server (boot.ts calls these): the access
 * control with its first administrator, the HTTP gate with its routes, and what follows a user's
 * deletion or password change: its browser sessions end and its password connections close.
 * Connections of a deleted vhost are closed before the vhost goes.
 */
import type { FastifyInstance } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { Broker } from '@warren/core';
import type { Config } from '../config.js';
import type { ServerLogger } from '../log.js';
import type { WebSocketListener } from '../ws/listener.js';
import { AccessControl } from './access-control.js';
import { installHttpAccess } from './http-access.js';
import { HttpSessions } from './http-sessions.js';
import { loginRoutes } from './routes/login.js';
import { permissionRoutes } from './routes/permissions.js';
import { userRoutes } from './routes/users.js';

export async function startAccessControl(broker: Broker, config: Config, logger: ServerLogger): Promise<AccessControl> {
  const access = new AccessControl(broker, config, logger);
  await access.start();
  return access;
}

/** Before any route is registered: the hooks read each route's rule as it is added. */
export function installAccessHooks(app: FastifyInstance, access: AccessControl): HttpSessions {
  const sessions = new HttpSessions();
  app.decorate('warrenAccess', access);
  installHttpAccess(app, access, sessions);
  // Vhosts are the management API's (routes/vhosts.ts); their permissions are ours: the creator
  // gets full permissions on a new vhost (as RabbitMQ's management plugin does), and a deleted
  // vhost takes its permissions with it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== '/api/vhosts/:name') return payload;
    const vhost = (request.params as { name: string }).name;
    const user = request.principal?.user;
    if (request.method === 'PUT' && reply.statusCode === 201 && user !== undefined && access.registry.user(user) !== undefined) {
      access.registry.putPermission({ user, vhost, configure: '.*', write: '.*', read: '.*' });
    } else if (request.method === 'DELETE' && reply.statusCode === 204) access.registry.vhostDeleted(vhost);
    return payload;
  });
  return sessions;
}

export function accessRoutes(app: FastifyInstance, access: AccessControl, sessions: HttpSessions, listener: WebSocketListener, secure: boolean): void {
  userRoutes(app, access);
  permissionRoutes(app, access);
  loginRoutes(app, access, sessions, secure);
  access.registry.onUserRevoked((user) => {
    sessions.revoke(user);
    for (const session of listener.sessions) {
      const principal = session.guard?.principal;
      if (principal?.user === user && principal.mechanism !== 'token') {
        session.fail(new WarrenError('not_authorized', `user '${user}' was deleted or its password changed`));
      }
    }
  });
}
