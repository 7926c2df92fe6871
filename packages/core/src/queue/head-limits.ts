/**
 * The limits enforced at a queue's head: message TTL (RabbitMQ classic queues expire messages
 * when they reach the head; so does Warren) with one timer for the head's expiry, and the
 * drop-head overflow of x-max-length / x-max-length-bytes. Both dead-letter what they drop
 * (reasons `expired` and `maxlen`).
 */
import type { QueueEntry } from '../message.js';
import type { Clock } from '../ports.js';
import type { Backlog } from './backlog.js';
import { isOver } from './max-length.js';
import type { Outcomes } from './outcomes.js';
import type { QueueMachine } from './queue-machine.js';
import { expiryOf, hasExpired, mayExpire } from './ttl.js';

export class HeadLimits {
  private cancelTtlTimer: (() => void) | undefined;
  private ttlTimerDue = Number.POSITIVE_INFINITY;

  constructor(
    private readonly queue: QueueMachine,
    /** The queue machine's clock: the command's time, the timer armed as an effect. */
    private readonly clock: Clock,
    private readonly backlog: Backlog,
    private readonly outcomes: Outcomes,
    /** The head's TTL came due: the queue dispatches, which expires it. */
    private readonly due: () => void,
  ) {}

  /** Whether the entry, just taken from the head, has expired (the caller dead-letters it). */
  hasExpired(entry: QueueEntry): boolean {
    return hasExpired(entry, this.queue.settings, this.clock);
  }

  /** drop-head: the oldest ready messages leave (dead-lettered as maxlen) until the queue fits. */
  enforceMaxLength(): void {
    const { settings } = this.queue;
    if (settings.overflow !== 'drop-head' || (settings.maxLength === undefined && settings.maxLengthBytes === undefined)) return;
    let dropped = false;
    while (isOver(settings, this.backlog.count, this.backlog.bytes)) {
      const head = this.backlog.shift();
      if (head === undefined) {
        // The oldest are paged out: their page drops them when it arrives (their dead letters need them).
        this.backlog.maybePageIn(true);
        break;
      }
      this.outcomes.deadLetter(head, 'maxlen');
      dropped = true;
    }
    // The new head may have expired already, or expire before the one the TTL timer waits for
    // (RabbitMQ drops expired messages after a drop-head too: rabbit_amqqueue_process).
    if (dropped) {
      this.expireHead();
      this.armTtlTimer();
    }
  }

  expireHead(): void {
    for (let head = this.backlog.peekHead(); head !== undefined && this.hasExpired(head); head = this.backlog.peekHead()) {
      this.backlog.shift();
      this.outcomes.deadLetter(head, 'expired');
    }
  }

  /** Arms the timer for the head's expiry; when it fires the queue dispatches, which expires it. */
  armTtlTimer(): void {
    const head = this.backlog.peekHead();
    const settings = this.queue.settings;
    const due = head === undefined || this.queue.deleted || !mayExpire(head, settings) ? Number.POSITIVE_INFINITY : expiryOf(head, settings);
    if (due === this.ttlTimerDue) return;
    this.stop();
    this.ttlTimerDue = due;
    if (due === Number.POSITIVE_INFINITY) return;
    this.cancelTtlTimer = this.clock.setTimer(due - this.clock.now(), this.fired);
  }

  private readonly fired = (): void => {
    this.ttlTimerDue = Number.POSITIVE_INFINITY;
    this.cancelTtlTimer = undefined;
    this.due();
  };

  /** When the head's expiry timer is armed for (infinity: not armed), for a snapshot (queue-image.ts). */
  get timerDue(): number {
    return this.ttlTimerDue;
  }

  /** Arms the timer for `due` as a snapshotted queue had it (not necessarily the head's expiry now). */
  restoreTimer(due: number): void {
    this.stop();
    this.ttlTimerDue = Number.POSITIVE_INFINITY;
    if (due === Number.POSITIVE_INFINITY) return;
    this.ttlTimerDue = due;
    this.cancelTtlTimer = this.clock.setTimer(due - this.clock.now(), this.fired);
  }

  stop(): void {
    this.cancelTtlTimer?.();
    this.cancelTtlTimer = undefined;
  }
}
