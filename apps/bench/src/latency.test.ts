import { describe, expect, it } from 'vitest';
import { percentile, Reservoir } from './latency.js';

/** A small deterministic PRNG (mulberry32), so the sampling test never flakes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 10)).toBe(1);
    expect(percentile(sorted, 100)).toBe(10);
  });

  it('is not thrown off by binary rounding of the rank', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(thousand, 99.9)).toBe(999);
    expect(percentile(thousand, 99)).toBe(990);
    expect(percentile(thousand, 0.01)).toBe(1);
  });

  it('is NaN for no values and rejects percentiles outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('Reservoir', () => {
  it('keeps every value while under capacity, in any order', () => {
    const reservoir = new Reservoir(1000);
    for (let i = 100; i >= 1; i--) reservoir.add(i);
    expect(reservoir.summary()).toEqual({ count: 100, samples: 100, p50: 50, p99: 99, p999: 100, max: 100 });
  });

  it('summarises nothing as NaN', () => {
    const summary = new Reservoir(10).summary();
    expect(summary.count).toBe(0);
    expect(summary.p50).toBeNaN();
    expect(summary.max).toBeNaN();
  });

  it('caps its memory and still estimates the percentiles of a large stream', () => {
    const reservoir = new Reservoir(10_000, seeded(42));
    // 0.000, 0.001, …, 999.999: p50 ≈ 500, p99 ≈ 990.
    for (let i = 0; i < 1_000_000; i++) reservoir.add(i / 1000);
    const summary = reservoir.summary();
    expect(summary.count).toBe(1_000_000);
    expect(summary.samples).toBe(10_000);
    expect(summary.max).toBe(999.999);
    expect(summary.p50).toBeGreaterThan(485);
    expect(summary.p50).toBeLessThan(515);
    expect(summary.p99).toBeGreaterThan(986);
    expect(summary.p99).toBeLessThan(994);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new Reservoir(0)).toThrow(RangeError);
    expect(() => new Reservoir(1.5)).toThrow(RangeError);
  });
});
