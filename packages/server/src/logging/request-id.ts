/**
 * A request id for every HTTP call: the caller's `X-Request-Id` when it is a sane token (so a
 * proxy's or a client's id carries through), else a fresh one. Fastify puts it on every line the
 * request logs (`reqId`), and the answer echoes it in `X-Request-Id`, so an operator can go from
 * a failed call to its log lines (docs/operations.md, "Logs").
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids a caller may choose: short, printable, nothing a log reader could mistake for structure. */
const ACCEPTED = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
}

/** Echoes the id and logs each finished request at debug level (WARREN_LOG_LEVEL=debug shows them). */
export function requestIdHooks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'http request');
  });
}
