/**
 * The simulated clock: callbacks due at virtual times, run in time order and, at equal times,
 * in the order they were scheduled, so a run is a pure function of its seed and history.
 */
interface Timed {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

export class EventQueue {
  #now = 0;
  #order = 0;
  readonly #heap: Timed[] = [];

  get now(): number {
    return this.#now;
  }

  get size(): number {
    return this.#heap.length;
  }

  at(time: number, run: () => void): void {
    this.#push({ at: Math.max(time, this.#now), order: this.#order++, run });
  }

  after(delay: number, run: () => void): void {
    this.at(this.#now + delay, run);
  }

  /** Runs events due up to `until`; false when none was left. */
  runUntil(until: number, stop: () => boolean = () => false): void {
    while (this.#heap.length > 0 && this.#heap[0]!.at <= until && !stop()) {
      const next = this.#pop();
      this.#now = next.at;
      next.run();
    }
    if (!stop()) this.#now = Math.max(this.#now, until);
  }

  #less(a: Timed, b: Timed): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  /* Sifts move a hole instead of swapping pairs: the heap is the simulation's hottest loop. */

  #push(item: Timed): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!this.#less(item, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = item;
  }

  #pop(): Timed {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.#less(heap[r]!, heap[l]!) ? r : l;
      if (!this.#less(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
