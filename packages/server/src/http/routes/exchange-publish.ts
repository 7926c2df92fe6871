/**
 * `POST /api/exchanges/{vhost}/{name}/publish`, RabbitMQ's: publishes one message (payload as a
 * string or base64, AMQP properties in snake_case) and answers `{ routed }` once it is stored
 * as a confirm would be. `amq.default` names the default exchange, as in RabbitMQ's URLs. For
 * testing and operations, not throughput: clients publish over the WebSocket.
 */
import type { FastifyInstance } from 'fastify';
import { parsePublishBody, PUBLISH_BODY_SCHEMA, WarrenError, type MessageProperties, type PublishBody, type PublishResult } from '@warren/protocol';
import { REJECTED, UNROUTED, type Message } from '@warren/core';
import type { ApiContext } from '../api-context.js';
import { exchangeName, exchangeOf, vhostOf, type NameParams } from '../lookup.js';

export function exchangePublishRoutes(app: FastifyInstance, { broker }: ApiContext): void {
  app.post<{ Params: NameParams }>(
    '/api/exchanges/:vhost/:name/publish',
    { config: { doc: { summary: 'Publish a message through an exchange', body: PUBLISH_BODY_SCHEMA } } },
    async (request): Promise<PublishResult> => {
      const vhost = vhostOf(broker, request.params.vhost);
      const name = exchangeName(request.params.name);
      exchangeOf(broker, { vhost: vhost.name, name });
      const body = parsePublishBody(request.body);
      const message = messageOf(body, name, broker.newMessageId(), broker.clock.now());
      const outcome = vhost.publish(name, message, 0, body.properties.message_id !== undefined);
      if (outcome.route === REJECTED) throw new WarrenError('queue_full', 'a queue the message was routed to is full (x-overflow reject-publish)');
      const commit = outcome.commit;
      if (commit !== undefined) await new Promise<void>((resolve, reject) => commit.onSettled((error) => (error ? reject(error) : resolve())));
      return { routed: outcome.route !== UNROUTED && !outcome.duplicate };
    },
  );
}

function messageOf(body: PublishBody, exchange: string, newId: string, now: number): Message {
  const { headers, delivery_mode: mode, ...rest } = body.properties;
  const persistent = mode === 2 || mode === '2';
  const id = rest.message_id ?? newId;
  const properties: MessageProperties = { ...rest, message_id: id };
  if (persistent) properties.persistent = true;
  const payload = body.payload_encoding === 'base64' ? Buffer.from(body.payload, 'base64') : Buffer.from(body.payload, 'utf8');
  return {
    id,
    exchange,
    routingKey: body.routing_key,
    properties,
    headers: headers === undefined || Object.keys(headers).length === 0 ? undefined : headers,
    body: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength),
    persistent,
    publishedAt: now,
  };
}
