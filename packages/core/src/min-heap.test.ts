import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';

interface Item {
  key: number;
}

const byKey = (a: Item, b: Item) => a.key - b.key;

function drain<T>(heap: MinHeap<T>): T[] {
  const out: T[] = [];
  while (heap.size > 0) out.push(heap.pop()!);
  return out;
}

describe('MinHeap', () => {
  it('pops in sorted order whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        const heap = new MinHeap<number>((a, b) => a - b);
        for (const v of values) heap.push(v);
        expect(drain(heap)).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });

  it('pops in sorted order after pushAll, mixed with single pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.integer()), (bulk, single) => {
        const heap = new MinHeap<Item>(byKey);
        for (const key of single) heap.push({ key });
        heap.pushAll(bulk.map((key) => ({ key })));
        expect(drain(heap).map((item) => item.key)).toEqual([...single, ...bulk].sort((a, b) => a - b));
      }),
    );
  });

  it('keeps its order when any items are removed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.boolean())), (entries) => {
        const heap = new MinHeap<Item>(byKey);
        const items = entries.map(([key, drop]) => ({ item: { key }, drop }));
        for (const { item } of items) heap.push(item);
        for (const { item, drop } of items) if (drop) expect(heap.remove(item)).toBe(true);
        const kept = items.filter((e) => !e.drop).map((e) => e.item.key);
        expect(heap.size).toBe(kept.length);
        expect(drain(heap).map((item) => item.key)).toEqual(kept.sort((a, b) => a - b));
      }),
    );
  });

  it('keeps its order when items are replaced by ones with earlier or later keys', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.option(fc.integer()))), (entries) => {
        const heap = new MinHeap<Item>(byKey);
        const items = entries.map(([key, next]) => ({ item: { key }, next }));
        for (const { item } of items) heap.push(item);
        const final: number[] = [];
        for (const { item, next } of items) {
          if (next === null) final.push(item.key);
          else {
            const replacement = { key: next };
            expect(heap.update(item, replacement)).toBe(true);
            expect(heap.has(item)).toBe(false);
            expect(heap.has(replacement)).toBe(true);
            final.push(next);
          }
        }
        expect(drain(heap).map((item) => item.key)).toEqual(final.sort((a, b) => a - b));
      }),
    );
  });

  it('walks its items in order without changing itself, and can stop early', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.nat(), (values, take) => {
        const heap = new MinHeap<number>((a, b) => a - b);
        for (const v of values) heap.push(v);
        const sorted = [...values].sort((a, b) => a - b);
        expect([...heap.ordered()]).toEqual(sorted);
        const first: number[] = [];
        for (const v of heap.ordered()) {
          if (first.length === take) break;
          first.push(v);
        }
        expect(first).toEqual(sorted.slice(0, take));
        expect(drain(heap)).toEqual(sorted);
      }),
    );
  });

  it('refuses to remove or update an item it does not hold', () => {
    const heap = new MinHeap<Item>(byKey);
    const held = { key: 1 };
    heap.push(held);
    expect(heap.remove({ key: 1 })).toBe(false);
    expect(heap.update({ key: 1 }, { key: 0 })).toBe(false);
    expect(heap.pop()).toBe(held);
    expect(heap.remove(held)).toBe(false);
    expect(heap.size).toBe(0);
  });
});
