/**
 * Running totals of what the broker did with messages, queues and connections, as plain
 * numbers: counting costs one add on the hot path, and an exporter (the server's /metrics)
 * reads them when it is scraped. The core counts what it sees (publishes, routing,
 * dead-lettering, queue declarations); the server counts what only it sees (connections,
 * deliveries and acks on a socket, publisher confirms sent). Names follow RabbitMQ's
 * rabbit_global_counters, so rabbitmq_prometheus's series map one to one.
 */
import type { DeathReason } from './dead-letter.js';

/**
 * RabbitMQ's dead_letter_strategy label: `disabled` when the queue has no dead-letter exchange,
 * `at_least_once` for a replicated queue's (kept in its log until its targets have it).
 */
export type DeadLetterStrategy = 'disabled' | 'at_most_once' | 'at_least_once';

/** Upper bounds of rabbitmq_message_size_bytes, in bytes; the last bucket (+Inf) takes the rest. */
export const MESSAGE_SIZE_BUCKETS = [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 50_000_000, 100_000_000] as const;

export class BrokerCounters {
  /** Publishes the broker took in (any route in: WebSocket, HTTP), routed or not. */
  received = 0;
  /** Publishes that reached at least one queue (delayed ones count when they come due). */
  routed = 0;
  /** Publishes no queue was bound for. */
  unroutable = 0;
  /** Of those, sent back to a publisher that asked for mandatory (server). */
  returned = 0;
  /** Publishes that expect a confirm (every WebSocket publish does; server). */
  receivedConfirm = 0;
  /** Publishes confirmed to their publisher (server). */
  confirmed = 0;
  /** Deliveries to consumers, by ack mode (server). */
  deliveredConsumeManualAck = 0;
  deliveredConsumeAutoAck = 0;
  /** Messages taken by a get, by ack mode, and gets that found the queue empty (server). */
  deliveredGetManualAck = 0;
  deliveredGetAutoAck = 0;
  getEmpty = 0;
  /** Deliveries of a message delivered before (server). */
  redelivered = 0;
  /** Deliveries settled with an ack (server). */
  acknowledged = 0;
  queuesDeclared = 0;
  queuesCreated = 0;
  queuesDeleted = 0;
  /** Client connections opened and closed (server). */
  connectionsOpened = 0;
  connectionsClosed = 0;
  /** Messages that left a queue dead, by reason and by whether a dead-letter exchange took them. */
  readonly deadLettered: Record<DeathReason, Record<DeadLetterStrategy, number>> = {
    rejected: { disabled: 0, at_most_once: 0, at_least_once: 0 },
    expired: { disabled: 0, at_most_once: 0, at_least_once: 0 },
    maxlen: { disabled: 0, at_most_once: 0, at_least_once: 0 },
    delivery_limit: { disabled: 0, at_most_once: 0, at_least_once: 0 },
    retries_exhausted: { disabled: 0, at_most_once: 0, at_least_once: 0 },
  };
  /** Published body sizes: per MESSAGE_SIZE_BUCKETS bound (not cumulative), then the +Inf bucket. */
  readonly messageSizes = new Float64Array(MESSAGE_SIZE_BUCKETS.length + 1);
  messageBytes = 0;

  published(bodyBytes: number): void {
    this.received++;
    this.messageBytes += bodyBytes;
    let bucket = 0;
    while (bucket < MESSAGE_SIZE_BUCKETS.length && bodyBytes > MESSAGE_SIZE_BUCKETS[bucket]!) bucket++;
    this.messageSizes[bucket] = (this.messageSizes[bucket] ?? 0) + 1;
  }
}
