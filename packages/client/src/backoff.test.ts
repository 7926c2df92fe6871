import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffOf, DEFAULT_BACKOFF } from './backoff.js';

describe('back-off with full jitter', () => {
  const backoff = { minDelay: 100, maxDelay: 1000, maxAttempts: 10 };

  it('doubles the ceiling with each attempt up to maxDelay', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 50, 5000].map((attempt) => backoffDelay(attempt, backoff, () => 0.999999));
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999, 999, 999]);
  });

  it('draws uniformly between 0 and the ceiling', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(0);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(200);
    const draws = Array.from({ length: 2000 }, () => backoffDelay(4, backoff));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(800);
    // Full jitter spreads clients over the whole range, not near its top.
    expect(draws.filter((delay) => delay < 400).length).toBeGreaterThan(700);
    expect(draws.filter((delay) => delay >= 400).length).toBeGreaterThan(700);
  });

  it('fills in defaults and refuses nonsense', () => {
    expect(backoffOf({})).toEqual(DEFAULT_BACKOFF);
    expect(backoffOf({ maxAttempts: Infinity, minDelay: undefined })).toEqual({ ...DEFAULT_BACKOFF, maxAttempts: Infinity });
    expect(() => backoffOf({ minDelay: -1 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => backoffOf({ minDelay: 500, maxDelay: 100 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => backoffOf({ maxAttempts: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => backoffOf({ maxDelay: Number.NaN })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});
