/**
 * publish → route and enqueue → confirm. The confirm waits for the store when a queue wrote the
 * message (docs/protocol.md, "Publishing"), and carries the receipt's exceptions (a duplicate, a
 * persistent message on no disk); a mandatory message no queue took comes back as
 * publish.return before its ack (AMQP 0-9-1 basic.return).
 */
import { WarrenError, type MessageProperties, type PublishFrame } from '@warren/protocol';
import { REJECTED, UNROUTED, type Message, type PublishOutcome } from '@warren/core';
import { Receipt } from '../confirm-tracker.js';
import type { Session } from '../session.js';
import { withContext } from './context.js';
import { keptBody } from '../kept-body.js';

export function handlePublish(session: Session, frame: PublishFrame, body: Uint8Array): void {
  const seq = frame.seq;
  session.broker.counters.receivedConfirm++;
  session.info.messageStats.publish++;
  const outcome = withContext({ seq }, () => {
    session.confirms.next(seq);
    if (body.length > session.config.maxMessageSize) {
      throw new WarrenError('message_too_large', `body of ${body.length} bytes exceeds the limit of ${session.config.maxMessageSize}`);
    }
    const given = frame.properties ?? {};
    const id = given.message_id ?? session.broker.newMessageId();
    const message: Message = {
      id,
      exchange: frame.exchange,
      routingKey: frame.routing_key,
      properties: given.message_id === undefined ? withMessageId(given, id) : given,
      headers: frame.headers,
      body: keptBody(body),
      persistent: given.persistent === true,
      publishedAt: session.broker.clock.now(),
    };
    return session.vhost!.publish(frame.exchange, message, frame.delay ?? 0, given.message_id !== undefined);
  });
  const route = outcome.route;
  if (route === REJECTED) {
    session.confirms.nack(seq, new WarrenError('queue_full', 'a queue the message was routed to is full (x-overflow reject-publish)'));
    return;
  }
  if (route === UNROUTED) {
    if (frame.mandatory) {
      session.broker.counters.returned++;
      session.send(
        {
          type: 'publish.return',
          seq,
          exchange: frame.exchange,
          routing_key: frame.routing_key,
          reply_code: 312,
          code: 'unroutable',
          message: `no queue is bound to exchange '${frame.exchange}' for routing key '${frame.routing_key}'`,
          properties: frame.properties,
          headers: frame.headers,
        },
        body,
      );
    }
    session.confirms.accept(seq, undefined, receiptOf(frame, outcome));
    return;
  }
  session.confirms.accept(seq, outcome.commit, receiptOf(frame, outcome), outcome.replicas);
  if (outcome.held !== undefined) session.holdFor(outcome.held);
}

/**
 * `{ ...given, message_id }`, the same keys in the same order; object spread of a parsed JSON
 * object costs about ten times this copy in V8, and it ran once per publish.
 */
function withMessageId(given: MessageProperties, id: string): MessageProperties {
  const properties: MessageProperties = {};
  for (const key in given) (properties as Record<string, unknown>)[key] = (given as Record<string, unknown>)[key];
  properties.message_id = id;
  return properties;
}

/** The receipt flags the client cannot know from what it published. */
function receiptOf(frame: PublishFrame, outcome: PublishOutcome): number {
  const receipt = outcome.duplicate ? Receipt.Duplicate : 0;
  return !outcome.durable && frame.properties?.persistent === true ? receipt | Receipt.Transient : receipt;
}
