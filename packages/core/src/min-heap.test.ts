import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';

function drain<T>(heap: MinHeap<T>): T[] {
  const out: T[] = [];
  while (heap.size > 0) {
    expect(heap.peek()).toBeDefined();
    const key = heap.peekKey();
    out.push(heap.pop() as T);
    if (heap.size > 0) expect(heap.peekKey()).toBeGreaterThanOrEqual(key);
  }
  expect(heap.peekKey()).toBe(Number.POSITIVE_INFINITY);
  return out;
}

/** Keys with their push positions, sorted as the heap must give them back: by key, then pushed first. */
function expected(keys: number[]): number[] {
  return keys.map((key, i) => ({ key, i })).sort((a, b) => a.key - b.key || a.i - b.i).map((e) => e.i);
}

describe('MinHeap', () => {
  it('pops by key, equal keys in push order, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 })), (keys) => {
        const heap = new MinHeap<number>();
        keys.forEach((key, i) => heap.push(i, key));
        expect(drain(heap)).toEqual(expected(keys));
      }),
    );
  });

  it('pops in order after pushAll, mixed with single pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 })), fc.array(fc.integer({ min: -5, max: 5 })), (single, bulk) => {
        const heap = new MinHeap<number>();
        single.forEach((key, i) => heap.push(i, key));
        const keys = [...single, ...bulk];
        const handles = heap.pushAll(bulk.map((_, j) => single.length + j), (i) => keys[i]!);
        expect(handles.map((h) => heap.get(h))).toEqual(bulk.map((_, j) => single.length + j));
        expect(drain(heap)).toEqual(expected(keys));
      }),
    );
  });

  it('keeps its order when any entries are removed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.boolean())), (items) => {
        const heap = new MinHeap<number>();
        const entries = items.map(([key], i) => heap.push(i, key));
        items.forEach(([, drop], i) => drop && expect(heap.remove(entries[i]!)).toBe(true));
        const kept = expected(items.map(([key]) => key)).filter((i) => !items[i]![1]);
        expect(heap.size).toBe(kept.length);
        expect(drain(heap)).toEqual(kept);
      }),
    );
  });

  it('keeps its order when entries move to earlier or later keys, a moved one tying as if pushed last', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.option(fc.integer({ min: -5, max: 5 })))), (items) => {
        const heap = new MinHeap<string>();
        const entries = items.map(([key], i) => heap.push(`${i}`, key));
        const final: { value: string; key: number; rank: number }[] = items.map(([key], i) => ({ value: `${i}`, key, rank: i }));
        items.forEach(([, next], i) => {
          if (next === null) return;
          expect(heap.update(entries[i]!, `${i}'`, next)).toBe(true);
          expect(heap.get(entries[i]!)).toBe(`${i}'`);
          final[i] = { value: `${i}'`, key: next, rank: items.length + i };
        });
        expect(drain(heap)).toEqual(final.sort((a, b) => a.key - b.key || a.rank - b.rank).map((e) => e.value));
      }),
    );
  });

  it('walks its items in order without changing itself, and can stop early', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 })), fc.nat(), (keys, take) => {
        const heap = new MinHeap<number>();
        keys.forEach((key, i) => heap.push(i, key));
        const sorted = expected(keys);
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

  it('refuses to remove or update through a handle whose item has left', () => {
    const heap = new MinHeap<string>();
    const held = heap.push('held', 1);
    expect(heap.remove(7)).toBe(false);
    expect(heap.update(-1, 'x', 0)).toBe(false);
    expect(heap.pop()).toBe('held');
    expect(heap.has(held)).toBe(false);
    expect(heap.get(held)).toBeUndefined();
    expect(heap.remove(held)).toBe(false);
    expect(heap.update(held, 'again', 0)).toBe(false);
    expect(heap.size).toBe(0);
  });

  it('grows past its first capacity and reuses the handles of items that left', () => {
    const heap = new MinHeap<number>();
    const handles = Array.from({ length: 1_000 }, (_, i) => heap.push(i, 1_000 - i));
    for (const handle of handles.slice(0, 500)) expect(heap.remove(handle)).toBe(true);
    const again = Array.from({ length: 500 }, (_, i) => heap.push(1_000 + i, -i));
    expect(new Set([...handles.slice(500), ...again]).size).toBe(1_000);
    expect(Math.max(...again)).toBeLessThan(1_000);
    expect(drain(heap)).toEqual([...Array.from({ length: 500 }, (_, i) => 1_499 - i), ...Array.from({ length: 500 }, (_, i) => 999 - i)]);
  });
});
