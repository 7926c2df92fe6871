/**
 * Vhosts, RabbitMQ's way: list (paged), show with their message totals and rates, create or
 * update (`PUT /api/vhosts/{name}`, stored: an empty vhost survives a restart), and delete with
 * everything in it; the connections open on a deleted vhost are closed (`connection_forced`).
 * What a vhost holds and how it is stored is the core's (vhost-records.ts).
 */
import type { FastifyInstance } from 'fastify';
import { LIST_QUERY_SCHEMA, parseListQuery, parseVHostBody, vhostTags, VHOST_BODY_SCHEMA, WarrenError, type VHostView } from '@warren/protocol';
import type { VHost } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { listPage } from '../list-page.js';
import { inVisibleVhosts } from '../visible.js';
import { vhostOf, written } from '../lookup.js';
import { EXCHANGE_COUNTERS, QUEUE_SUMMED, StatsSum } from '../stats-views.js';
import { httpActor } from '../../audit/user.js';

interface VHostNameParams {
  name: string;
}

function vhostView(vhost: VHost, nodeId: string): VHostView {
  let ready = 0;
  let unacked = 0;
  let bytes = 0;
  const stats = new StatsSum();
  for (const queue of vhost.queues.values()) {
    const s = queue.stats();
    ready += s.ready;
    unacked += s.unacked;
    bytes += s.bytes;
    stats.add(queue.messageStats, QUEUE_SUMMED);
  }
  for (const exchange of vhost.exchanges.values()) stats.add(exchange.messageStats, ['publish_in'], () => 'publish');
  const { description, tags, defaultQueueType } = vhost.metadata;
  return {
    name: vhost.name,
    description,
    tags,
    default_queue_type: defaultQueueType,
    metadata: { description, tags },
    tracing: false,
    cluster_state: { [nodeId]: 'running' },
    messages: ready + unacked,
    messages_ready: ready,
    messages_unacknowledged: unacked,
    message_bytes: bytes,
    message_stats: stats.view(),
  };
}

export function vhostRoutes(app: FastifyInstance, { broker, listener, nodeId }: ApiContext): void {
  app.get('/api/vhosts', { config: { doc: { summary: 'List the vhosts', query: LIST_QUERY_SCHEMA } } }, async (request) =>
    listPage({ objects: inVisibleVhosts(request, [...broker.vhosts.values()], (v) => v.name), nameOf: (v) => v.name, view: (v) => vhostView(v, nodeId) }, parseListQuery(request.query)),
  );

  app.get<{ Params: VHostNameParams }>('/api/vhosts/:name', { config: { doc: { summary: 'Show a vhost' } } }, async (request) =>
    vhostView(vhostOf(broker, request.params.name), nodeId),
  );

  app.put<{ Params: VHostNameParams }>('/api/vhosts/:name', { config: { doc: { summary: 'Create or update a vhost', body: VHOST_BODY_SCHEMA } } }, async (request, reply) => {
    const body = parseVHostBody(request.body ?? {});
    const existing = broker.vhost(request.params.name);
    const metadata = {
      description: body.description ?? existing?.metadata.description ?? '',
      tags: body.tags === undefined ? (existing?.metadata.tags ?? []) : vhostTags(body.tags),
      defaultQueueType: body.default_queue_type ?? existing?.metadata.defaultQueueType ?? 'classic',
    };
    broker.declareVHost(request.params.name, metadata);
    await written(broker);
    return reply.code(existing === undefined ? 201 : 204).send();
  });

  app.delete<{ Params: VHostNameParams }>('/api/vhosts/:name', { config: { doc: { summary: 'Delete a vhost and everything in it' } } }, async (request, reply) => {
    const vhost = vhostOf(broker, request.params.name);
    for (const session of listener.sessions) {
      if (session.vhost === vhost) session.fail(new WarrenError('connection_forced', `vhost '${vhost.name}' was deleted`));
    }
    const messages = broker.deleteVHost(vhost.name);
    broker.audit.record({ ...httpActor(request), action: 'vhost.delete', object: { type: 'vhost', vhost: vhost.name, name: vhost.name }, counts: { messages } });
    await written(broker);
    return reply.code(204).send();
  });
}
