/**
 * The queue machine's effects as a replica sees them: turned from object references into the
 * ids of the log (queue-log.ts), collected for the command being applied, and the deliveries
 * still out kept by message id, so that a later settle naming an id finds its entry. Every
 * member runs the same machine with these effects, so every member knows what is unacked.
 */
import { deadLettered, RecordedEffects, type Consumer, type DeathReason, type Message, type QueueEntry, type QueueMachine, type QueueTimer, type QueueWrites } from '@warren/core';
import type { QueueLogEffect } from './queue-log.js';

export interface Delivery {
  readonly consumer: Consumer;
  readonly entry: QueueEntry;
}

/** A message that left the queue for its dead-letter exchange, marked (x-death) as it left, not yet routed. */
export interface PendingDeadLetter {
  readonly message: Message;
  readonly reason: DeathReason;
}

/** A message waiting out its retry back-off, and when (the queue's clock) it comes back. */
export interface PendingRetry {
  readonly message: Message;
  readonly due: number;
}

export class ReplicaEffects extends RecordedEffects {
  /**
   * A replicated queue's messages live in its Raft log and its snapshots, on every member, so
   * the machine's store writes have nothing to do.
   */
  override readonly writes: QueueWrites = { putMessage() {}, deleteMessage() {}, purgeMessages() {} };
  /** Message id -> the delivery of it that is out, in delivery order. */
  readonly unacked = new Map<string, Delivery>();
  /** The queue's timers armed now, by their due time: a new leader arms them on its own clock. */
  readonly timers = new Map<QueueTimer, number>();
  /**
   * Dead-letters not yet routed, by message id: the queue keeps them until its leader has routed
   * them and every target has them (a `dead-lettered` command), so a new leader routes them again.
   */
  readonly deadLetters = new Map<string, PendingDeadLetter>();
  /** Retries waiting out their back-off, by message id, kept in the queue so a new leader fires them. */
  readonly retries = new Map<string, PendingRetry>();
  /** The machine these are the effects of: its settings and clock decide a dead-letter's marks. */
  machine: QueueMachine | undefined;
  /** The log index of the command being applied. */
  index = 0;
  #out: QueueLogEffect[] = [];

  push(effect: QueueLogEffect): void {
    this.#out.push(effect);
  }

  /** The effects of the command just applied. */
  drain(): QueueLogEffect[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** Every delivery goes out at once: the log already holds what a delivery count on disk would. */
  override send(): boolean {
    return true;
  }

  override endRound(): void {}

  override dispatchLater(): void {
    this.#out.push({ kind: 'dispatch-later' });
  }

  override deliver(consumer: Consumer, entry: QueueEntry): void {
    const id = entry.message.id;
    if (!consumer.options.noAck) this.unacked.set(id, { consumer, entry });
    this.#out.push({ kind: 'deliver', consumer: consumer.tag, id, redelivered: entry.redelivered, deliveryCount: entry.deliveryCount, index: this.index });
  }

  override revoked(consumer: Consumer, entry: QueueEntry): void {
    this.unacked.delete(entry.message.id);
    this.#out.push({ kind: 'revoked', consumer: consumer.tag, id: entry.message.id });
  }

  override cancelled(consumer: Consumer): void {
    this.#out.push({ kind: 'cancelled', consumer: consumer.tag });
  }

  override deadLetter(message: Message, reason: DeathReason): void {
    const machine = this.machine!;
    const { deadLetterExchange, deadLetterRoutingKey } = machine.settings;
    if (deadLetterExchange !== undefined) {
      // Marked with the queue's clock, so every member keeps the same message.
      const dead = deadLettered(message, machine.name, reason, deadLetterExchange, deadLetterRoutingKey, machine.now);
      this.deadLetters.set(message.id, { message: dead, reason });
    }
    this.#out.push({ kind: 'dead-letter', id: message.id, reason });
  }

  override scheduleRetry(message: Message, delay: number): void {
    const due = this.machine!.now + delay;
    this.retries.set(message.id, { message, due });
    this.#out.push({ kind: 'retry', id: message.id, delay, due });
  }

  override expired(): void {
    this.#out.push({ kind: 'expired' });
  }

  override setTimer(timer: QueueTimer, due: number): void {
    if (due === Number.POSITIVE_INFINITY) this.timers.delete(timer);
    else this.timers.set(timer, due);
    this.#out.push({ kind: 'set-timer', timer, due });
  }

  override stopped(): void {}
}
