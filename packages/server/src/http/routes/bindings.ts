/**
 * Bindings: list them, and bind a queue or an exchange to an exchange with RabbitMQ's
 * `POST /api/bindings/{vhost}/e/{source}/q/{queue}` (or `/e/{destination}`) and body
 * `{ routing_key, arguments }`, answered 201 with the binding's Location.
 */
import type { FastifyInstance } from 'fastify';
import { parseBindingBody } from '@warren/protocol';
import type { Broker } from '@warren/core';
import { vhostOf, written, type VHostParams } from '../lookup.js';
import { bindingViews } from '../views.js';
import { HTTP_OWNER } from './queues.js';

interface BindParams extends VHostParams {
  source: string;
  destination: string;
}

export function bindingRoutes(app: FastifyInstance, broker: Broker): void {
  app.get('/api/bindings', async () => [...broker.vhosts.values()].flatMap(bindingViews));

  app.get<{ Params: VHostParams }>('/api/bindings/:vhost', async (request) => bindingViews(vhostOf(broker, request.params.vhost)));

  for (const kind of ['q', 'e'] as const) {
    app.post<{ Params: BindParams }>(`/api/bindings/:vhost/e/:source/${kind}/:destination`, async (request, reply) => {
      const { vhost: vhostName, source, destination } = request.params;
      const vhost = vhostOf(broker, vhostName);
      const body = parseBindingBody(request.body ?? {});
      const routingKey = body.routing_key ?? '';
      if (kind === 'q') vhost.bindQueue(destination, source, routingKey, body.arguments ?? {}, HTTP_OWNER);
      else vhost.bindExchange(destination, source, routingKey, body.arguments ?? {});
      await written(broker);
      const path = [vhostName, 'e', source, kind, destination, routingKey === '' ? '~' : routingKey].map(encodeURIComponent).join('/');
      return reply.code(201).header('location', `/api/bindings/${path}`).send();
    });
  }
}
