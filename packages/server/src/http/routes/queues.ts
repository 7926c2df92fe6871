/**
 * Queues: list (RabbitMQ's paging, filtering and sorting: list-page.ts), show, declare (`PUT`),
 * delete, and purge (`DELETE …/contents`), in RabbitMQ's shape. Reading and moving the messages
 * themselves is queue-messages.ts's job.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  checkQueueArguments,
  LIST_QUERY_SCHEMA,
  parseListQuery,
  parseQueueDeclareBody,
  QUEUE_DECLARE_BODY_SCHEMA,
  type EffectiveArguments,
  type PolicyDefinition,
  type QueueView,
} from '@warren/protocol';
import { explainQueueSettings, mergePolicies, type Queue } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { inVisibleVhosts } from '../visible.js';
import { listPageJson } from '../list-page.js';
import { queueJson } from '../queue-json.js';
import { flag, queueOf, vhostOf, written, type NameParams, type VHostParams } from '../lookup.js';
import { queueSortKey, queueView } from '../views.js';
import { httpActor } from '../../audit/user.js';
import { ReplicatedQueue, type ReplicaView } from '../../cluster/replicated-queue.js';

/** The owner of queues declared over HTTP (only exclusive queues have one, and HTTP cannot declare those). */
export const HTTP_OWNER = 'http-api';

/** One queue, with Warren's explanation of each setting in effect (docs/policies.md), and a replicated queue's group. */
type QueueDetailView = QueueView & { effective_arguments: EffectiveArguments } & Partial<ReplicaView>;

export function queueRoutes(app: FastifyInstance, { broker, nodeId }: ApiContext): void {
  // Written as JSON bytes directly (queue-json.ts): a list of 10,000 queues is mostly serialising.
  // The access hook's preSerialization never sees bytes, so here the visible filter is all there is.
  const list = (all: Queue[], request: FastifyRequest, reply: FastifyReply) => {
    const queues = inVisibleVhosts(request, all, (q) => q.record.vhost);
    const listing = { objects: queues, nameOf: (q: Queue) => q.name, tieOf: (q: Queue) => q.record.vhost, view: (q: Queue) => queueView(q, nodeId), sortKey: queueSortKey };
    const body = listPageJson(listing, (q) => queueJson(q, nodeId), parseListQuery(request.query));
    return reply.type('application/json; charset=utf-8').send(body);
  };

  app.get('/api/queues', { config: { doc: { summary: 'List every queue', query: LIST_QUERY_SCHEMA } } }, async (request, reply) =>
    list([...broker.vhosts.values()].flatMap((v) => [...v.queues.values()]), request, reply),
  );

  app.get<{ Params: VHostParams }>('/api/queues/:vhost', { config: { doc: { summary: "List a vhost's queues", query: LIST_QUERY_SCHEMA } } }, async (request, reply) =>
    list([...vhostOf(broker, request.params.vhost).queues.values()], request, reply),
  );

  app.get<{ Params: NameParams }>('/api/queues/:vhost/:name', { config: { doc: { summary: 'Show a queue' } } }, async (request): Promise<QueueDetailView> => {
    const queue = queueOf(broker, request.params);
    const merged = mergePolicies(vhostOf(broker, request.params.vhost).policies.values(), 'queue', queue.name);
    return {
      ...queueView(queue, nodeId),
      effective_policy_definition: merged.definition as PolicyDefinition,
      effective_arguments: explainQueueSettings(queue.record.arguments, merged),
      ...(queue instanceof ReplicatedQueue ? queue.describe() : {}),
    };
  });

  app.put<{ Params: NameParams }>('/api/queues/:vhost/:name', { config: { doc: { summary: 'Declare a queue', body: QUEUE_DECLARE_BODY_SCHEMA } } }, async (request, reply) => {
    const vhost = vhostOf(broker, request.params.vhost);
    const body = parseQueueDeclareBody(request.body ?? {});
    checkQueueArguments(body.arguments);
    const existed = vhost.queue(request.params.name) !== undefined;
    vhost.declareQueue(
      { name: request.params.name, durable: body.durable, exclusive: false, autoDelete: body.auto_delete, arguments: body.arguments },
      false,
      HTTP_OWNER,
    );
    await written(broker);
    return reply.code(existed ? 204 : 201).send();
  });

  app.delete<{ Params: NameParams }>('/api/queues/:vhost/:name', { config: { doc: { summary: 'Delete a queue (?if-empty=true, ?if-unused=true)' } } }, async (request, reply) => {
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

  app.delete<{ Params: NameParams }>('/api/queues/:vhost/:name/contents', { config: { doc: { summary: "Purge a queue's ready messages" } } }, async (request, reply) => {
    const queue = queueOf(broker, request.params);
    const messages = await vhostOf(broker, request.params.vhost).purgeQueueCommitted(queue.name, HTTP_OWNER);
    const object = { type: 'queue' as const, vhost: request.params.vhost, name: queue.name };
    broker.audit.record({ ...httpActor(request), action: 'queue.purge', object, counts: { messages } });
    await written(broker);
    return reply.code(204).send();
  });
}
