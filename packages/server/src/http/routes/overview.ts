/** `GET /api/overview`: what one node is doing, in RabbitMQ's field names. */
import type { FastifyInstance } from 'fastify';
import type { Broker } from '@warren/core';
import { VERSION } from '../../version.js';
import type { ApiContext } from '../api-context.js';
import { EXCHANGE_COUNTERS, QUEUE_SUMMED, StatsSum } from '../stats-views.js';

export function overviewRoutes(app: FastifyInstance, { broker, listener, nodeId }: ApiContext): void {
  app.get('/api/overview', { config: { doc: { summary: "The node's totals, rates and alarms" } } }, async () => {
    let ready = 0;
    let unacked = 0;
    let queues = 0;
    let exchanges = 0;
    let consumers = 0;
    let readyRate = 0;
    let unackedRate = 0;
    const stats = new StatsSum();
    for (const vhost of broker.vhosts.values()) {
      for (const queue of vhost.queues.values()) {
        const s = queue.stats();
        queues++;
        ready += s.ready;
        unacked += s.unacked;
        consumers += s.consumers;
        readyRate += queue.messageStats.depthRates.ready;
        unackedRate += queue.messageStats.depthRates.unacked;
        stats.add(queue.messageStats, QUEUE_SUMMED);
      }
      for (const exchange of vhost.exchanges.values()) {
        exchanges++;
        stats.add(exchange.messageStats, EXCHANGE_COUNTERS);
        stats.add(exchange.messageStats, ['publish_in'], () => 'publish');
      }
    }
    return {
      product_name: 'Warren',
      product_version: VERSION,
      management_version: VERSION,
      rabbitmq_version: VERSION,
      cluster_name: nodeId,
      node: nodeId,
      rates_mode: 'basic',
      object_totals: { connections: listener.sessions.size, channels: listener.sessions.size, exchanges, queues, consumers },
      queue_totals: {
        messages: ready + unacked,
        messages_details: { rate: round(readyRate + unackedRate) },
        messages_ready: ready,
        messages_ready_details: { rate: round(readyRate) },
        messages_unacknowledged: unacked,
        messages_unacknowledged_details: { rate: round(unackedRate) },
      },
      message_stats: stats.view(),
      store: storeView(broker),
      scheduled: broker.scheduler.stats(),
      memory: processMemory(),
      ...listener.alarms.status(),
    };
  });
}

function round(rate: number): number {
  return Math.round(rate * 100) / 100;
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
