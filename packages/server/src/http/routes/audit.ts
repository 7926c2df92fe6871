/**
 * The audit log (Warren): `GET /api/audit?page=&page_size=`, newest first, in RabbitMQ's paged
 * shape. Entries are recorded by the routes and frame handlers that change things; keeping and
 * trimming them is the core's job (audit.ts).
 */
import type { FastifyInstance } from 'fastify';
import { AUDIT_QUERY_SCHEMA, parseAuditQuery, type AuditPageView } from '@warren/protocol';
import type { Broker } from '@warren/core';

export function auditRoutes(app: FastifyInstance, broker: Broker): void {
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/audit', { config: { doc: { summary: 'The audit log, newest first (Warren)', query: AUDIT_QUERY_SCHEMA } } }, async (request): Promise<AuditPageView> => {
    const { page, pageSize } = parseAuditQuery(request.query ?? {});
    const { items, total } = await broker.audit.page(page, pageSize);
    return { items, page, page_size: pageSize, page_count: Math.ceil(total / pageSize), item_count: items.length, total_count: total };
  });
}
