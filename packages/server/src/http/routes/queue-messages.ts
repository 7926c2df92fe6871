/**
 * A queue's messages over HTTP: `POST …/get` browses them (peek: in queue order, paged with
 * `offset`, nothing consumed or reordered) or takes them (removed, as basic.get + ack), and
 * Warren's `POST …/redrive` moves dead-lettered messages back to where they died or to a chosen
 * exchange. Which messages move, and moving each one atomically, is the core's job.
 */
import type { FastifyInstance } from 'fastify';
import { parseQueueGetBody, parseRedriveBody, type BrowsedMessage, type QueueGetRequest, type RedriveResult } from '@warren/protocol';
import type { Broker, QueueEntry } from '@warren/core';
import { exchangeOf, queueOf, vhostOf, written, type NameParams } from '../lookup.js';

export function queueMessageRoutes(app: FastifyInstance, broker: Broker): void {
  app.post<{ Params: NameParams }>('/api/queues/:vhost/:name/get', async (request): Promise<BrowsedMessage[]> => {
    const queue = queueOf(broker, request.params);
    const get = parseQueueGetBody(request.body ?? {});
    if (get.mode === 'peek') {
      const entries = await queue.peek(get.offset, get.count);
      const ready = queue.stats().ready;
      return entries.map((entry, i) => browsed(entry, Math.max(0, ready - (get.offset + i + 1)), get));
    }
    const entries = await queue.take(get.count);
    await written(broker);
    const left = queue.stats().ready;
    return entries.map((entry, i) => browsed(entry, left + entries.length - i - 1, get));
  });

  app.post<{ Params: NameParams }>('/api/queues/:vhost/:name/redrive', async (request): Promise<RedriveResult> => {
    const queue = queueOf(broker, request.params);
    const { to, count, ids } = parseRedriveBody(request.body ?? {});
    if (to !== undefined) exchangeOf(broker, { vhost: request.params.vhost, name: to.exchange });
    const redrive = to === undefined ? undefined : { exchange: to.exchange, routingKey: to.routing_key };
    const result = await vhostOf(broker, request.params.vhost).redrive(queue.name, { to: redrive, count, ids });
    await written(broker);
    return { moved: result.moved, skipped: result.skipped };
  });
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
