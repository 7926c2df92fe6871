import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('lets three failures through, then doubles the wait per failure up to a ceiling, per address', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      delays.push(throttle.delayFor('10.0.0.1'));
      throttle.failed('10.0.0.1');
    }
    expect(delays).toEqual([0, 0, 0, 250, 500, 1000, 2000, 4000, 8000, 8000]);
    expect(throttle.delayFor('10.0.0.2')).toBe(0);
    now += 11 * 60_000;
    expect(throttle.delayFor('10.0.0.1')).toBe(0);
  });

  it('forgets an address after a success', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 5; i++) throttle.failed('a');
    expect(throttle.delayFor('a')).toBeGreaterThan(0);
    throttle.succeeded('a');
    expect(throttle.delayFor('a')).toBe(0);
  });
});
