/**
 * A binary min-heap of timed items (the scheduler's due times, a queue's ack leases): O(log n)
 * push, pop, remove and update, O(n) to build from many items at once, and an in-order walk that
 * does not change it. Equal keys come out in the order they went in.
 *
 * Keys, tie-breaking push numbers and positions live in typed arrays indexed by heap slot or by
 * handle, and an item is named by a numeric handle: a sift then touches a few contiguous arrays
 * instead of one object per level. At 100,000 scheduled messages, with the event loop busy
 * delivering in between, a heap of objects with a position map cost several microseconds per
 * fire in cache misses alone.
 */
export type Handle = number;

/** Small: every queue holds heaps (ack leases), most of them empty; they double as they fill. */
const INITIAL_CAPACITY = 4;

export class MinHeap<T> {
  private length = 0;
  private pushes = 0;
  /** Per heap slot: the key, the push number that breaks ties, and whose slot it is. */
  private keys = new Float64Array(INITIAL_CAPACITY);
  private orders = new Float64Array(INITIAL_CAPACITY);
  private handles = new Int32Array(INITIAL_CAPACITY);
  /** Per handle: its item and its slot (-1 when free). */
  private values: (T | undefined)[] = [];
  private slots = new Int32Array(INITIAL_CAPACITY).fill(-1);
  /** Handles of items that left, given out again before new ones. */
  private readonly free: Handle[] = [];

  get size(): number {
    return this.length;
  }

  /** The smallest key, or +Infinity when empty. */
  peekKey(): number {
    return this.length === 0 ? Number.POSITIVE_INFINITY : (this.keys[0] as number);
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.values[this.handles[0] as number];
  }

  /** Whether the handle names an item in the heap; a handle is valid until its item leaves. */
  has(handle: Handle): boolean {
    return handle >= 0 && handle < this.values.length && (this.slots[handle] as number) >= 0;
  }

  get(handle: Handle): T | undefined {
    return this.has(handle) ? this.values[handle] : undefined;
  }

  push(value: T, key: number): Handle {
    const handle = this.claim(value);
    this.place(this.length++, handle, key, this.pushes++);
    this.siftUp(this.length - 1);
    return handle;
  }

  /** Adds many items at once in O(n + k): at boot, a restart's worth of records. */
  pushAll<V extends T>(values: Iterable<V>, keyOf: (value: V) => number): Handle[] {
    const added: Handle[] = [];
    for (const value of values) {
      const handle = this.claim(value);
      this.place(this.length++, handle, keyOf(value), this.pushes++);
      added.push(handle);
    }
    for (let start = (this.length >> 1) - 1; start >= 0; start--) this.siftDown(start);
    return added;
  }

  pop(): T | undefined {
    if (this.length === 0) return undefined;
    const value = this.values[this.handles[0] as number];
    this.removeAt(0);
    return value;
  }

  /** Takes an item out wherever it sits; false when the handle names nothing in the heap. */
  remove(handle: Handle): boolean {
    if (!this.has(handle)) return false;
    this.removeAt(this.slots[handle] as number);
    return true;
  }

  /**
   * Gives a held item a new value and key, and restores the order (the key may have moved either
   * way); it then ties as if pushed now. False when the handle names nothing in the heap.
   */
  update(handle: Handle, value: T, key: number): boolean {
    if (!this.has(handle)) return false;
    const at = this.slots[handle] as number;
    this.values[handle] = value;
    this.keys[at] = key;
    this.orders[at] = this.pushes++;
    if (at > 0 && this.less(at, (at - 1) >> 1)) this.siftUp(at);
    else this.siftDown(at);
    return true;
  }

  /** Every item with its handle, in no particular order. */
  *entries(): Generator<[Handle, T]> {
    for (let at = 0; at < this.length; at++) {
      const handle = this.handles[at] as number;
      yield [handle, this.values[handle] as T];
    }
  }

  /**
   * Items in ascending order, lazily, without changing the heap: a best-first walk that costs
   * O(log k) per item taken, so the first page of a large heap is cheap. The heap must not change
   * while the walk is in progress.
   */
  *ordered(): Generator<T> {
    if (this.length === 0) return;
    // The frontier holds slots of this heap, keyed and tied as they are here.
    const frontier = new MinHeap<number>();
    const visit = (at: number) => {
      if (at >= this.length) return;
      const handle = frontier.claim(at);
      frontier.place(frontier.length++, handle, this.keys[at] as number, this.orders[at] as number);
      frontier.siftUp(frontier.length - 1);
    };
    visit(0);
    for (let at = frontier.pop(); at !== undefined; at = frontier.pop()) {
      yield this.values[this.handles[at] as number] as T;
      visit(2 * at + 1);
      visit(2 * at + 2);
    }
  }

  private claim(value: T): Handle {
    const handle = this.free.pop() ?? this.values.length;
    if (handle === this.values.length) this.values.push(value);
    else this.values[handle] = value;
    if (handle >= this.slots.length) this.slots = grown(this.slots, handle + 1, -1);
    return handle;
  }

  private place(at: number, handle: Handle, key: number, order: number): void {
    if (at >= this.keys.length) {
      this.keys = grown(this.keys, at + 1, 0);
      this.orders = grown(this.orders, at + 1, 0);
      this.handles = grown(this.handles, at + 1, 0);
    }
    this.keys[at] = key;
    this.orders[at] = order;
    this.handles[at] = handle;
    this.slots[handle] = at;
  }

  private removeAt(at: number): void {
    const handle = this.handles[at] as number;
    this.slots[handle] = -1;
    this.values[handle] = undefined;
    this.free.push(handle);
    const last = --this.length;
    if (at === last) return;
    this.place(at, this.handles[last] as number, this.keys[last] as number, this.orders[last] as number);
    if (at > 0 && this.less(at, (at - 1) >> 1)) this.siftUp(at);
    else this.siftDown(at);
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a] as number;
    const kb = this.keys[b] as number;
    return ka < kb || (ka === kb && (this.orders[a] as number) < (this.orders[b] as number));
  }

  /** Moves the entry at `at` up to its place, shifting parents down rather than swapping. */
  private siftUp(at: number): void {
    const { keys, orders, handles } = this;
    const key = keys[at] as number;
    const order = orders[at] as number;
    const handle = handles[at] as number;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const pk = keys[parent] as number;
      if (pk < key || (pk === key && (orders[parent] as number) < order)) break;
      this.place(at, handles[parent] as number, pk, orders[parent] as number);
      at = parent;
    }
    this.place(at, handle, key, order);
  }

  private siftDown(at: number): void {
    const { keys, orders, handles, length } = this;
    const key = keys[at] as number;
    const order = orders[at] as number;
    const handle = handles[at] as number;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.less(right, left) ? right : left;
      const ck = keys[child] as number;
      if (ck > key || (ck === key && (orders[child] as number) > order)) break;
      this.place(at, handles[child] as number, ck, orders[child] as number);
      at = child;
    }
    this.place(at, handle, key, order);
  }
}

/** A copy of `array` with room for at least `needed` entries, the new ones set to `fill`. */
function grown<A extends Float64Array | Int32Array>(array: A, needed: number, fill: number): A {
  let capacity = array.length * 2;
  while (capacity < needed) capacity *= 2;
  const bigger = new (array.constructor as new (length: number) => A)(capacity);
  bigger.set(array);
  bigger.fill(fill, array.length);
  return bigger;
}
