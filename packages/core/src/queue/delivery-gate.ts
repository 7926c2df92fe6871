/**
 * Holds a delivery until what delivery-record.ts wrote for it is applied in the store, so that a
 * message that crashes its consumer or the broker on every try still reaches its delivery-limit
 * across restarts (docs/dead-lettering.md, "Delivery counts survive restarts"). Deliveries are
 * grouped by dispatch round: a round that wrote something waits for the store batch current
 * when it ends (group commit: one batch for everything written meanwhile); a round that wrote
 * nothing waits only for the rounds before it, so each consumer still gets its messages in
 * dispatch order and a wait never spreads to the rounds after it. With nothing held,
 * deliveries pass at once.
 */
import type { QueueEntry } from '../message.js';
import type { Store } from '../ports.js';
import type { Consumer } from './consumer.js';

interface Held {
  consumer: Consumer;
  entry: QueueEntry;
}

interface Round {
  held: Held[];
  ready: boolean;
}

export class DeliveryGate {
  /** Deliveries of the round under way. */
  private open: Held[] = [];
  private openMustWait = false;
  /** Sealed rounds not yet released, oldest first; the first stays listed while it is released. */
  private readonly rounds: Round[] = [];
  private releasing = false;

  constructor(
    private readonly store: Store,
    private readonly release: (consumer: Consumer, entry: QueueEntry) => void,
    private readonly failed: (error: Error) => void,
  ) {}

  /** Delivers now, or holds the delivery when writes must land first or earlier deliveries are held. */
  send(consumer: Consumer, entry: QueueEntry, mustWait: boolean): void {
    if (this.admit(consumer, entry, mustWait)) this.release(consumer, entry);
  }

  /** As send, but a delivery that may go now is left to the caller: true means deliver it yourself, at once. */
  admit(consumer: Consumer, entry: QueueEntry, mustWait: boolean): boolean {
    if (!mustWait && this.rounds.length === 0 && this.open.length === 0) return true;
    this.open.push({ consumer, entry });
    if (mustWait) this.openMustWait = true;
    return false;
  }

  /** Ends a dispatch round. */
  seal(): void {
    if (this.open.length === 0) return;
    const round: Round = { held: this.open, ready: !this.openMustWait };
    this.open = [];
    this.openMustWait = false;
    this.rounds.push(round);
    if (round.ready) {
      this.releaseReady();
      return;
    }
    this.store.commit().onSettled((error) => {
      // The writes may be lost to a crash now; holding the messages back would not make them safer.
      if (error) this.failed(error);
      round.ready = true;
      this.releaseReady();
    });
  }

  private releaseReady(): void {
    // A release may dispatch, and so seal a round: the loop below takes it in turn.
    if (this.releasing) return;
    this.releasing = true;
    try {
      for (let round = this.rounds[0]; round?.ready === true; round = this.rounds[0]) {
        for (const { consumer, entry } of round.held) this.release(consumer, entry);
        this.rounds.shift();
      }
    } finally {
      this.releasing = false;
    }
  }
}
