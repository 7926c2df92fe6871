/**
 * A FIFO with O(1) push and shift. Array.prototype.shift is O(n) on large arrays, which the
 * hot path cannot afford with 100,000 messages in RAM; this keeps a head index instead and
 * compacts once the dead prefix outweighs the live part.
 */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  /** The item `index` places behind the head. */
  at(index: number): T | undefined {
    return index < 0 ? undefined : this.items[this.head + index];
  }

  peekLast(): T | undefined {
    return this.items[this.items.length - 1];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): T[] {
    const live = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return live;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
