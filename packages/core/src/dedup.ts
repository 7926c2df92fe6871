/**
 * Publish deduplication (docs/dedup.md). A queue with a dedup window (`x-dedup-window` /
 * `dedup-window`, ms) remembers the publisher's message id of every message it takes, and does
 * not take another with the same id until the window has passed since the first: the window
 * remembers publishes, not messages, so an id stays whether its message was consumed or purged.
 * An id lives where its message does: a queue that survives restarts stores the id of a
 * persistent message right after the message, so both land in one synced store batch and a
 * confirm means the id is on disk too (boot restores it); the id of a message kept in memory
 * only is kept in memory only, and a restart forgets both. Ids that have left the window are
 * pruned as the queue takes publishes, and at boot, so memory is bounded by what one window
 * holds. Which publishes are checked (those whose id the publisher gave, routed at once) is
 * message-paths.ts's call.
 */
import type { Clock, DedupRecord, Store } from './ports.js';
import type { Queue } from './queue/queue.js';

/** What a queue's window holds for a message id: nothing, or a copy in memory only, or one on disk. */
export const Held = { No: 0, InMemory: 1, OnDisk: 2 } as const;
export type Held = (typeof Held)[keyof typeof Held];

class Window {
  /** id → when the queue took it (ms); a Map iterates oldest first. */
  readonly taken = new Map<string, number>();
  /** Of a queue that survives restarts, the ids it did not store (their messages were transient). */
  readonly inMemory = new Set<string>();
}

export class Deduplication {
  /** Keyed by the queue object, so a deleted queue's window goes with it (its stored ids go with its messages). */
  private readonly windows = new WeakMap<Queue, Window>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** What `queue`'s window of `window` ms holds for `id`; prunes the ids that have left it first. */
  holds(queue: Queue, window: number, id: string): Held {
    const w = this.windows.get(queue);
    if (w === undefined) return Held.No;
    const after = this.clock.now() - window;
    this.prune(queue, w, after);
    const at = w.taken.get(id);
    if (at === undefined) return Held.No;
    if (at <= after) {
      // Out of the window yet not pruned: after a clock step back or a shorter window the map is not in expiry order.
      this.forget(queue, w, id);
      return Held.No;
    }
    return queue.survivesRestart && !w.inMemory.has(id) ? Held.OnDisk : Held.InMemory;
  }

  /** Remembers that `queue` took the message `id` now, once holds() said it does not hold it. */
  remember(queue: Queue, id: string, persistent: boolean): void {
    let w = this.windows.get(queue);
    if (w === undefined) {
      w = new Window();
      this.windows.set(queue, w);
    }
    const now = this.clock.now();
    w.taken.set(id, now);
    if (!queue.survivesRestart) return;
    if (!persistent) {
      w.inMemory.add(id);
      return;
    }
    if (w.inMemory.size > 0) w.inMemory.delete(id);
    this.store.putDedupId(queue.record.id, id, now);
  }

  /** At boot: the ids stored for a recovered queue; those outside its window now are deleted. */
  restore(queue: Queue, records: DedupRecord[]): void {
    if (records.length === 0) return;
    const window = queue.settings.dedupWindow ?? 0;
    const after = this.clock.now() - window;
    const w = new Window();
    for (const { id, at } of records.sort((a, b) => a.at - b.at)) {
      if (window > 0 && at > after) w.taken.set(id, at);
      else this.store.deleteDedupId(queue.record.id, id);
    }
    if (w.taken.size > 0) this.windows.set(queue, w);
  }

  private prune(queue: Queue, w: Window, after: number): void {
    for (const [id, at] of w.taken) {
      if (at > after) return;
      this.forget(queue, w, id);
    }
  }

  private forget(queue: Queue, w: Window, id: string): void {
    w.taken.delete(id);
    if (!queue.survivesRestart) return;
    if (w.inMemory.size > 0 && w.inMemory.delete(id)) return;
    this.store.deleteDedupId(queue.record.id, id);
  }
}
