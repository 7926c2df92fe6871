/**
 * The settles (acks, nacks, rejects) of a node's consumers, gathered per replicated queue within
 * one event-loop turn and proposed as one log command: `settles`, applied as each of its settles
 * in order (docs/replication.md), or a lone `settle`. A consumer acking a stream of deliveries so
 * costs one log entry, one forwarded proposal and one commit per turn instead of one per message
 * (docs/performance.md, "The replicated hot path").
 */
import type { QueueLogCommand, SettleItem } from '@warren/cluster';
import { TurnBatches } from './turn-batches.js';

/** At most this many settles in one command: a turn that gathers more proposes several. */
export const MAX_SETTLES_PER_COMMAND = 1_024;

interface Batch<T> {
  readonly settles: SettleItem[];
  /** What the caller wants back with each settle once its command is done (undefined: nothing). */
  readonly tags: (T | undefined)[];
}

export class SettleBatches<Q, T> {
  readonly #batches = new TurnBatches<Q, Batch<T>>(
    () => ({ settles: [], tags: [] }),
    (queue, batch) => this.#send(queue, batch),
  );

  /** `propose`: sends the command of one queue's batch; `tags` line up with its settles. */
  constructor(private readonly propose: (queue: Q, command: QueueLogCommand, settles: readonly SettleItem[], tags: readonly (T | undefined)[]) => void) {}

  add(queue: Q, settle: SettleItem, tag?: T): void {
    const batch = this.#batches.of(queue);
    batch.settles.push(settle);
    batch.tags.push(tag);
    if (batch.settles.length >= MAX_SETTLES_PER_COMMAND) this.#batches.sendNow(queue);
  }

  /** Proposes what is gathered now (at the end of the turn, or when the node stops). */
  flush(): void {
    this.#batches.flush();
  }

  #send(queue: Q, { settles, tags }: Batch<T>): void {
    const now = Date.now();
    const command: QueueLogCommand = settles.length === 1 ? { t: 'settle', ...settles[0]!, now } : { t: 'settles', now, settles };
    this.propose(queue, command, settles, tags);
  }
}
