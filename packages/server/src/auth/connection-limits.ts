/**
 * What a new WebSocket connection's guard needs from the listener: the peer's address, the user
 * of a verified client certificate, and the connection limits per user and per vhost
 * (docs/security.md, "Limits"): a user's own `max-connections` limit, else `maxConnectionsPerUser`;
 * `maxConnectionsPerVhost`. A connection over a limit is refused with `connection_limit` at its
 * hello; the ones already open are untouched.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { WarrenError } from '@warren/protocol';
import type { AccessControl } from './access-control.js';
import type { Principal } from './principal.js';
import type { SessionAuth } from './session-guard.js';

interface CountedSession {
  readonly vhost: { name: string } | undefined;
  readonly guard: { principal: Principal | undefined } | undefined;
}

export function sessionAuthFor(access: AccessControl, request: IncomingMessage, sessions: Iterable<CountedSession>): SessionAuth {
  return {
    access,
    address: request.socket.remoteAddress,
    certificateUser: certificateUser(request),
    admit: (principal, vhost) => {
      const userLimit = access.registry.user(principal.user)?.limits['max-connections'];
      const perUser = userLimit !== undefined && userLimit >= 0 ? userLimit : access.config.maxConnectionsPerUser || -1;
      const perVhost = access.config.maxConnectionsPerVhost || -1;
      let ofUser = 0;
      let ofVhost = 0;
      for (const session of sessions) {
        if (session.guard?.principal?.user === principal.user) ofUser++;
        if (session.guard?.principal !== undefined && session.vhost?.name === vhost) ofVhost++;
      }
      if (perUser >= 0 && ofUser >= perUser) {
        throw new WarrenError('connection_limit', `user '${principal.user}' already has ${ofUser} connections (limit ${perUser})`);
      }
      if (perVhost >= 0 && ofVhost >= perVhost) {
        throw new WarrenError('connection_limit', `vhost '${vhost}' already has ${ofVhost} connections (limit ${perVhost})`);
      }
    },
  };
}

/** The CN of the peer's certificate when TLS verified it against the configured CA; else undefined. */
export function certificateUser(request: { socket: unknown }): string | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}
