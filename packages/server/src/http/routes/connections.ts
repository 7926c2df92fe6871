/**
 * Connections and consumers, RabbitMQ's way: list connections (paged), show one, close one
 * (`DELETE /api/connections/{name}` with the reason in an `X-Reason` header, as RabbitMQ; the
 * client gets `connection_forced` with it), and list consumers (all, or a vhost's). A Warren
 * connection is one WebSocket and has one channel; its name is its connection id.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  LIST_QUERY_SCHEMA,
  parseListQuery,
  parseUnackedQuery,
  UNACKED_QUERY_SCHEMA,
  WarrenError,
  type UnackedDeliveryView,
  type UnackedPageView,
} from '@warren/protocol';
import type { ApiContext } from '../api-context.js';
import { listPage } from '../list-page.js';
import { ownedByAsker } from '../visible.js';
import { vhostOf, type VHostParams } from '../lookup.js';
import { channelName, channelView, connectionView, consumerView } from '../connection-views.js';
import type { Session } from '../../ws/session.js';
import { httpActor } from '../../audit/user.js';

interface ConnectionParams {
  name: string;
}

export function connectionRoutes(app: FastifyInstance, { listener, nodeId, broker }: ApiContext): void {
  const openSessions = (): Session[] => [...listener.sessions].filter((s) => s.vhost !== undefined && !s.isClosed);
  const ownSessions = (request: FastifyRequest): Session[] => ownedByAsker(request, openSessions(), (s) => s.user);
  const sessionOf = (name: string): Session => {
    const session = openSessions().find((s) => s.id === name);
    if (session === undefined) throw new WarrenError('not_found', `no connection '${name}'`);
    return session;
  };

  app.get('/api/connections', { config: { doc: { summary: 'List the open connections', query: LIST_QUERY_SCHEMA } } }, async (request) =>
    listPage({ objects: ownSessions(request), nameOf: (s) => s.id, view: (s) => connectionView(s, nodeId) }, parseListQuery(request.query)),
  );

  app.get<{ Params: VHostParams }>('/api/vhosts/:vhost/connections', { config: { doc: { summary: "A vhost's open connections", query: LIST_QUERY_SCHEMA } } }, async (request) => {
    const vhost = vhostOf(broker, request.params.vhost);
    return listPage({ objects: ownSessions(request).filter((s) => s.vhost === vhost), nameOf: (s) => s.id, view: (s) => connectionView(s, nodeId) }, parseListQuery(request.query));
  });

  app.get<{ Params: ConnectionParams }>('/api/connections/:name', { config: { doc: { summary: 'Show a connection' } } }, async (request) =>
    connectionView(sessionOf(request.params.name), nodeId),
  );

  app.delete<{ Params: ConnectionParams }>(
    '/api/connections/:name',
    { config: { doc: { summary: 'Close a connection', headers: { 'X-Reason': 'why, sent to the client with the close' } } } },
    async (request, reply) => {
      const session = sessionOf(request.params.name);
      const given = request.headers['x-reason'];
      const reason = (Array.isArray(given) ? given[0] : given)?.slice(0, 255) || 'closed via management API';
      session.fail(new WarrenError('connection_forced', reason));
      broker.audit.record({ ...httpActor(request), action: 'connection.close', object: { type: 'connection', vhost: session.vhost?.name ?? null, name: session.id }, parameters: { reason } });
      return reply.code(204).send();
    },
  );

  app.get<{ Params: ConnectionParams }>('/api/connections/:name/channels', { config: { doc: { summary: "A connection's channels (one per Warren connection)" } } }, async (request) => [
    channelView(sessionOf(request.params.name), nodeId),
  ]);

  app.get('/api/channels', { config: { doc: { summary: 'List the channels (one per Warren connection)', query: LIST_QUERY_SCHEMA } } }, async (request) =>
    listPage({ objects: ownSessions(request), nameOf: (s) => channelName(s), view: (s) => channelView(s, nodeId) }, parseListQuery(request.query)),
  );

  app.get<{ Params: ConnectionParams }>('/api/channels/:name', { config: { doc: { summary: 'Show a channel' } } }, async (request) => {
    const session = openSessions().find((s) => channelName(s) === request.params.name);
    if (session === undefined) throw new WarrenError('not_found', `no channel '${request.params.name}'`);
    return channelView(session, nodeId);
  });

  app.get<{ Params: ConnectionParams }>(
    '/api/connections/:name/unacked',
    { config: { doc: { summary: "The deliveries a connection holds unsettled, oldest first (Warren; ?count=, default 100)", query: UNACKED_QUERY_SCHEMA } } },
    async (request): Promise<UnackedPageView> => {
      const session = sessionOf(request.params.name);
      const count = parseUnackedQuery(request.query);
      const items: UnackedDeliveryView[] = [];
      for (const [tag, { entry, consumer }] of session.unacked) {
        if (items.length >= count) break;
        const m = entry.message;
        items.push({
          delivery_tag: tag,
          consumer_tag: consumer.tag,
          queue: { name: consumer.queue.name, vhost: consumer.queue.record.vhost },
          message_id: m.id,
          exchange: m.exchange,
          routing_key: m.routingKey,
          redelivered: entry.redelivered,
          delivery_count: entry.deliveryCount,
          payload_bytes: m.body.byteLength,
        });
      }
      return { items, total_count: session.unacked.size };
    },
  );

  app.get('/api/consumers', { config: { doc: { summary: 'List every consumer' } } }, async () => openSessions().flatMap((s) => [...s.consumers.values()].map((c) => consumerView(s, c, nodeId))));

  app.get<{ Params: VHostParams }>('/api/consumers/:vhost', { config: { doc: { summary: "List a vhost's consumers" } } }, async (request) => {
    const vhost = vhostOf(broker, request.params.vhost);
    return openSessions()
      .filter((s) => s.vhost === vhost)
      .flatMap((s) => [...s.consumers.values()].map((c) => consumerView(s, c, nodeId)));
  });
}
