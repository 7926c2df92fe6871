/**
 * Exchanges: list, show, declare (`PUT`) and delete, in RabbitMQ's shape, and Warren's routing
 * dry run (`POST …/route`), whose walk is core's route-trace.ts.
 */
import type { FastifyInstance } from 'fastify';
import { checkExchangeArguments, parseExchangeDeclareBody, parseRouteBody, type RouteResult } from '@warren/protocol';
import { traceRoute, type Broker } from '@warren/core';
import { exchangeOf, flag, vhostOf, written, type NameParams, type VHostParams } from '../lookup.js';
import { exchangeView } from '../views.js';
import { httpActor } from '../../audit/user.js';

export function exchangeRoutes(app: FastifyInstance, broker: Broker): void {
  app.get('/api/exchanges', async () => [...broker.vhosts.values()].flatMap((v) => [...v.exchanges.values()].map(exchangeView)));

  app.get<{ Params: VHostParams }>('/api/exchanges/:vhost', async (request) =>
    [...vhostOf(broker, request.params.vhost).exchanges.values()].map(exchangeView),
  );

  app.get<{ Params: NameParams }>('/api/exchanges/:vhost/:name', async (request) => exchangeView(exchangeOf(broker, request.params)));

  app.put<{ Params: NameParams }>('/api/exchanges/:vhost/:name', async (request, reply) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const body = parseExchangeDeclareBody(request.body);
    const args = body.arguments ?? {};
    checkExchangeArguments(args);
    const existed = vhost.exchange(request.params.name) !== undefined;
    vhost.declareExchange(
      {
        name: request.params.name,
        type: body.type,
        durable: body.durable ?? true,
        autoDelete: body.auto_delete ?? false,
        internal: body.internal ?? false,
        arguments: args,
      },
      false,
    );
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.post<{ Params: NameParams }>('/api/exchanges/:vhost/:name/route', async (request): Promise<RouteResult> => {
    const exchange = exchangeOf(broker, request.params);
    const body = parseRouteBody(request.body);
    return traceRoute(vhostOf(broker, request.params.vhost), exchange, body.routing_key, body.headers);
  });

  app.delete<{ Params: NameParams }>('/api/exchanges/:vhost/:name', async (request, reply) => {
    const exchange = exchangeOf(broker, request.params);
    const ifUnused = flag(request.query, 'if-unused');
    vhostOf(broker, request.params.vhost).deleteExchange(exchange.name, ifUnused);
    const object = { type: 'exchange' as const, vhost: request.params.vhost, name: exchange.name };
    broker.audit.record({ ...httpActor(request), action: 'exchange.delete', object, parameters: { if_unused: ifUnused } });
    await written(broker);
    return reply.code(204).send();
  });
}
