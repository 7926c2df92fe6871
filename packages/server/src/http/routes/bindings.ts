/**
 * Bindings, RabbitMQ's way: list them (all, a vhost's, an exchange's as source or destination, a
 * queue's, those between one source and one destination), bind with
 * `POST /api/bindings/{vhost}/e/{source}/{q|e}/{destination}` (answered 201 with the binding's
 * Location), and show or delete one binding by its `properties_key` (views.ts).
 */
import type { FastifyInstance } from 'fastify';
import { BINDING_BODY_SCHEMA, parseBindingBody, WarrenError, type BindingView } from '@warren/protocol';
import type { VHost } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { exchangeOf, queueOf, vhostOf, written, type NameParams, type VHostParams } from '../lookup.js';
import { bindingViews } from '../views.js';
import { HTTP_OWNER } from './queues.js';

interface BindParams extends VHostParams {
  source: string;
  destination: string;
}

interface BindingParams extends BindParams {
  props: string;
}

const KINDS = { q: 'queue', e: 'exchange' } as const;

export function bindingRoutes(app: FastifyInstance, { broker }: ApiContext): void {
  app.get('/api/bindings', { config: { doc: { summary: 'List every binding' } } }, async () => [...broker.vhosts.values()].flatMap(bindingViews));

  app.get<{ Params: VHostParams }>('/api/bindings/:vhost', { config: { doc: { summary: "List a vhost's bindings" } } }, async (request) =>
    bindingViews(vhostOf(broker, request.params.vhost)),
  );

  app.get<{ Params: NameParams }>('/api/exchanges/:vhost/:name/bindings/source', { config: { doc: { summary: 'Bindings in which the exchange is the source' } } }, async (request) => {
    const exchange = exchangeOf(broker, request.params);
    return bindingViews(vhostOf(broker, request.params.vhost)).filter((b) => b.source === exchange.name);
  });

  app.get<{ Params: NameParams }>('/api/exchanges/:vhost/:name/bindings/destination', { config: { doc: { summary: 'Bindings in which the exchange is the destination' } } }, async (request) => {
    const exchange = exchangeOf(broker, request.params);
    return bindingViews(vhostOf(broker, request.params.vhost)).filter((b) => b.destination_type === 'exchange' && b.destination === exchange.name);
  });

  app.get<{ Params: NameParams }>('/api/queues/:vhost/:name/bindings', { config: { doc: { summary: "A queue's bindings" } } }, async (request) => {
    const queue = queueOf(broker, request.params);
    return bindingViews(vhostOf(broker, request.params.vhost)).filter((b) => b.destination_type === 'queue' && b.destination === queue.name);
  });

  for (const kind of ['q', 'e'] as const) {
    const between = (vhost: VHost, source: string, destination: string): BindingView[] => {
      if (vhost.exchange(source) === undefined) throw new WarrenError('exchange_not_found', `no exchange '${source}' in vhost '${vhost.name}'`);
      if (kind === 'q' && vhost.queue(destination) === undefined) throw new WarrenError('queue_not_found', `no queue '${destination}' in vhost '${vhost.name}'`);
      if (kind === 'e' && vhost.exchange(destination) === undefined) throw new WarrenError('exchange_not_found', `no exchange '${destination}' in vhost '${vhost.name}'`);
      return bindingViews(vhost).filter((b) => b.source === source && b.destination === destination && b.destination_type === KINDS[kind]);
    };
    const one = (params: BindingParams): BindingView => {
      const found = between(vhostOf(broker, params.vhost), params.source, params.destination).find((b) => b.properties_key === params.props);
      if (found === undefined) throw new WarrenError('not_found', `no binding '${params.props}' from '${params.source}' to ${KINDS[kind]} '${params.destination}'`);
      return found;
    };
    const base = `/api/bindings/:vhost/e/:source/${kind}/:destination`;

    app.get<{ Params: BindParams }>(base, { config: { doc: { summary: `Bindings from an exchange to a${kind === 'q' ? ' queue' : 'n exchange'}` } } }, async (request) =>
      between(vhostOf(broker, request.params.vhost), request.params.source, request.params.destination),
    );

    app.post<{ Params: BindParams }>(base, { config: { doc: { summary: `Bind a${kind === 'q' ? ' queue' : 'n exchange'} to an exchange`, body: BINDING_BODY_SCHEMA } } }, async (request, reply) => {
      const { vhost: vhostName, source, destination } = request.params;
      const vhost = vhostOf(broker, vhostName);
      const body = parseBindingBody(request.body ?? {});
      if (body.destination_type !== undefined && KINDS[kind] !== body.destination_type && kind !== body.destination_type) {
        throw new WarrenError('invalid_argument', `field 'destination_type' = "${body.destination_type}" contradicts the URL's '${kind}'`);
      }
      const routingKey = body.routing_key ?? '';
      const args = body.arguments ?? {};
      if (kind === 'q') vhost.bindQueue(destination, source, routingKey, args, HTTP_OWNER);
      else vhost.bindExchange(destination, source, routingKey, args);
      await written(broker);
      const created = between(vhost, source, destination).find((b) => b.routing_key === routingKey && sameArguments(b.arguments, args));
      const path = [vhostName, 'e', source, kind, destination].map(encodeURIComponent).join('/');
      return reply.code(201).header('location', `/api/bindings/${path}/${encodeURIComponent(created?.properties_key ?? '~')}`).send();
    });

    app.get<{ Params: BindingParams }>(`${base}/:props`, { config: { doc: { summary: 'Show one binding by its properties_key' } } }, async (request) => one(request.params));

    app.delete<{ Params: BindingParams }>(`${base}/:props`, { config: { doc: { summary: 'Delete one binding by its properties_key' } } }, async (request, reply) => {
      const binding = one(request.params);
      const vhost = vhostOf(broker, request.params.vhost);
      if (kind === 'q') vhost.unbindQueue(binding.destination, binding.source, binding.routing_key, binding.arguments, HTTP_OWNER);
      else vhost.unbindExchange(binding.destination, binding.source, binding.routing_key, binding.arguments);
      await written(broker);
      return reply.code(204).send();
    });
  }
}

function sameArguments(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
