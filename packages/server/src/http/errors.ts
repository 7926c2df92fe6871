/**
 * Management API errors: `{ error: <stable code>, reason: <human message> }` (docs/http-api.md), with
 * the HTTP status each code means. Codes come from protocol's registry; a body fastify itself
 * refuses (malformed JSON, too large, unsupported content type) is `invalid_argument` with
 * fastify's status.
 */
import type { FastifyReply } from 'fastify';
import { WarrenError, type ErrorCode } from '@warren/protocol';
import type { Logger } from '@warren/core';

/** Where a code's AMQP reply code would give the wrong HTTP status. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  vhost_not_found: 404,
  resource_locked: 409,
  shutting_down: 503,
  cluster_unavailable: 503,
  message_too_large: 413,
  queue_limit: 400,
  not_authorized: 401,
  token_expired: 401,
  vhost_access_refused: 403,
  queue_full: 409,
  name_too_long: 414,
};

/** AMQP reply codes that carry over: 403, 404; 406 PRECONDITION_FAILED is a bad request. */
const STATUS_BY_REPLY_CODE: Record<number, number> = { 403: 403, 404: 404, 406: 400 };

export function statusOf(error: WarrenError): number {
  return STATUS_BY_CODE[error.code] ?? STATUS_BY_REPLY_CODE[error.replyCode] ?? 500;
}

export function sendError(reply: FastifyReply, error: unknown, logger?: Logger): FastifyReply {
  if (error instanceof WarrenError) {
    const status = statusOf(error);
    if (status >= 500) logger?.error({ err: error }, 'management API request failed');
    return reply.code(status).send({ error: error.code, reason: error.message });
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return reply.code(status).send({ error: 'invalid_argument', reason: (error as Error).message });
  }
  logger?.error({ err: error }, 'management API request failed');
  return reply.code(500).send({ error: 'internal_error', reason: 'internal error' });
}
