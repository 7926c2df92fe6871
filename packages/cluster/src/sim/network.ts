/**
 * The simulated network between members: each message is delayed, and may be dropped,
 * duplicated, or overtaken by a later one (reordering falls out of independent delays).
 * Partitions are a set of cut directed links, so symmetric, one-way and bridge partitions are
 * all the same mechanism.
 */
import type { NodeId } from '../raft/types.js';
import type { EventQueue } from './event-queue.js';
import type { Prng } from './prng.js';

export interface LinkQuality {
  /** Probability that a message is lost. */
  readonly drop: number;
  /** Probability that a message arrives twice. */
  readonly duplicate: number;
  readonly minDelay: number;
  readonly maxDelay: number;
}

export type Partition =
  | { readonly kind: 'split'; readonly side: readonly NodeId[] }
  | { readonly kind: 'oneWay'; readonly from: NodeId; readonly to: NodeId }
  /** Two halves that only `bridge` can talk to both of. */
  | { readonly kind: 'bridge'; readonly left: readonly NodeId[]; readonly bridge: NodeId };

export class SimNetwork {
  readonly #cut = new Set<string>();
  quality: LinkQuality;
  sent = 0;
  delivered = 0;

  constructor(
    private readonly clock: EventQueue,
    private readonly dice: Prng,
    private readonly members: readonly NodeId[],
    quality: LinkQuality,
  ) {
    this.quality = quality;
  }

  partition(p: Partition): void {
    switch (p.kind) {
      case 'split':
        for (const a of p.side) for (const b of this.members) if (!p.side.includes(b)) this.#cutBoth(a, b);
        return;
      case 'oneWay':
        this.#cut.add(`${p.from}>${p.to}`);
        return;
      case 'bridge':
        for (const a of p.left) for (const b of this.members) if (!p.left.includes(b) && b !== p.bridge && a !== p.bridge) this.#cutBoth(a, b);
    }
  }

  heal(): void {
    this.#cut.clear();
  }

  connected(from: NodeId, to: NodeId): boolean {
    return this.#cut.size === 0 || !this.#cut.has(`${from}>${to}`);
  }

  /** Sends `deliver` across the link, subject to cuts, loss, duplication and delay. */
  send(from: NodeId, to: NodeId, deliver: () => void): void {
    this.sent++;
    if (!this.connected(from, to)) return;
    const q = this.quality;
    if (this.dice.chance(q.drop)) return;
    const copies = this.dice.chance(q.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.clock.after(this.dice.between(q.minDelay, q.maxDelay), () => {
        // A cut made while the message was on the wire loses it too.
        if (!this.connected(from, to)) return;
        this.delivered++;
        deliver();
      });
    }
  }

  #cutBoth(a: NodeId, b: NodeId): void {
    this.#cut.add(`${a}>${b}`);
    this.#cut.add(`${b}>${a}`);
  }
}
