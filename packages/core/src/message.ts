/**
 * A message as the broker holds it. Routing never copies it: one Message is shared by every
 * queue it lands in, and each queue wraps it in its own QueueEntry (seq, delivery state).
 */
import type { MessageProperties } from '@warren/protocol';

export type Table = Record<string, unknown>;

export interface Message {
  /** Broker-wide unique id: the publisher's message_id, or a nanoid the broker assigns. */
  readonly id: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: MessageProperties;
  readonly headers: Table | undefined;
  readonly body: Uint8Array;
  /** Survives a restart when it sits in a durable queue (AMQP delivery-mode 2). */
  readonly persistent: boolean;
  /** When it was published (or dead-lettered, or its delay ended): TTLs count from here, ms. */
  readonly publishedAt: number;
}

/** One message's place in one queue. */
export interface QueueEntry {
  /** Position in the queue: increases with every enqueue; requeues go back to their seq. */
  readonly seq: number;
  readonly message: Message;
  redelivered: boolean;
  /** Deliveries so far. */
  deliveryCount: number;
  /** Has a copy in the store, to delete once the message leaves the queue. */
  stored: boolean;
}
