/**
 * A queue's messages over HTTP: `POST …/get` browses them (peek: in queue order, paged with
 * `offset`, optionally filtered, nothing consumed or reordered) or takes them (removed, as
 * basic.get + ack), and Warren's `POST …/redrive` moves dead-lettered messages back to where they
 * died or to a chosen exchange: chosen ids at once, anything else as a job (redrives.ts shows
 * jobs), or a dry run that moves nothing. Searching, moving and the jobs are the core's job.
 */
import type { FastifyInstance } from 'fastify';
import {
  parseQueueGetBody,
  parseRedriveBody,
  QUEUE_GET_BODY_SCHEMA,
  REDRIVE_BODY_SCHEMA,
  WarrenError,
  type BrowsedMessage,
  type QueueGetRequest,
  type RedriveBody,
  type RedrivePlanView,
  type RedriveResult,
} from '@warren/protocol';
import { browse, planRedrive, type QueueEntry, type RedriveTarget } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { httpActor } from '../../audit/user.js';
import { exchangeOf, queueOf, vhostOf, written, type NameParams } from '../lookup.js';

export function queueMessageRoutes(app: FastifyInstance, { broker }: ApiContext): void {
  const getDoc = {
    summary: "Get messages: peek (browse without consuming; RabbitMQ's *_requeue_true ack modes) or take (ack_requeue_false; reject_requeue_false dead-letters them)",
    body: QUEUE_GET_BODY_SCHEMA,
  };
  app.post<{ Params: NameParams }>('/api/queues/:vhost/:name/get', { config: { doc: getDoc } }, async (request): Promise<BrowsedMessage[]> => {
    const queue = queueOf(broker, request.params);
    const get = parseQueueGetBody(request.body ?? {});
    if (get.mode === 'peek') {
      const { entries } = await browse(queue, { offset: get.offset, count: get.count, filter: get.filter }, broker.clock);
      const ready = queue.stats().ready;
      return entries.map(({ entry, position }) => browsed(entry, Math.max(0, ready - ((position ?? 0) + 1)), get));
    }
    const entries = await queue.take(get.count);
    if (entries.length === 0) broker.counters.getEmpty++;
    else broker.counters.deliveredGetAutoAck += entries.length;
    // AMQP basic.reject with requeue=false: the message goes to the queue's dead-letter exchange, if it has one.
    if (get.reject) for (const { message } of entries) vhostOf(broker, request.params.vhost).deadLetter(queue, message, 'rejected');
    await written(broker);
    const left = queue.stats().ready;
    return entries.map((entry, i) => browsed(entry, left + entries.length - i - 1, get));
  });

  const redriveDoc = { summary: 'Move dead-lettered messages back to where they died, or to an exchange (Warren)', body: REDRIVE_BODY_SCHEMA };
  app.post<{ Params: NameParams }>('/api/queues/:vhost/:name/redrive', { config: { doc: redriveDoc } }, async (request, reply) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const queue = queueOf(broker, request.params);
    const body = parseRedriveBody(request.body ?? {});
    const to: RedriveTarget = body.to === undefined || body.to === 'origin' ? undefined : { exchange: body.to.exchange, routingKey: body.to.routing_key };
    if (to !== undefined) exchangeOf(broker, { vhost: vhost.name, name: to.exchange });
    if (body.dry_run === true) {
      const plan = await planRedrive(queue, (name) => vhost.queue(name) !== undefined, body.filter, to, body.count);
      return { dry_run: true, matched: plan.matched, groups: plan.groups } satisfies RedrivePlanView;
    }
    const actor = httpActor(request);
    const object = { type: 'queue' as const, vhost: vhost.name, name: queue.name };
    if (body.ids !== undefined) {
      const running = broker.redrives.runningOn(queue);
      if (running !== undefined) throw new WarrenError('in_use', `queue '${queue.name}' has a running redrive job '${running.record.id}'`);
      const result = await vhost.redrive(queue.name, { to, ids: body.ids });
      broker.audit.record({ ...actor, action: 'redrive', object, parameters: redriveParameters(body), counts: { ...result } });
      await written(broker);
      return result satisfies RedriveResult;
    }
    const job = broker.redrives.start(vhost, queue, { filter: body.filter, to, count: body.count, rate: body.rate, user: actor.user });
    broker.audit.record({ ...actor, action: 'redrive.start', object, parameters: { ...redriveParameters(body), job: job.record.id } });
    await written(broker);
    return reply.code(202).send({ id: job.record.id });
  });
}

/** The request as the audit log keeps it: what was asked, not the list of ids. */
function redriveParameters(body: RedriveBody): Record<string, unknown> {
  const { ids, ...rest } = body;
  return ids === undefined ? { to: 'origin', ...rest } : { to: 'origin', ...rest, ids: ids.length };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One message in RabbitMQ's `…/get` shape; `behind` is how many ready messages follow it. */
function browsed(entry: QueueEntry, behind: number, get: QueueGetRequest): BrowsedMessage {
  const m = entry.message;
  const body = get.truncate === undefined ? m.body : m.body.subarray(0, get.truncate);
  const text = get.encoding === 'auto' ? decodeUtf8(body) : undefined;
  return {
    payload: text ?? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
    payload_bytes: m.body.byteLength,
    payload_encoding: text === undefined ? 'base64' : 'string',
    redelivered: entry.redelivered,
    exchange: m.exchange,
    routing_key: m.routingKey,
    message_count: behind,
    properties: { ...m.properties, delivery_mode: m.persistent ? 2 : 1, headers: m.headers ?? {} },
    id: m.id,
    seq: entry.seq,
    delivery_count: entry.deliveryCount,
  };
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
