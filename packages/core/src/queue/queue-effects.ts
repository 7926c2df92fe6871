/**
 * What the queue machine asks of the world while it applies a command (queue-command.ts): store
 * writes, deliveries, dead-letters, retries, timers. The machine only calls these; it never waits
 * for one or reads anything back, so the same commands give the same calls in the same order. The
 * shell carries them out: the local one (queue.ts, local-queue-shell.ts) against the Store, the
 * connections and the Clock; a replicated one would deliver only on the leader and keep its
 * messages in its Raft log. `RecordedEffects` (recorded-effects.ts) keeps them as data.
 */
import type { DeathReason } from '../dead-letter.js';
import type { Message, QueueEntry } from '../message.js';
import type { Store } from '../ports.js';
import type { QueueTimer } from './queue-command.js';
import type { Consumer } from './consumer.js';

/** The store writes a queue makes; each is queued, and group commit applies them in order. */
export type QueueWrites = Pick<Store, 'putMessage' | 'deleteMessage' | 'purgeMessages'>;

export interface QueueEffects {
  readonly writes: QueueWrites;
  /**
   * A delivery leaves the queue for `consumer`. `durableCount`: its delivery must be counted on
   * disk before it goes out (a persistent message of a durable queue: delivery-record.ts), so
   * the shell may hold it. True: it may go at once, and the machine hands it over now; false:
   * the shell holds it and answers with a hand-over command when it lets it out.
   */
  send(consumer: Consumer, entry: QueueEntry, durableCount: boolean): boolean;
  /** The dispatch round that sent deliveries ended (the shell groups what it holds by round). */
  endRound(): void;
  /**
   * A round stopped at the consumers' share with messages still ready: the shell applies a
   * dispatch command soon, once the connections that filled up meanwhile were heard (credit).
   */
  dispatchLater(): void;
  /** Gives the consumer's connection the delivery (after the hand-over). */
  deliver(consumer: Consumer, entry: QueueEntry): void;
  /** The queue took an unsettled delivery back (its ack lease ran out). */
  revoked(consumer: Consumer, entry: QueueEntry): void;
  /** The queue ended the consumer (it was deleted). */
  cancelled(consumer: Consumer, message: string): void;
  /** Republishes a message leaving the queue to its dead-letter exchange, if it has one. */
  deadLetter(message: Message, reason: DeathReason): void;
  /** Brings the message back to the queue after `delay` ms (a retry-due command). */
  scheduleRetry(message: Message, delay: number): void;
  /** The queue went unused for its x-expires: the vhost deletes it. */
  expired(): void;
  /**
   * Arms the queue's timer of this kind to fire at `due` (ms since the epoch), replacing the one
   * armed before; `due` = Infinity disarms it. When it fires, the shell applies a timer command.
   */
  setTimer(timer: QueueTimer, due: number): void;
  /** The broker stops: what the shell keeps about deliveries (the delivery mark) is left exact. */
  stopped(): void;
}
