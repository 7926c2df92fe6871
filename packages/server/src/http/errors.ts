/** Management API errors: `{ error: <stable code>, reason: <human message> }` (design.md). */
import type { FastifyReply } from 'fastify';
import { WarrenError } from '@warren/protocol';

const STATUS: Record<number, number> = { 403: 403, 404: 404, 405: 405, 406: 400 };

export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof WarrenError) {
    return reply.code(STATUS[error.replyCode] ?? 500).send({ error: error.code, reason: error.message });
  }
  return reply.code(500).send({ error: 'internal_error', reason: 'internal error' });
}
