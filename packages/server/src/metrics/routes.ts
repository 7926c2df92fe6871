/** GET /metrics and /metrics/per-object (docs/operations.md, "Metrics"). */
import type { FastifyInstance } from 'fastify';
import type { BrokerMetrics } from './broker-metrics.js';

export function metricsRoutes(app: FastifyInstance, metrics: BrokerMetrics): void {
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape(false)));
  app.get('/metrics/per-object', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape(true)));
}
