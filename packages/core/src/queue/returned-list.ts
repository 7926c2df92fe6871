/**
 * Requeued entries, kept sorted by seq so a requeued message goes back to its original place
 * (AMQP 0-9-1 basic.reject/nack: "the server SHOULD ... place the message in its original
 * position"). Every requeued entry has a lower seq than anything not yet delivered, so the
 * next message to deliver is always the head of this list when it has one.
 */
import type { QueueEntry } from '../message.js';

export class ReturnedList {
  private entries: QueueEntry[] = [];

  get length(): number {
    return this.entries.length;
  }

  insert(entry: QueueEntry): void {
    const list = this.entries;
    const last = list[list.length - 1];
    if (last === undefined || last.seq < entry.seq) {
      list.push(entry);
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as QueueEntry).seq < entry.seq) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, entry);
  }

  peek(): QueueEntry | undefined {
    return this.entries[0];
  }

  at(index: number): QueueEntry | undefined {
    return this.entries[index];
  }

  /** Removes and returns the lowest-seq entry. Lists stay short (bounded by prefetch), so shift is fine. */
  shift(): QueueEntry | undefined {
    return this.entries.shift();
  }

  clear(): QueueEntry[] {
    const all = this.entries;
    this.entries = [];
    return all;
  }

  [Symbol.iterator](): IterableIterator<QueueEntry> {
    return this.entries[Symbol.iterator]();
  }
}
