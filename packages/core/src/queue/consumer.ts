/**
 * A consumer of one queue, and the port through which the queue hands it deliveries. The
 * DeliverySink is the connection (implemented by the server's session); the core knows only
 * whether it can take more and how to give it a message.
 */
import type { QueueEntry, Table } from '../message.js';
import type { Queue } from './queue.js';

export interface DeliverySink {
  /**
   * False while the connection cannot take more (its socket buffer is full, or it is closing).
   * The queue's shell reads it and tells the machine with a credit command.
   */
  readonly writable: boolean;
  /** Gives the consumer an entry. For a no-ack consumer the entry has already left the queue. */
  deliver(consumer: Consumer, entry: QueueEntry): void;
  /** The broker ended the consumer (its queue was deleted). */
  cancelled(consumer: Consumer, code: 'queue_deleted', message: string): void;
  /** The broker took an unsettled delivery back (its ack lease expired); a late settle of it is an error. */
  revoked(consumer: Consumer, entry: QueueEntry): void;
}

export interface ConsumerOptions {
  tag: string;
  /** Unacked deliveries this consumer may hold; 0 means no limit. */
  prefetch: number;
  noAck: boolean;
  exclusive: boolean;
  arguments: Table;
  /** The connection that owns the consumer. */
  owner: string;
  /** Ack lease of each delivery, ms, overriding the queue's ack-timeout; 0: none. */
  ackTimeout?: number;
}

export class Consumer {
  /** Deliveries sent and not yet settled. */
  unacked = 0;
  active = true;
  /** Its connection was full when last heard of (credit commands set it; the shell sets it at attach). */
  blocked = false;
  /** The dispatch round it last got deliveries in, and how many and how many body bytes then (its share). */
  round = 0;
  roundCount = 0;
  roundBytes = 0;

  constructor(
    readonly queue: Queue,
    readonly options: ConsumerOptions,
    readonly sink: DeliverySink,
  ) {}

  get tag(): string {
    return this.options.tag;
  }

  get hasCredit(): boolean {
    const { prefetch } = this.options;
    return this.active && !this.blocked && (prefetch === 0 || this.unacked < prefetch);
  }
}
