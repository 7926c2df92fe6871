/**
 * Publish deduplication (docs/dedup.md). A queue with a dedup window (`x-dedup-window` /
 * `dedup-window`, ms) remembers the publisher's message id of every message it takes, and does
 * not take another with the same id until the window has passed since the first: the window
 * remembers publishes, not messages, so an id stays whether its message was consumed, purged or
 * (transient) lost in a restart. A queue that survives restarts stores each id right after the
 * message, so both land in one store batch and a confirm means the id is on disk too; boot
 * restores them. Ids that have left the window are pruned as the queue takes publishes, and at
 * boot, so memory is bounded by what one window holds. Which publishes are checked (those whose
 * id the publisher gave, routed at once) is message-paths.ts's call.
 */
import type { Clock, DedupRecord, Store } from './ports.js';
import type { Queue } from './queue/queue.js';

/** A queue's remembered ids → when it took each (ms); a Map iterates oldest first. */
type Seen = Map<string, number>;

export class Deduplication {
  /** Keyed by the queue object, so a deleted queue's window goes with it (its stored ids go with its messages). */
  private readonly windows = new WeakMap<Queue, Seen>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Whether `queue`'s window of `window` ms holds `id`; prunes the ids that have left it first. */
  holds(queue: Queue, window: number, id: string): boolean {
    const seen = this.windows.get(queue);
    if (seen === undefined) return false;
    const after = this.clock.now() - window;
    this.prune(queue, seen, after);
    const at = seen.get(id);
    if (at === undefined) return false;
    if (at > after) return true;
    // Out of the window yet not pruned: after a clock step back or a shorter window the map is not in expiry order.
    this.forget(queue, seen, id);
    return false;
  }

  /**
   * Remembers that `queue` took the message `id` now, once holds() said it does not hold it; a
   * queue that survives restarts stores it, synced with a persistent message.
   */
  remember(queue: Queue, id: string, persistent: boolean): void {
    let seen = this.windows.get(queue);
    if (seen === undefined) {
      seen = new Map();
      this.windows.set(queue, seen);
    }
    const now = this.clock.now();
    seen.set(id, now);
    if (queue.survivesRestart) this.store.putDedupId(queue.record.id, id, now, persistent);
  }

  /** At boot: the ids stored for a recovered queue; those outside its window now are deleted. */
  restore(queue: Queue, records: DedupRecord[]): void {
    if (records.length === 0) return;
    const window = queue.settings.dedupWindow ?? 0;
    const after = this.clock.now() - window;
    const seen: Seen = new Map();
    for (const { id, at } of records.sort((a, b) => a.at - b.at)) {
      if (window > 0 && at > after) seen.set(id, at);
      else this.store.deleteDedupId(queue.record.id, id);
    }
    if (seen.size > 0) this.windows.set(queue, seen);
  }

  private prune(queue: Queue, seen: Seen, after: number): void {
    for (const [id, at] of seen) {
      if (at > after) return;
      this.forget(queue, seen, id);
    }
  }

  private forget(queue: Queue, seen: Seen, id: string): void {
    seen.delete(id);
    if (queue.survivesRestart) this.store.deleteDedupId(queue.record.id, id);
  }
}
