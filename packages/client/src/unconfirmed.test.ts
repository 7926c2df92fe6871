import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Unconfirmed } from './unconfirmed.js';

describe('Unconfirmed', () => {
  it('answers like a Map by seq, for any mix of cumulative and single answers', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), count: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant('take' as const), back: fc.integer({ min: 0, max: 60 }) }),
      fc.record({ kind: fc.constant('upTo' as const), back: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const model = new Map<number, string>();
        const unconfirmed = new Unconfirmed<string>();
        let lastSeq = 0;
        for (const s of steps) {
          if (s.kind === 'add') {
            for (let i = 0; i < s.count; i++) {
              lastSeq++;
              model.set(lastSeq, `m${lastSeq}`);
              unconfirmed.add(lastSeq, `m${lastSeq}`);
            }
          } else if (s.kind === 'take') {
            const seq = lastSeq - s.back;
            const expected = model.get(seq);
            model.delete(seq);
            expect(unconfirmed.take(seq)).toBe(expected);
          } else {
            const seq = lastSeq - s.back;
            const expected = [...model].filter(([k]) => k <= seq);
            for (const [k] of expected) model.delete(k);
            const got: [number, string][] = [];
            unconfirmed.takeUpTo(seq, (k, v) => got.push([k, v]));
            expect(got).toEqual(expected);
          }
          expect(unconfirmed.size).toBe(model.size);
          for (const [k, v] of model) expect(unconfirmed.get(k)).toBe(v);
        }
        expect(unconfirmed.clear()).toEqual([...model.values()]);
        expect(unconfirmed.size).toBe(0);
      }),
    );
  });

  it('keeps answering by seq over a long stream whose acks lag behind', () => {
    const unconfirmed = new Unconfirmed<number>();
    for (let seq = 1; seq <= 100_000; seq++) {
      unconfirmed.add(seq, seq);
      if (seq % 100 === 0) unconfirmed.takeUpTo(seq - 50, () => {});
    }
    expect(unconfirmed.size).toBe(50);
    expect(unconfirmed.get(99_951)).toBe(99_951);
    expect(unconfirmed.get(99_950)).toBeUndefined();
  });
});
