/** `GET /api/overview`: what one node is doing, in RabbitMQ's field names. */
import type { FastifyInstance } from 'fastify';
import type { Broker } from '@warren/core';
import { VERSION } from '../../version.js';
import type { WebSocketListener } from '../../ws/listener.js';

export function overviewRoutes(app: FastifyInstance, broker: Broker, listener: WebSocketListener, nodeId: string): void {
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
      scheduled: broker.scheduler.stats(),
      memory: processMemory(),
      ...listener.alarms.status(),
    };
  });
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
