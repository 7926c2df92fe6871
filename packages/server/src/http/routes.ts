/**
 * The management HTTP API, so far: health, readiness, an overview and read-only views of
 * queues and exchanges, in RabbitMQ's shape and field names (design.md, "Management HTTP API").
 * Later issues add the writing endpoints, one file per resource.
 */
import type { FastifyInstance } from 'fastify';
import { WarrenError } from '@warren/protocol';
import type { Broker, Exchange, Queue } from '@warren/core';
import { VERSION } from '../version.js';
import type { WebSocketListener } from '../ws/listener.js';
import { sendError } from './errors.js';

interface Params {
  vhost: string;
  name: string;
}

export function registerRoutes(app: FastifyInstance, broker: Broker, listener: WebSocketListener, nodeId: string): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ready' }));

  app.get('/api/overview', async () => {
    let messages = 0;
    let queues = 0;
    for (const vhost of broker.vhosts.values()) {
      for (const queue of vhost.queues.values()) {
        queues++;
        messages += queue.messageCount;
      }
    }
    return {
      product_name: 'Warren',
      product_version: VERSION,
      node: nodeId,
      object_totals: { connections: listener.sessions.size, queues },
      queue_totals: { messages_ready: messages },
      store: storeView(broker),
      memory: processMemory(),
    };
  });

  app.get('/api/queues', async () => [...broker.vhosts.values()].flatMap((v) => [...v.queues.values()].map(queueView)));

  app.get<{ Params: Params }>('/api/queues/:vhost/:name', async (request, reply) => {
    const queue = broker.vhost(request.params.vhost)?.queue(request.params.name);
    if (queue === undefined) return sendError(reply, new WarrenError('queue_not_found', `no queue '${request.params.name}' in vhost '${request.params.vhost}'`));
    return queueView(queue);
  });

  app.get('/api/exchanges', async () => [...broker.vhosts.values()].flatMap((v) => [...v.exchanges.values()].map(exchangeView)));
}

function queueView(queue: Queue): Record<string, unknown> {
  const stats = queue.stats();
  const r = queue.record;
  return {
    name: r.name,
    vhost: r.vhost,
    durable: r.durable,
    exclusive: r.exclusive,
    auto_delete: r.autoDelete,
    arguments: r.arguments,
    type: 'classic',
    messages: stats.ready + stats.unacked,
    messages_ready: stats.ready,
    messages_unacknowledged: stats.unacked,
    messages_ram: stats.ram,
    messages_paged_out: stats.ready - stats.ram,
    consumers: stats.consumers,
  };
}

function exchangeView(exchange: Exchange): Record<string, unknown> {
  const r = exchange.record;
  return { name: r.name, vhost: r.vhost, type: r.type, durable: r.durable, auto_delete: r.autoDelete, internal: r.internal, arguments: r.arguments };
}

/** The process's memory in bytes: RSS, and what of it is V8's heap and buffers outside it. */
function processMemory(): Record<string, number> {
  const m = process.memoryUsage();
  return { rss: m.rss, heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external, array_buffers: m.arrayBuffers };
}

function storeView(broker: Broker): Record<string, number> {
  const { batches, syncs, messagesWritten } = broker.store.stats();
  return { batches, syncs, messages_written: messagesWritten };
}
