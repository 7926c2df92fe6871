/**
 * The queue machine's effects as a replica sees them: turned from object references into the
 * ids of the log (queue-log.ts), collected for the command being applied, and the deliveries
 * still out kept by message id, so that a later settle naming an id finds its entry. Every
 * member runs the same machine with these effects, so every member knows what is unacked.
 */
import { RecordedEffects, type Consumer, type DeathReason, type Message, type QueueEntry, type QueueTimer, type QueueWrites } from '@warren/core';
import { loggedBody, type QueueLogEffect } from './queue-log.js';

export interface Delivery {
  readonly consumer: Consumer;
  readonly entry: QueueEntry;
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
    this.#out.push({ kind: 'dead-letter', id: message.id, reason });
  }

  override scheduleRetry(message: Message, delay: number): void {
    const effect = { kind: 'retry', id: message.id, body: loggedBody(message.body), delay } as const;
    this.#out.push(message.headers === undefined ? effect : { ...effect, headers: message.headers });
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
