/**
 * A binary min-heap for the scheduler's due times: O(log n) push, pop, remove and update, O(n)
 * to build from many items at once, and an in-order walk that does not change it. It remembers where each item sits, so an item (compared by
 * identity, each pushed at most once) can be removed or replaced without a search.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly positions = new Map<T, number>();

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return this.positions.has(item);
  }

  push(item: T): void {
    this.place(item, this.items.length);
    this.siftUp(this.items.length - 1);
  }

  /**
   * Adds many items at once in O(n + k): at boot, a restart's worth of records. Positions are
   * recorded once at the end, not on every swap: at 100,000 items the map is most of the cost.
   */
  pushAll(items: Iterable<T>): void {
    const all = this.items;
    for (const item of items) all.push(item);
    const compare = this.compare;
    for (let start = (all.length >> 1) - 1; start >= 0; start--) {
      const item = all[start] as T;
      let i = start;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= all.length) break;
        const right = left + 1;
        const child = right < all.length && compare(all[right] as T, all[left] as T) < 0 ? right : left;
        if (compare(all[child] as T, item) >= 0) break;
        all[i] = all[child] as T;
        i = child;
      }
      all[i] = item;
    }
    all.forEach((item, i) => this.positions.set(item, i));
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  /** Takes an item out wherever it sits; false when it is not in the heap. */
  remove(item: T): boolean {
    const i = this.positions.get(item);
    if (i === undefined) return false;
    this.removeAt(i);
    return true;
  }

  /** Puts `replacement` where `item` was and restores the order (its key may have moved either way). */
  update(item: T, replacement: T): boolean {
    const i = this.positions.get(item);
    if (i === undefined) return false;
    this.positions.delete(item);
    this.place(replacement, i);
    this.restore(i);
    return true;
  }

  /**
   * Items in ascending order, lazily, without changing the heap: a best-first walk that costs
   * O(log k) per item taken, so the first page of a large heap is cheap. The heap must not change
   * while the walk is in progress.
   */
  *ordered(): Generator<T> {
    const items = this.items;
    if (items.length === 0) return;
    const frontier = new MinHeap<number>((a, b) => this.compare(items[a] as T, items[b] as T));
    frontier.push(0);
    for (let i = frontier.pop(); i !== undefined; i = frontier.pop()) {
      yield items[i] as T;
      const left = 2 * i + 1;
      if (left < items.length) frontier.push(left);
      if (left + 1 < items.length) frontier.push(left + 1);
    }
  }

  private removeAt(i: number): void {
    const items = this.items;
    this.positions.delete(items[i] as T);
    const last = items.pop() as T;
    if (i === items.length) return;
    this.place(last, i);
    this.restore(i);
  }

  private restore(i: number): void {
    if (i > 0 && this.compare(this.items[i] as T, this.items[(i - 1) >> 1] as T) < 0) this.siftUp(i);
    else this.siftDown(i);
  }

  private siftUp(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i] as T, items[parent] as T) >= 0) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const items = this.items;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.compare(items[left] as T, items[smallest] as T) < 0) smallest = left;
      if (right < items.length && this.compare(items[right] as T, items[smallest] as T) < 0) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as T;
    this.place(this.items[j] as T, i);
    this.place(a, j);
  }

  private place(item: T, i: number): void {
    this.items[i] = item;
    this.positions.set(item, i);
  }
}
