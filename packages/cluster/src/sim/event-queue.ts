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

  #push(item: Timed): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): Timed {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.#less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.#less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
