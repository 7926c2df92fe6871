/**
 * Scheduled messages (Warren; docs/scheduled.md): list a vhost's delayed publishes and retry
 * back-offs a page at a time, cancel one (`DELETE`), move one to a new due time (`PUT`). A change
 * is answered once it is on disk. Which records a vhost may touch is the core's job.
 */
import type { FastifyInstance } from 'fastify';
import { parseRescheduleBody, RESCHEDULE_BODY_SCHEMA, SCHEDULED_LIST_QUERY_SCHEMA, parseScheduledListQuery, type ScheduledPageView, type ScheduledView } from '@warren/protocol';
import type { Broker } from '@warren/core';
import { vhostOf, written, type VHostParams } from '../lookup.js';
import { scheduledPageView, scheduledView } from '../scheduled-views.js';

interface ScheduledParams extends VHostParams {
  id: string;
}

export function scheduledRoutes(app: FastifyInstance, broker: Broker): void {
  app.get<{ Params: VHostParams }>('/api/scheduled/:vhost', { config: { doc: { summary: "List a vhost's scheduled messages (Warren)", query: SCHEDULED_LIST_QUERY_SCHEMA } } }, async (request): Promise<ScheduledPageView> => {
    const vhost = vhostOf(broker, request.params.vhost);
    return scheduledPageView(vhost.scheduled.list(parseScheduledListQuery(request.query)));
  });

  app.delete<{ Params: ScheduledParams }>('/api/scheduled/:vhost/:id', { config: { doc: { summary: 'Cancel a scheduled message (Warren)' } } }, async (request, reply) => {
    vhostOf(broker, request.params.vhost).scheduled.cancel(request.params.id);
    await written(broker);
    return reply.code(204).send();
  });

  app.put<{ Params: ScheduledParams }>('/api/scheduled/:vhost/:id', { config: { doc: { summary: 'Reschedule a message (Warren)', body: RESCHEDULE_BODY_SCHEMA } } }, async (request): Promise<ScheduledView> => {
    const vhost = vhostOf(broker, request.params.vhost);
    const due = parseRescheduleBody(request.body);
    const moved = vhost.scheduled.reschedule(request.params.id, due);
    await written(broker);
    return scheduledView(moved);
  });
}
