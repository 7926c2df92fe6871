/**
 * Exchanges: list (paged as RabbitMQ's), show, declare (`PUT`) and delete, in RabbitMQ's shape,
 * and Warren's routing dry run (`POST …/route`), whose walk is core's route-trace.ts. Publishing
 * through one is exchange-publish.ts's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  checkExchangeArguments,
  EXCHANGE_DECLARE_BODY_SCHEMA,
  LIST_QUERY_SCHEMA,
  parseExchangeDeclareBody,
  parseListQuery,
  parseRouteBody,
  ROUTE_BODY_SCHEMA,
  type RouteResult,
} from '@warren/protocol';
import { traceRoute, type Exchange } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { listPage } from '../list-page.js';
import { inVisibleVhosts } from '../visible.js';
import { exchangeOf, flag, vhostOf, written, type NameParams, type VHostParams } from '../lookup.js';
import { exchangeView } from '../views.js';
import { httpActor } from '../../audit/user.js';

export function exchangeRoutes(app: FastifyInstance, { broker }: ApiContext): void {
  const list = (exchanges: Exchange[], request: FastifyRequest) =>
    listPage(
      { objects: inVisibleVhosts(request, exchanges, (e) => e.record.vhost), nameOf: (e) => e.name, tieOf: (e) => e.record.vhost, view: exchangeView },
      parseListQuery(request.query),
    );

  app.get('/api/exchanges', { config: { doc: { summary: 'List every exchange', query: LIST_QUERY_SCHEMA } } }, async (request) =>
    list([...broker.vhosts.values()].flatMap((v) => [...v.exchanges.values()]), request),
  );

  app.get<{ Params: VHostParams }>('/api/exchanges/:vhost', { config: { doc: { summary: "List a vhost's exchanges", query: LIST_QUERY_SCHEMA } } }, async (request) =>
    list([...vhostOf(broker, request.params.vhost).exchanges.values()], request),
  );

  app.get<{ Params: NameParams }>('/api/exchanges/:vhost/:name', { config: { doc: { summary: 'Show an exchange' } } }, async (request) =>
    exchangeView(exchangeOf(broker, request.params)),
  );

  app.put<{ Params: NameParams }>('/api/exchanges/:vhost/:name', { config: { doc: { summary: 'Declare an exchange', body: EXCHANGE_DECLARE_BODY_SCHEMA } } }, async (request, reply) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const body = parseExchangeDeclareBody(request.body);
    checkExchangeArguments(body.arguments);
    const existed = vhost.exchange(request.params.name) !== undefined;
    vhost.declareExchange(
      { name: request.params.name, type: body.type, durable: body.durable, autoDelete: body.auto_delete, internal: body.internal, arguments: body.arguments },
      false,
    );
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.post<{ Params: NameParams }>('/api/exchanges/:vhost/:name/route', { config: { doc: { summary: 'Routing dry run: which queues a routing key would reach (Warren)', body: ROUTE_BODY_SCHEMA } } }, async (request): Promise<RouteResult> => {
    const exchange = exchangeOf(broker, request.params);
    const body = parseRouteBody(request.body);
    return traceRoute(vhostOf(broker, request.params.vhost), exchange, body.routing_key, body.headers);
  });

  app.delete<{ Params: NameParams }>('/api/exchanges/:vhost/:name', { config: { doc: { summary: 'Delete an exchange (?if-unused=true)' } } }, async (request, reply) => {
    const exchange = exchangeOf(broker, request.params);
    const ifUnused = flag(request.query, 'if-unused');
    vhostOf(broker, request.params.vhost).deleteExchange(exchange.name, ifUnused);
    const object = { type: 'exchange' as const, vhost: request.params.vhost, name: exchange.name };
    broker.audit.record({ ...httpActor(request), action: 'exchange.delete', object, parameters: { if_unused: ifUnused } });
    await written(broker);
    return reply.code(204).send();
  });
}
