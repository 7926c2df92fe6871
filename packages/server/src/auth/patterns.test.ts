import { describe, expect, it } from 'vitest';
import { isWarrenError } from '@warren/protocol';
import { regexMatcher, wildcardMatcher } from './patterns.js';

describe('permission regexes (RE2)', () => {
  it('match anywhere unless anchored, as RabbitMQ does', () => {
    expect(regexMatcher('orders')('my.orders.q')).toBe(true);
    expect(regexMatcher('^orders\\.')('my.orders.q')).toBe(false);
    expect(regexMatcher('^orders\\.')('orders.q')).toBe(true);
    expect(regexMatcher('.*')('anything')).toBe(true);
  });

  it("take '' as ^$: only the empty name", () => {
    expect(regexMatcher('')('')).toBe(true);
    expect(regexMatcher('')('q')).toBe(false);
  });

  it('refuse an invalid pattern with invalid_argument naming the field, and backreferences RE2 does not have', () => {
    for (const bad of ['(', '(a)\\1']) {
      try {
        regexMatcher(bad, 'write');
        expect.unreachable();
      } catch (error) {
        expect(isWarrenError(error) && error.code).toBe('invalid_argument');
        expect((error as Error).message).toContain('write');
      }
    }
  });

  it('take linear time on a pattern that backtracking engines take exponential time on', () => {
    expect(regexMatcher('^(a+)+$')(`${'a'.repeat(5000)}!`)).toBe(false);
  });
});

describe('scope wildcards', () => {
  it('treat * as any run and everything else literally', () => {
    expect(wildcardMatcher('*')('x')).toBe(true);
    expect(wildcardMatcher('orders.*')('orders.new')).toBe(true);
    expect(wildcardMatcher('orders.*')('ordersXnew')).toBe(false);
    expect(wildcardMatcher('a.b')('a.b')).toBe(true);
    expect(wildcardMatcher('a.b')('axb')).toBe(false);
  });
});
