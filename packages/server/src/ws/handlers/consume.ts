/**
 * consume / cancel, the settlement of deliveries: ack, nack, reject (AMQP 0-9-1 basic.*), retry,
 * and extend (renews a delivery's ack lease). `multiple` settles every unsettled delivery of the
 * connection up to the tag; a tag that is not outstanding is `unknown_delivery_tag`, or
 * `delivery_expired` when the broker took it back, for that frame only (docs/protocol.md).
 */
import {
  MIN_ACK_LEASE_MS,
  WarrenError,
  type AckFrame,
  type CancelFrame,
  type ConsumeFrame,
  type ExtendFrame,
  type NackFrame,
  type RejectFrame,
  type RetryFrame,
} from '@warren/protocol';
import type { SettleOptions, Settlement } from '@warren/core';
import type { Delivery, Session } from '../session.js';
import { withContext } from './context.js';

export function handleConsume(session: Session, frame: ConsumeFrame): void {
  const consumer = withContext({ id: frame.id }, () => {
    const lease = frame.ack_timeout;
    if (lease !== undefined && lease > 0 && lease < MIN_ACK_LEASE_MS) {
      throw new WarrenError('invalid_argument', `ack_timeout ${lease} ms is below the ${MIN_ACK_LEASE_MS} ms minimum lease (0: no lease)`);
    }
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
        ...(frame.ack_timeout === undefined ? {} : { ackTimeout: frame.ack_timeout }),
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
  if (consumer.queue.settings.singleActiveConsumer === true) handOver(session, consumer);
  session.reply(frame.id);
}

/**
 * Single active consumer: the cancelled consumer's unsettled deliveries go back to the queue now
 * (requeued, redelivered), so that the next consumer gets them first and in order; settling one
 * of them afterwards is `delivery_expired`, as for a delivery whose lease ran out.
 */
function handOver(session: Session, consumer: Delivery['consumer']): void {
  const deliveries: Delivery[] = [];
  for (const [tag, delivery] of session.unacked) {
    if (delivery.consumer !== consumer) continue;
    session.unacked.delete(tag);
    session.revokedTags.add(tag);
    deliveries.push(delivery);
  }
  if (deliveries.length > 0) consumer.queue.requeueAll(deliveries);
}

export function handleAck(session: Session, frame: AckFrame): void {
  settle(session, frame.delivery_tag, frame.multiple ?? false, 'ack');
}

export function handleNack(session: Session, frame: NackFrame): void {
  const options = failure('nack', frame.error);
  settle(session, frame.delivery_tag, frame.multiple ?? false, frame.requeue === false ? 'drop' : 'requeue', options);
}

export function handleReject(session: Session, frame: RejectFrame): void {
  settle(session, frame.delivery_tag, false, frame.requeue === false ? 'drop' : 'requeue', failure('reject', frame.error));
}

export function handleRetry(session: Session, frame: RetryFrame): void {
  const options = failure('retry', frame.error);
  if (frame.delay !== undefined) options.delay = frame.delay;
  settle(session, frame.delivery_tag, false, 'retry', options);
}

/** A delivery without a lease (no ack timeout applies) has nothing to renew: accepted, no effect. */
export function handleExtend(session: Session, frame: ExtendFrame): void {
  const delivery = outstanding(session, frame.delivery_tag);
  delivery.consumer.queue.extendLease(delivery.entry, frame.ms);
}

function failure(reason: 'nack' | 'reject' | 'retry', error: string | undefined): SettleOptions {
  return error === undefined ? { reason } : { reason, error };
}

function outstanding(session: Session, tag: number): Delivery {
  const delivery = session.unacked.get(tag);
  if (delivery !== undefined) return delivery;
  if (session.revokedTags.has(tag)) {
    throw new WarrenError('delivery_expired', `delivery tag ${tag} was taken back when its ack lease expired, and handled as a nack with requeue`);
  }
  throw new WarrenError('unknown_delivery_tag', `delivery tag ${tag} is not an unsettled delivery of this connection`);
}

function settle(session: Session, tag: number, multiple: boolean, outcome: Settlement, options: SettleOptions = {}): void {
  const unacked = session.unacked;
  if (!multiple) {
    const delivery = outstanding(session, tag);
    unacked.delete(tag);
    if (outcome === 'ack') session.info.messageStats.ack++;
    delivery.consumer.queue.settle(delivery.entry, delivery.consumer, outcome, options);
    if (outcome === 'ack') session.broker.counters.acknowledged++;
    return;
  }
  if (!unacked.has(tag)) outstanding(session, tag);
  let settled = 0;
  for (const [each, delivery] of unacked) {
    if (each > tag) break;
    unacked.delete(each);
    if (outcome === 'ack') session.info.messageStats.ack++;
    delivery.consumer.queue.settle(delivery.entry, delivery.consumer, outcome, options);
    settled++;
  }
  if (outcome === 'ack') session.broker.counters.acknowledged += settled;
}
