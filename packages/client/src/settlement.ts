/**
 * Settling deliveries (spec: "Consuming"): this connection's unsettled delivery tags, the
 * ack / nack / reject / retry frames that settle them, and the extend frames that renew their
 * ack lease. Settling a settled tag sends nothing, because the server answers an unknown tag with
 * an `unknown_delivery_tag` error; `multiple` settles every unsettled tag up to the given one, as
 * the server does. A failed attempt's error travels as text (docs/retry.md, "Attempt log").
 */
import { WarrenError, type AckFrame, type ExtendFrame, type NackFrame, type RejectFrame, type RetryFrame } from '@warren/protocol/wire';

export type Settle = 'ack' | 'nack' | 'reject' | 'retry';

export interface SettleOptions {
  multiple?: boolean;
  requeue?: boolean;
  delay?: number;
  /** Why the attempt failed: the text, or an Error's message. */
  error?: string | Error;
}

type SettleFrame = AckFrame | NackFrame | RejectFrame | RetryFrame | ExtendFrame;

export class Settlement {
  private readonly unsettled = new Set<number>();

  constructor(private readonly write: (frame: SettleFrame) => void) {}

  /** Tracks a delivery that must be settled (not a no_ack one, settled when sent). */
  track(deliveryTag: number): void {
    this.unsettled.add(deliveryTag);
  }

  isSettled(deliveryTag: number): boolean {
    return !this.unsettled.has(deliveryTag);
  }

  /** Throws `frame_invalid` (settling nothing) when `error` is neither a string nor an Error. */
  settle(kind: Settle, deliveryTag: number, options: SettleOptions): void {
    const error = errorText(options.error);
    const multiple = options.multiple === true && kind !== 'reject' && kind !== 'retry';
    const tag = multiple ? this.settleUpTo(deliveryTag) : this.unsettled.delete(deliveryTag) ? deliveryTag : 0;
    if (tag === 0) return;
    const requeue = options.requeue ?? true;
    const why = error === undefined ? {} : { error };
    if (kind === 'retry') this.write(options.delay === undefined ? { type: 'retry', delivery_tag: tag, ...why } : { type: 'retry', delivery_tag: tag, delay: options.delay, ...why });
    else if (kind === 'reject') this.write({ type: 'reject', delivery_tag: tag, requeue, ...why });
    else if (kind === 'nack') this.write(multiple ? { type: 'nack', delivery_tag: tag, multiple, requeue, ...why } : { type: 'nack', delivery_tag: tag, requeue, ...why });
    else this.write(multiple ? { type: 'ack', delivery_tag: tag, multiple } : { type: 'ack', delivery_tag: tag });
  }

  /**
   * Renews the delivery's ack lease to `ms` from when the broker reads it. Sent even for a tag
   * settled here: the broker's answer (`unknown_delivery_tag`, `delivery_expired`) is the truth.
   */
  extend(deliveryTag: number, ms: number): void {
    this.write({ type: 'extend', delivery_tag: deliveryTag, ms });
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

function errorText(error: unknown): string | undefined {
  if (error === undefined || typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  throw new WarrenError('frame_invalid', `a settle's error must be a string or an Error, not ${typeof error}`);
}
