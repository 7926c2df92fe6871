/**
 * GET /healthz: the process answers (a liveness probe: restart it if this fails). GET /readyz:
 * the node can take traffic (a readiness probe); 503 with `{ error: 'not_ready', reason, checks }`
 * when a check fails. `?exclude=alarms` (a comma list of check names) leaves checks out, for a
 * probe that must keep a node under a resource alarm reachable by the consumers that drain it.
 * Both are outside /api, answer without authentication, and log nothing.
 */
import type { FastifyInstance } from 'fastify';
import { readiness, type ReadinessCheck } from './readiness.js';

export function healthRoutes(app: FastifyInstance, checks: readonly ReadinessCheck[]): void {
  app.get('/healthz', { logLevel: 'silent' }, async () => ({ status: 'ok' }));
  app.get<{ Querystring: { exclude?: string } }>('/readyz', { logLevel: 'silent' }, async (request, reply) => {
    const excluded = new Set((request.query.exclude ?? '').split(',').filter((name) => name !== ''));
    const report = readiness(checks.filter((check) => !excluded.has(check.name)));
    if (report.ready) return { status: 'ready', checks: report.checks };
    const reason = report.checks.flatMap((c) => (c.ok ? [] : [c.reason])).join('; ');
    return reply.code(503).send({ error: 'not_ready', reason, checks: report.checks });
  });
}
