/**
 * A replicated queue consumer's prefetch, kept on the consumer's own node (docs/cluster.md,
 * "Consumer credit"). The queue's log gives a consumer more credit than its client asked for
 * (`machinePrefetch`), so that the leader need not wait for a settle to be committed before it
 * sends the next message; the consumer's node holds what exceeds the client's prefetch, in the
 * order the leader sent it, and hands it to the client as soon as the client's acks (or nacks)
 * free its prefetch, on this node, without waiting for those settles to commit. The client never
 * holds more than its prefetch unacknowledged. A held delivery is unacknowledged in the log like
 * any other: if the consumer goes down (its connection or its node dies, it cancels) it goes back
 * to the queue, redelivered, exactly as a delivery the client holds.
 */
import type { Consumer, QueueEntry } from '@warren/core';

/**
 * The log's credit is this many times the client's prefetch: the leader keeps sending while
 * (factor − 1) prefetches' worth of settles are still being committed, so a consumer takes about
 * factor × prefetch ÷ commit latency messages a second instead of prefetch ÷ commit latency.
 */
export const CREDIT_FACTOR = 8;
/** At most this many deliveries wait on a consumer's node beyond its prefetch (they are held in memory). */
export const MAX_SURPLUS = 2_000;
/**
 * Below this prefetch a consumer asked for fair dispatch of slow work (RabbitMQ's prefetch 1): a
 * message held for it would wait behind its work while another consumer idles, so its credit in
 * the log is its prefetch, exactly.
 */
export const FAIR_PREFETCH_BELOW = 10;

/** The credit a subscribe gives the consumer in the queue's log, for a client's prefetch (0: unlimited). */
export function machinePrefetch(prefetch: number): number {
  if (prefetch < FAIR_PREFETCH_BELOW) return prefetch;
  return prefetch + Math.min(prefetch * (CREDIT_FACTOR - 1), MAX_SURPLUS);
}

/** One consumer's deliveries on its node: those its client holds, and those waiting for its prefetch. */
export class ConsumerCredit {
  /** Deliveries the client holds, by log id. */
  readonly given = new Map<string, QueueEntry>();
  /** Deliveries waiting on this node for the client's prefetch (or its connection) to have room, in the leader's order. */
  readonly #held = new Map<string, QueueEntry>();

  constructor(private readonly consumer: Consumer) {}

  /** Whether the consumer has this delivery, given to its client or held here. */
  has(id: string): boolean {
    return this.given.has(id) || this.#held.has(id);
  }

  get holding(): number {
    return this.#held.size;
  }

  /** A delivery from the leader: to the client now if it has room and none waits before it, else held. */
  take(entry: QueueEntry): void {
    this.#held.set(entry.message.id, entry);
    this.release();
  }

  /** Hands held deliveries to the client while its prefetch and its connection have room. */
  release(): void {
    const { consumer } = this;
    const { prefetch } = consumer.options;
    for (const [id, entry] of this.#held) {
      if ((prefetch !== 0 && this.given.size >= prefetch) || !consumer.sink.writable) return;
      this.#held.delete(id);
      this.given.set(id, entry);
      consumer.sink.deliver(consumer, entry);
    }
  }

  /** Forgets a held delivery (the queue took it back); false when none is held under that id. */
  dropHeld(id: string): boolean {
    return this.#held.delete(id);
  }

  /** Empties what is held (the consumer is cancelled); the log ids, for the queue to take back. */
  clearHeld(): string[] {
    const ids = [...this.#held.keys()];
    this.#held.clear();
    return ids;
  }
}
