/**
 * Redrive jobs (Warren): `GET /api/redrives` lists them newest first, `GET /api/redrives/{id}`
 * shows one's progress, `DELETE /api/redrives/{id}` stops it and answers where it stopped.
 * Jobs start at `POST /api/queues/{vhost}/{name}/redrive` (queue-messages.ts); running them is
 * the core's job (redrive-job.ts).
 */
import type { FastifyInstance } from 'fastify';
import { WarrenError, type RedriveJobView } from '@warren/protocol';
import type { Broker, RedriveJob } from '@warren/core';
import { httpActor } from '../../audit/user.js';
import { written } from '../lookup.js';

interface IdParams {
  id: string;
}

export function redriveRoutes(app: FastifyInstance, broker: Broker): void {
  const jobOf = (id: string): RedriveJob => {
    const job = broker.redrives.get(id);
    if (job === undefined) throw new WarrenError('redrive_not_found', `no redrive job '${id}'`);
    return job;
  };

  app.get('/api/redrives', { config: { doc: { summary: 'List redrive jobs (Warren)' } } }, async (): Promise<RedriveJobView[]> => broker.redrives.list().map(redriveView));

  app.get<{ Params: IdParams }>('/api/redrives/:id', { config: { doc: { summary: "Show a redrive job's progress (Warren)" } } }, async (request): Promise<RedriveJobView> => redriveView(jobOf(request.params.id)));

  app.delete<{ Params: IdParams }>('/api/redrives/:id', { config: { doc: { summary: 'Stop a redrive job (Warren)' } } }, async (request): Promise<RedriveJobView> => {
    const job = jobOf(request.params.id);
    if (job.running) {
      job.stop();
      await job.done;
      const { vhost, queue, id, moved, skipped } = job.record;
      broker.audit.record({ ...httpActor(request), action: 'redrive.stop', object: { type: 'queue', vhost, name: queue }, parameters: { job: id }, counts: { moved, skipped } });
      await written(broker);
    }
    return redriveView(job);
  });
}

function redriveView(job: RedriveJob): RedriveJobView {
  const r = job.record;
  const handled = r.moved + r.skipped;
  const view: RedriveJobView = {
    id: r.id,
    vhost: r.vhost,
    queue: r.queue,
    state: r.state,
    matched: r.matched ?? null,
    moved: r.moved,
    skipped: r.skipped,
    remaining: r.matched === undefined ? null : r.state === 'completed' ? 0 : Math.max(0, r.matched - handled),
    filter: r.filter ?? null,
    to: r.to === undefined ? 'origin' : r.to.routingKey === undefined ? { exchange: r.to.exchange } : { exchange: r.to.exchange, routing_key: r.to.routingKey },
    count: r.count ?? null,
    rate: r.rate ?? null,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
  if (r.error !== undefined) view.error = r.error;
  return view;
}
