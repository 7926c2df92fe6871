/**
 * The publishes of a connection that await their answer, by seq. Seqs are handed out one by one
 * and answered mostly in order (cumulative acks), so they sit in an array from the oldest:
 * adding is a push and a cumulative ack shifts from the front. A Map keyed by seq did the same
 * work in several times the time, rehashing as seqs came and went.
 */
export class Unconfirmed<T> {
  /** Entry i is seq `first + i - head`; undefined once answered out of order. */
  private entries: (T | undefined)[] = [];
  private head = 0;
  private first = 1;
  private open = 0;

  /** Unanswered entries. */
  get size(): number {
    return this.open;
  }

  /** Adds the next seq's entry; seqs must come one after the other. */
  add(seq: number, entry: T): void {
    if (this.open === 0) {
      this.entries = [];
      this.head = 0;
      this.first = seq;
    }
    this.entries.push(entry);
    this.open++;
  }

  get(seq: number): T | undefined {
    const index = seq - this.first + this.head;
    return index >= this.head && index < this.entries.length ? this.entries[index] : undefined;
  }

  /** Removes one seq's entry and returns it. */
  take(seq: number): T | undefined {
    const entry = this.get(seq);
    if (entry === undefined) return undefined;
    this.entries[seq - this.first + this.head] = undefined;
    this.open--;
    this.trim();
    return entry;
  }

  /** Removes every entry up to and including `seq`, oldest first, calling `each` with it. */
  takeUpTo(seq: number, each: (seq: number, entry: T) => void): void {
    while (this.head < this.entries.length && this.first <= seq) {
      const entry = this.entries[this.head];
      this.entries[this.head++] = undefined;
      const at = this.first++;
      if (entry !== undefined) {
        this.open--;
        each(at, entry);
      }
    }
    this.trim();
  }

  /** Removes and returns every entry, oldest first. */
  clear(): T[] {
    const rest = this.entries.slice(this.head).filter((entry): entry is T => entry !== undefined);
    this.entries = [];
    this.head = 0;
    this.open = 0;
    return rest;
  }

  /** Skips answered entries at the front, and drops the consumed prefix once it is most of the array. */
  private trim(): void {
    while (this.head < this.entries.length && this.entries[this.head] === undefined) {
      this.head++;
      this.first++;
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
