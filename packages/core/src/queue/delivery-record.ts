/**
 * What a durable queue writes before a delivery of a persistent message goes out, so that a
 * crash never loses a delivery from the message's count (docs/dead-lettering.md, "Delivery
 * counts survive restarts"). Two records, both through the Store port:
 *
 * - the queue's delivery mark: every stored message with seq <= mark counts as delivered once
 *   more than its own record says. It is written ahead of the deliveries, STEP seqs at a time
 *   and renewed halfway, so first deliveries (nearly all of them) cost no write of their own
 *   and rarely wait; the price is that after a crash up to STEP messages that were next in
 *   line come back counted as delivered once (with `redelivered` set). A graceful stop pulls
 *   the mark back to the last seq delivered, so only a crash costs that.
 * - a message's own count, written on its redeliveries only: deliveryCount - 1, the mark
 *   adding the delivery under way.
 *
 * The gate (delivery-gate.ts) holds a delivery until what it needs is applied.
 */
import type { QueueEntry } from '../message.js';
import type { Store } from '../ports.js';

const STEP = 2048;

export class DeliveryRecord {
  /** The highest mark written. */
  private queued = 0;
  /** The highest mark known to be applied. */
  private applied = 0;
  /** The mark a graceful stop leaves: every seq delivered in this run, and the mark found at boot. */
  private needed = 0;

  constructor(
    private readonly store: Store,
    private readonly queueId: string,
  ) {}

  /**
   * At boot: the mark found. A mark past the last stored seq would count messages published
   * from now on, so it is pulled back to that seq.
   */
  recover(deliveredUpTo: number, lastSeq: number): number {
    const mark = Math.min(deliveredUpTo, lastSeq);
    this.queued = mark;
    this.applied = mark;
    this.needed = mark;
    if (deliveredUpTo > lastSeq) this.store.putDeliveryMark(this.queueId, mark);
    return mark;
  }

  /** The broker is stopping: the mark goes back to what the deliveries so far need. */
  stop(): void {
    if (this.queued <= this.needed) return;
    this.queued = this.needed;
    this.store.putDeliveryMark(this.queueId, this.needed);
  }

  /** Writes what the delivery of `entry` (its count already raised) needs; true when it must wait for those writes. */
  record(entry: QueueEntry): boolean {
    if (entry.seq > this.needed) this.needed = entry.seq;
    let wait = false;
    if (entry.deliveryCount > 1) {
      this.store.putDeliveryCount(this.queueId, entry.seq, entry.deliveryCount - 1);
      wait = true;
    }
    if (entry.seq > this.queued - STEP / 2) {
      const mark = entry.seq + STEP;
      this.queued = mark;
      this.store.putDeliveryMark(this.queueId, mark);
      this.store.commit().onSettled((error) => {
        if (error === undefined && mark > this.applied) this.applied = mark;
      });
    }
    return wait || entry.seq > this.applied;
  }
}
