/**
 * Browser sessions (http-sessions.ts): `POST /api/auth/login` with `{username, password}` or
 * `{token}` sets the HttpOnly session cookie and answers who logged in with the CSRF token;
 * `POST /api/auth/logout` ends the session. Failed logins are slowed and audited like any other.
 */
import type { FastifyInstance } from 'fastify';
import { parseLoginBody, WarrenError, type LoginView } from '@warren/protocol';
import type { AccessControl } from '../access-control.js';
import { cookieValue, HttpSessions, SESSION_COOKIE } from '../http-sessions.js';
import { whoami } from './users.js';

export function loginRoutes(app: FastifyInstance, access: AccessControl, sessions: HttpSessions, secure: boolean): void {
  app.post('/api/auth/login', async (request, reply): Promise<LoginView> => {
    const body = parseLoginBody(request.body ?? {});
    const credentials =
      body.token !== undefined ? ({ kind: 'token', token: body.token } as const) : ({ kind: 'password', username: body.username ?? '', password: body.password ?? '' } as const);
    try {
      const principal = await access.authenticate(credentials, request.socket.remoteAddress);
      const { id, csrf } = sessions.open(principal);
      void reply.header('set-cookie', sessions.cookie(id, secure));
      return { ...whoami(principal, access.broker.vhosts.keys()), csrf_token: csrf };
    } catch (error) {
      if (error instanceof WarrenError) {
        await access.refused({
          user: credentials.kind === 'password' ? credentials.username : '(token)',
          verified: false,
          operation: 'login',
          object: { type: 'route', vhost: null, name: '/api/auth/login' },
          code: error.code,
          reason: error.message,
          address: request.socket.remoteAddress,
        });
      }
      throw error;
    }
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (id !== undefined) sessions.close(id);
    return reply.header('set-cookie', HttpSessions.clearedCookie(secure)).code(204).send();
  });
}
