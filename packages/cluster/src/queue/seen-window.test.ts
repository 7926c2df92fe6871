import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePiece, SeenWindow } from './seen-window.js';

/** The window as a snapshot carries it: its pieces encoded, restored into a new window. */
function roundTrip(window: SeenWindow, chunk = 4): SeenWindow {
  const copy = new SeenWindow(chunk);
  for (const piece of window.pieces()) copy.restoreChunk(Buffer.from(encodePiece(piece)));
  return copy;
}

type Step = { t: 'add'; step: number } | { t: 'forget'; back: number } | { t: 'snapshot' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(3).map((n) => ({ t: 'add', step: n }) as const) },
  { weight: 2, arbitrary: fc.nat(12).map((n) => ({ t: 'forget', back: n }) as const) },
  { weight: 1, arbitrary: fc.constant({ t: 'snapshot' } as const) },
);

describe('the window of seen ids', () => {
  it('holds exactly the ids added after the last forget point, in order, across chunks and snapshots', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 5 }), (steps, chunk) => {
        let window = new SeenWindow(chunk);
        let model: [string, number][] = [];
        let now = 1_000;
        let n = 0;
        for (const s of steps) {
          if (s.t === 'add') {
            now += s.step;
            const id = `m${n++}`;
            window.add(id, now);
            model.push([id, now]);
          } else if (s.t === 'forget') {
            window.forgetUpTo(now - s.back);
            model = model.filter(([, at]) => at > now - s.back);
          } else {
            window = roundTrip(window, chunk);
          }
          expect([...window]).toEqual(model);
          expect(window.size).toBe(model.length);
          const last = model.at(-1);
          if (last !== undefined) expect(window.has(last[0])).toBe(true);
          if (n > model.length) expect(window.has(`m${n - model.length - 1}`)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pieces taken at one point encode the window as it was then, whatever is added or forgotten after', () => {
    const window = new SeenWindow(4);
    for (let i = 0; i < 10; i++) window.add(`a${i}`, 100 + i);
    window.forgetUpTo(101);
    const before = [...window];
    const pieces = window.pieces();
    for (let i = 0; i < 10; i++) window.add(`b${i}`, 200 + i);
    window.forgetUpTo(205);
    const restored = new SeenWindow(4);
    for (const piece of pieces) restored.restoreChunk(encodePiece(piece));
    expect([...restored]).toEqual(before);
  });

  it('encodes a full chunk once: later snapshots copy its bytes', () => {
    const window = new SeenWindow(4);
    for (let i = 0; i < 9; i++) window.add(`m${i}`, i);
    const [first, second, open] = window.pieces();
    expect([first!.whole, second!.whole, open!.whole]).toEqual([true, true, false]);
    const bytes = encodePiece(first!);
    expect(encodePiece(window.pieces()[0]!)).toBe(bytes);
    // Once its oldest id is forgotten, the chunk's live part is encoded afresh.
    window.forgetUpTo(0);
    expect(window.pieces()[0]!.whole).toBe(false);
  });

  it('takes a few bytes per id beyond the id itself', () => {
    const window = new SeenWindow();
    const id = (i: number) => `V1StGXR8_Z5jdHi6B${String(i).padStart(4, '0')}`;
    for (let i = 0; i < 10_000; i++) window.add(id(i), 1_765_000_000_000 + Math.floor(i / 2));
    const bytes = window.pieces().reduce((n, p) => n + encodePiece(p).length, 0);
    expect(bytes).toBeLessThan(10_000 * (21 + 3));
  });

  it('keeps any time exactly (fractional, far apart, or earlier than the one before) and any id, short or long', () => {
    const window = new SeenWindow(3);
    const entries: [string, number][] = [
      ['é-ü-日本', 5],
      ['', 5.5],
      ['x', 4],
      ['y', 2 ** 40],
      ['z', -7],
      ['w', -7],
      ['v', Number.MAX_SAFE_INTEGER],
      ['L'.repeat(300), Number.MAX_SAFE_INTEGER],
      ['é'.repeat(100), Number.MAX_SAFE_INTEGER + 2],
      ['u', Number.MAX_SAFE_INTEGER + 2],
    ];
    for (const [id, at] of entries) window.add(id, at);
    expect([...roundTrip(window, 3)]).toEqual(entries);
  });

  it('refuses a broken chunk', () => {
    const window = new SeenWindow();
    window.add('abc', 1);
    const bytes = encodePiece(window.pieces()[0]!);
    expect(() => new SeenWindow().restoreChunk(bytes.subarray(0, bytes.length - 1))).toThrow(/broken window of seen ids/);
    expect(() => new SeenWindow().restoreChunk(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/broken window of seen ids/);
  });
});
