/**
 * Consume family: start and cancel consumers, deliveries, their settlement (ack, nack, reject,
 * retry) and the renewal of their ack lease (extend). Delivery tags are per connection, start at
 * 1 and increase by 1.
 */
import { bool, frame, QUEUE_NAME, request, str, table, uint, type JsonSchema } from './schema.js';
import type { MessageProperties } from './publish.js';

/**
 * The shortest ack lease, ms. A lease of a few ms turns every unsettled delivery into a
 * redelivery loop that keeps the broker busy for as long as the consumer stays (found by the
 * frame fuzzer); 100 ms bounds that to ten redeliveries a second per message.
 */
export const MIN_ACK_LEASE_MS = 100;

export interface ConsumeFrame {
  type: 'consume';
  id: number;
  queue: string;
  /** Empty or absent: the broker names the consumer. */
  consumer_tag?: string;
  /** Unacked deliveries this consumer may hold; 0 means no limit. */
  prefetch?: number;
  /** Deliveries count as acked when sent (AMQP no-ack). */
  no_ack?: boolean;
  exclusive?: boolean;
  arguments?: Record<string, unknown>;
  /**
   * Ack lease of each delivery, ms: one not settled in time is taken back. Overrides the
   * queue's `x-ack-timeout` / policy `ack-timeout`; 0 means no lease for this consumer.
   */
  ack_timeout?: number;
}

export interface CancelFrame {
  type: 'cancel';
  id: number;
  consumer_tag: string;
}

export interface DeliverFrame {
  type: 'deliver';
  consumer_tag: string;
  delivery_tag: number;
  exchange: string;
  routing_key: string;
  redelivered: boolean;
  /** Times this message has been delivered, this delivery included. */
  delivery_count: number;
  properties: MessageProperties;
  headers?: Record<string, unknown>;
}

/** How a failed attempt at a message ended (docs/retry.md, "Attempt log"). */
export type AttemptReason = 'nack' | 'reject' | 'retry' | 'ack_timeout' | 'connection_closed' | 'delivery_limit';

/** One failed attempt, as kept in a message's `x-warren-attempts` header (oldest first). */
export interface AttemptLogEntry {
  /** Numbered from 1 over the message's whole life, across queues. */
  attempt: number;
  /** ms since the epoch. */
  time: number;
  queue: string;
  consumer_tag: string | null;
  connection: string | null;
  reason: AttemptReason;
  /** The consumer's error text, its first 1,024 characters. */
  error: string | null;
}

/** The broker ended a consumer (its queue was deleted, for instance). */
export interface ConsumerCancelledFrame {
  type: 'consumer.cancelled';
  consumer_tag: string;
  code: string;
  message: string;
}

export interface AckFrame {
  type: 'ack';
  delivery_tag: number;
  multiple?: boolean;
}

export interface NackFrame {
  type: 'nack';
  delivery_tag: number;
  multiple?: boolean;
  /** Put the message back in the queue (default true, as AMQP). */
  requeue?: boolean;
  /** Why the attempt failed, kept in the message's `x-warren-attempts` log (the first 1,024 characters). */
  error?: string;
}

export interface RejectFrame {
  type: 'reject';
  delivery_tag: number;
  requeue?: boolean;
  error?: string;
}

/**
 * Gives a delivery back for a later attempt: it returns to the tail of its queue after the
 * queue's retry back-off (or `delay` ms), with its attempt number in the `x-warren-attempt`
 * header; after the last attempt it is dead-lettered with reason `retries_exhausted`.
 */
export interface RetryFrame {
  type: 'retry';
  delivery_tag: number;
  delay?: number;
  error?: string;
}

/** Renews the ack lease of a delivery: it now expires `ms` from when the broker reads this frame. */
export interface ExtendFrame {
  type: 'extend';
  delivery_tag: number;
  ms: number;
}

const deliveryTag: JsonSchema = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
/** Longer texts are accepted and cut to 1,024 characters by the broker; the frame limit bounds them. */
const attemptError: JsonSchema = { type: 'string' };
const leaseMs: JsonSchema = { type: 'integer', minimum: MIN_ACK_LEASE_MS, maximum: 0xffffffff };

export const consumeSchemas: Record<string, JsonSchema> = {
  consume: request(
    'consume',
    {
      queue: QUEUE_NAME,
      consumer_tag: str(),
      prefetch: { type: 'integer', minimum: 0, maximum: 65535 },
      no_ack: bool,
      exclusive: bool,
      arguments: table,
      ack_timeout: { type: 'integer', minimum: 0, maximum: 0xffffffff },
    },
    ['queue'],
  ),
  cancel: request('cancel', { consumer_tag: str() }, ['consumer_tag']),
  ack: frame('ack', { delivery_tag: deliveryTag, multiple: bool }, ['delivery_tag']),
  nack: frame('nack', { delivery_tag: deliveryTag, multiple: bool, requeue: bool, error: attemptError }, ['delivery_tag']),
  reject: frame('reject', { delivery_tag: deliveryTag, requeue: bool, error: attemptError }, ['delivery_tag']),
  retry: frame('retry', { delivery_tag: deliveryTag, delay: { type: 'integer', minimum: 0, maximum: 0xffffffff }, error: attemptError }, ['delivery_tag']),
  extend: frame('extend', { delivery_tag: deliveryTag, ms: leaseMs }, ['delivery_tag', 'ms']),
};

export const deliverSchema: JsonSchema = frame(
  'deliver',
  { consumer_tag: str(), delivery_tag: deliveryTag, exchange: str(), routing_key: str(), redelivered: bool, delivery_count: uint, headers: table },
  ['consumer_tag', 'delivery_tag'],
);
