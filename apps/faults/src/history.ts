/**
 * Everything the clients did and saw, with the time (ms since the run began): every publish
 * with its outcome (confirmed, nacked, failed, or still open), every delivery with its
 * redelivered flag. The checker reads it once the run is over.
 */
import { performance } from 'node:perf_hooks';

export type Outcome = 'open' | 'confirmed' | 'nacked' | 'failed';

export interface Publish {
  readonly id: string;
  readonly queue: string;
  readonly producer: string;
  readonly at: number;
  outcome: Outcome;
  settledAt?: number;
  /** The nack's or error's code. */
  code?: string;
}

export interface Delivery {
  readonly id: string;
  /** The queue it was consumed from. */
  readonly queue: string;
  readonly consumer: string;
  readonly at: number;
  readonly redelivered: boolean;
}

export class History {
  readonly #t0 = performance.now();
  readonly publishes = new Map<string, Publish>();
  readonly deliveries: Delivery[] = [];

  now(): number {
    return performance.now() - this.#t0;
  }

  published(id: string, queue: string, producer: string): void {
    this.publishes.set(id, { id, queue, producer, at: this.now(), outcome: 'open' });
  }

  settled(id: string, outcome: Exclude<Outcome, 'open'>, code?: string): void {
    const publish = this.publishes.get(id);
    if (publish === undefined || publish.outcome !== 'open') return;
    publish.outcome = outcome;
    publish.settledAt = this.now();
    if (code !== undefined) publish.code = code;
  }

  delivered(id: string, queue: string, consumer: string, redelivered: boolean): void {
    this.deliveries.push({ id, queue, consumer, at: this.now(), redelivered });
  }

  /** Publishes whose outcome is not known yet. */
  get open(): number {
    let open = 0;
    for (const publish of this.publishes.values()) if (publish.outcome === 'open') open++;
    return open;
  }
}
