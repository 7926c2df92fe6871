/**
 * Queues: list, show, declare (`PUT`), delete, and purge (`DELETE …/contents`), in RabbitMQ's
 * shape. Reading and moving the messages themselves is queue-messages.ts's job.
 */
import type { FastifyInstance } from 'fastify';
import { checkQueueArguments, parseQueueDeclareBody, type EffectiveArguments, type PolicyDefinition, type QueueView } from '@warren/protocol';
import { explainQueueSettings, mergePolicies, type Broker } from '@warren/core';
import { flag, queueOf, vhostOf, written, type NameParams, type VHostParams } from '../lookup.js';
import { queueView } from '../views.js';
import { httpActor } from '../../audit/user.js';

/** The owner of queues declared over HTTP (only exclusive queues have one, and HTTP cannot declare those). */
export const HTTP_OWNER = 'http-api';

/** One queue, with Warren's explanation of each setting in effect (docs/policies.md). */
type QueueDetailView = QueueView & { effective_arguments: EffectiveArguments };

export function queueRoutes(app: FastifyInstance, broker: Broker): void {
  app.get('/api/queues', async () => [...broker.vhosts.values()].flatMap((v) => [...v.queues.values()].map(queueView)));

  app.get<{ Params: VHostParams }>('/api/queues/:vhost', async (request) =>
    [...vhostOf(broker, request.params.vhost).queues.values()].map(queueView),
  );

  app.get<{ Params: NameParams }>('/api/queues/:vhost/:name', async (request): Promise<QueueDetailView> => {
    const queue = queueOf(broker, request.params);
    const merged = mergePolicies(vhostOf(broker, request.params.vhost).policies.values(), 'queue', queue.name);
    return {
      ...queueView(queue),
      effective_policy_definition: merged.definition as PolicyDefinition,
      effective_arguments: explainQueueSettings(queue.record.arguments, merged),
    };
  });

  app.put<{ Params: NameParams }>('/api/queues/:vhost/:name', async (request, reply) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const body = parseQueueDeclareBody(request.body ?? {});
    const args = body.arguments ?? {};
    checkQueueArguments(args);
    const existed = vhost.queue(request.params.name) !== undefined;
    vhost.declareQueue(
      { name: request.params.name, durable: body.durable ?? true, exclusive: false, autoDelete: body.auto_delete ?? false, arguments: args },
      false,
      HTTP_OWNER,
    );
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.delete<{ Params: NameParams }>('/api/queues/:vhost/:name', async (request, reply) => {
    const queue = queueOf(broker, request.params);
    const ifUnused = flag(request.query, 'if-unused');
    const ifEmpty = flag(request.query, 'if-empty');
    const messages = vhostOf(broker, request.params.vhost).deleteQueue(queue.name, ifUnused, ifEmpty, HTTP_OWNER);
    const object = { type: 'queue' as const, vhost: request.params.vhost, name: queue.name };
    const parameters = { if_unused: ifUnused, if_empty: ifEmpty };
    broker.audit.record({ ...httpActor(request), action: 'queue.delete', object, parameters, counts: { messages } });
    await written(broker);
    return reply.code(204).send();
  });

  app.delete<{ Params: NameParams }>('/api/queues/:vhost/:name/contents', async (request, reply) => {
    const queue = queueOf(broker, request.params);
    const messages = vhostOf(broker, request.params.vhost).purgeQueue(queue.name, HTTP_OWNER);
    const object = { type: 'queue' as const, vhost: request.params.vhost, name: queue.name };
    broker.audit.record({ ...httpActor(request), action: 'queue.purge', object, counts: { messages } });
    await written(broker);
    return reply.code(204).send();
  });
}
