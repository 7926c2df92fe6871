/**
 * Who an action is recorded as in the audit log. Warren has no authentication yet, so this is
 * the user a client names, unchecked: the WebSocket `hello.username`, or the user of an HTTP
 * request's Basic `Authorization` header; without one, RabbitMQ's default user `guest`
 * (design.md, "Running"). Once users are authenticated, the authenticated user goes here.
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
