/**
 * What becomes of a queue's message that leaves other than by a delivery: acked and forgotten,
 * requeued, retried later, or dead-lettered (RabbitMQ's semantics, docs/dead-lettering.md and
 * docs/retry.md). A failed attempt is written into the message's attempt log on the way. Where
 * a message goes next (a dead-letter exchange, the scheduler) is the shell's business, asked
 * through QueueEffects; the time and the jitter's random number are the queue machine's, from
 * the command being applied.
 */
import type { DeathReason } from '../dead-letter.js';
import type { Message, QueueEntry } from '../message.js';
import { attemptOf, ATTEMPT_HEADER, DEFAULT_ATTEMPT_LOG_LIMIT, withAttempt, type AttemptFailure, type AttemptReason } from './attempt-log.js';
import type { Backlog } from './backlog.js';
import type { Consumer } from './consumer.js';
import type { Settlement } from './queue-command.js';
import type { QueueEffects } from './queue-effects.js';
import type { QueueMachine } from './queue-machine.js';
import { DEFAULT_RETRY, retryDelay, type RetrySettings } from './settings.js';

export class Outcomes {
  /** The jitter's random number: the command's, never Math.random. */
  private readonly drawn = (): number => this.queue.random;

  constructor(
    private readonly queue: QueueMachine,
    private readonly effects: QueueEffects,
    private readonly backlog: Backlog,
  ) {}

  /** `failure`: the attempt failed, and the message carries that in its attempt log from here on. */
  settle(entry: QueueEntry, outcome: Settlement, delay?: number, failure?: AttemptFailure): void {
    const { deliveryLimit, retry } = this.queue.settings;
    if (outcome === 'ack') {
      this.forget(entry);
      return;
    }
    const message = failure === undefined ? entry.message : this.logAttempt(entry.message, failure);
    switch (outcome) {
      case 'requeue':
        if (deliveryLimit !== undefined && entry.deliveryCount > deliveryLimit) {
          this.deadLetter(entry, 'delivery_limit', message);
          return;
        }
        this.backlog.returnEntry(this.requeued(entry, message));
        return;
      case 'drop':
        if (retry !== undefined) this.retry(entry, message, retry);
        else this.deadLetter(entry, 'rejected', message);
        return;
      case 'retry':
        this.retry(entry, message, retry ?? DEFAULT_RETRY, delay);
        return;
    }
  }

  /**
   * A message whose stored delivery count already passed the delivery-limit (each of those
   * deliveries crashed the broker before it was settled) is dead-lettered instead of delivered.
   */
  overDeliveryLimit(entry: QueueEntry): boolean {
    const limit = this.queue.settings.deliveryLimit;
    if (limit === undefined || entry.deliveryCount <= limit) return false;
    const error = `delivered ${entry.deliveryCount} times, none settled`;
    this.deadLetter(entry, 'delivery_limit', this.logAttempt(entry.message, { reason: 'delivery_limit', error }));
    return true;
  }

  /** Writes the message to its dead-letter target first, then drops it here: both land in one store batch. */
  deadLetter(entry: QueueEntry, reason: DeathReason, message: Message = entry.message): void {
    this.effects.deadLetter(message, reason);
    this.forget(entry);
  }

  /** The message is done with here: its stored copy goes. */
  forget(entry: QueueEntry): void {
    if (entry.stored) this.effects.writes.deleteMessage(this.queue.record.id, entry.seq);
  }

  private logAttempt(message: Message, failure: AttemptFailure): Message {
    const { attemptLogLimit } = this.queue.settings;
    return withAttempt(message, this.queue.name, failure, this.queue.now, attemptLogLimit ?? DEFAULT_ATTEMPT_LOG_LIMIT);
  }

  /**
   * The entry as it goes back to the queue. A longer attempt log makes a new message (the old
   * one may sit in other queues too), rewritten in the store in the next batch.
   */
  private requeued(entry: QueueEntry, message: Message): QueueEntry {
    if (message === entry.message) {
      entry.redelivered = true;
      return entry;
    }
    if (entry.stored) this.effects.writes.putMessage(this.queue.record.id, entry.seq, message, this.queue.survivesRestart && message.persistent, false);
    return { ...entry, message, redelivered: true };
  }

  /** Schedules the message's next attempt, or dead-letters it after the last one. */
  private retry(entry: QueueEntry, message: Message, retry: RetrySettings, delay?: number): void {
    const attempt = attemptOf(message);
    if (attempt >= retry.maxAttempts) {
      this.deadLetter(entry, 'retries_exhausted', message);
      return;
    }
    const next: Message = { ...message, headers: { ...message.headers, [ATTEMPT_HEADER]: attempt + 1 } };
    this.effects.scheduleRetry(next, delay ?? retryDelay(retry, attempt, this.drawn));
    this.forget(entry);
  }
}

/** One failed attempt of a consumer's delivery, for the attempt log. */
export function failureOf(consumer: Consumer, reason: AttemptReason, error?: string): AttemptFailure {
  const failure: AttemptFailure = { reason, consumerTag: consumer.tag, connection: consumer.options.owner };
  if (error !== undefined) failure.error = error;
  return failure;
}
