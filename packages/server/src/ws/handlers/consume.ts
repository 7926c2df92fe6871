/**
 * consume / cancel, and the settlement of deliveries: ack, nack, reject (AMQP 0-9-1 basic.*).
 * `multiple` settles every unsettled delivery of the connection up to the tag; a tag that is
 * not outstanding is `unknown_delivery_tag` for that frame only.
 */
import {
  WarrenError,
  type AckFrame,
  type CancelFrame,
  type ConsumeFrame,
  type NackFrame,
  type RejectFrame,
  type RetryFrame,
} from '@warren/protocol';
import type { Settlement } from '@warren/core';
import type { Session } from '../session.js';
import { withContext } from './context.js';

export function handleConsume(session: Session, frame: ConsumeFrame): void {
  const consumer = withContext({ id: frame.id }, () => {
    const tag = frame.consumer_tag || `amq.ctag-${session.broker.newId()}`;
    if (session.consumers.has(tag)) throw new WarrenError('consumer_tag_in_use', `consumer tag '${tag}' is in use on this connection`);
    const limit = session.config.maxConsumersPerConnection;
    if (session.consumers.size >= limit) throw new WarrenError('consumer_limit', `this connection already has ${limit} consumers`);
    return session.vhost!.consume(
      frame.queue,
      {
        tag,
        prefetch: frame.prefetch ?? 0,
        noAck: frame.no_ack ?? false,
        exclusive: frame.exclusive ?? false,
        arguments: frame.arguments ?? {},
        owner: session.id,
      },
      session,
    );
  });
  session.consumers.set(consumer.tag, consumer);
  session.reply(frame.id, { consumer_tag: consumer.tag });
}

export function handleCancel(session: Session, frame: CancelFrame): void {
  const consumer = session.consumers.get(frame.consumer_tag);
  if (consumer === undefined) {
    throw new WarrenError('consumer_not_found', `no consumer '${frame.consumer_tag}' on this connection`, { context: { id: frame.id } });
  }
  session.consumers.delete(frame.consumer_tag);
  session.vhost!.cancel(consumer);
  session.reply(frame.id);
}

export function handleAck(session: Session, frame: AckFrame): void {
  settle(session, frame.delivery_tag, frame.multiple ?? false, 'ack');
}

export function handleNack(session: Session, frame: NackFrame): void {
  settle(session, frame.delivery_tag, frame.multiple ?? false, frame.requeue === false ? 'drop' : 'requeue');
}

export function handleReject(session: Session, frame: RejectFrame): void {
  settle(session, frame.delivery_tag, false, frame.requeue === false ? 'drop' : 'requeue');
}

export function handleRetry(session: Session, frame: RetryFrame): void {
  settle(session, frame.delivery_tag, false, 'retry', frame.delay);
}

function settle(session: Session, tag: number, multiple: boolean, outcome: Settlement, delay?: number): void {
  const unacked = session.unacked;
  if (!unacked.has(tag)) throw new WarrenError('unknown_delivery_tag', `delivery tag ${tag} is not an unsettled delivery of this connection`);
  if (!multiple) {
    const delivery = unacked.get(tag)!;
    unacked.delete(tag);
    delivery.consumer.queue.settle(delivery.entry, delivery.consumer, outcome, delay);
    return;
  }
  for (const [each, delivery] of unacked) {
    if (each > tag) break;
    unacked.delete(each);
    delivery.consumer.queue.settle(delivery.entry, delivery.consumer, outcome);
  }
}
