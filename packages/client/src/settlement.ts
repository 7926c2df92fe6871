/**
 * Settling deliveries (spec: "Consuming"): this connection's unsettled delivery tags, and the
 * ack / nack / reject frames that settle them. Settling a settled tag sends nothing, because the
 * server answers an unknown tag with an `unknown_delivery_tag` error; `multiple` settles every
 * unsettled tag up to the given one, as the server does.
 */
import type { AckFrame, NackFrame, RejectFrame, RetryFrame } from '@warren/protocol';

export type Settle = 'ack' | 'nack' | 'reject' | 'retry';

export class Settlement {
  private readonly unsettled = new Set<number>();

  constructor(private readonly write: (frame: AckFrame | NackFrame | RejectFrame | RetryFrame) => void) {}

  /** Tracks a delivery that must be settled (not a no_ack one, settled when sent). */
  track(deliveryTag: number): void {
    this.unsettled.add(deliveryTag);
  }

  isSettled(deliveryTag: number): boolean {
    return !this.unsettled.has(deliveryTag);
  }

  settle(kind: Settle, deliveryTag: number, options: { multiple?: boolean; requeue?: boolean; delay?: number }): void {
    const multiple = options.multiple === true && kind !== 'reject' && kind !== 'retry';
    const tag = multiple ? this.settleUpTo(deliveryTag) : this.unsettled.delete(deliveryTag) ? deliveryTag : 0;
    if (tag === 0) return;
    const requeue = options.requeue ?? true;
    if (kind === 'retry') this.write(options.delay === undefined ? { type: 'retry', delivery_tag: tag } : { type: 'retry', delivery_tag: tag, delay: options.delay });
    else if (kind === 'reject') this.write({ type: 'reject', delivery_tag: tag, requeue });
    else if (kind === 'nack') this.write(multiple ? { type: 'nack', delivery_tag: tag, multiple, requeue } : { type: 'nack', delivery_tag: tag, requeue });
    else this.write(multiple ? { type: 'ack', delivery_tag: tag, multiple } : { type: 'ack', delivery_tag: tag });
  }

  /** The connection ended: the server requeued whatever was unsettled, so nothing is left to send. */
  clear(): void {
    this.unsettled.clear();
  }

  /**
   * Forgets every unsettled tag ≤ limit and returns the highest of them (0 when none), so a
   * multiple settle never names a tag the server already considers settled.
   */
  private settleUpTo(limit: number): number {
    let highest = 0;
    // Not `break` at the first larger tag: a delivery that beat its consume reply is tracked late.
    for (const tag of this.unsettled) {
      if (tag > limit) continue;
      this.unsettled.delete(tag);
      if (tag > highest) highest = tag;
    }
    return highest;
  }
}
