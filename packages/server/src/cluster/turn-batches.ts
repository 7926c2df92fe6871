/**
 * What a node gathers per replicated queue within one event-loop turn, sent as one log command
 * at the end of the turn (setImmediate) or earlier when a batch is full. Publishes
 * (publish-batches.ts) and settles (settle-batches.ts) each keep one.
 */
export class TurnBatches<Q, B> {
  readonly #batches = new Map<Q, B>();
  #scheduled = false;

  constructor(
    private readonly fresh: () => B,
    private readonly send: (queue: Q, batch: B) => void,
  ) {}

  /** The queue's batch of this turn, begun if need be; the end of the turn sends it. */
  of(queue: Q): B {
    let batch = this.#batches.get(queue);
    if (batch === undefined) {
      batch = this.fresh();
      this.#batches.set(queue, batch);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    return batch;
  }

  /** Sends the queue's batch now (it is full, or something must follow it), if it has one. */
  sendNow(queue: Q): void {
    const batch = this.#batches.get(queue);
    if (batch === undefined) return;
    this.#batches.delete(queue);
    this.send(queue, batch);
  }

  /** Sends every batch gathered so far (at the end of the turn, or when the node stops). */
  flush(): void {
    this.#scheduled = false;
    if (this.#batches.size === 0) return;
    const batches = [...this.#batches];
    this.#batches.clear();
    for (const [queue, batch] of batches) this.send(queue, batch);
  }
}
