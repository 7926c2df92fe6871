/**
 * Who an action is recorded as in the audit log: the user auth/ authenticated (`verified`), or,
 * where no gate is installed, the user a client names, unchecked: the user of an HTTP request's
 * Basic `Authorization` header; without one, RabbitMQ's default user `guest` (README, "Running").
 */
import type { FastifyRequest } from 'fastify';

export const DEFAULT_USER = 'guest';

export function httpUser(request: FastifyRequest): string {
  // The user auth/http-access.ts verified; the header is only read where no gate is installed.
  if (request.principal !== null && request.principal !== undefined) return request.principal.user;
  const header = request.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return DEFAULT_USER;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const name = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
  return name === '' || name.length > 255 ? DEFAULT_USER : name;
}

/** The audit log's `user` and `user_verified` for an HTTP request. */
export function httpActor(request: FastifyRequest): { user: string; verified: boolean } {
  return { user: httpUser(request), verified: request.principal !== null && request.principal !== undefined };
}
