import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('systemClock.setTimer', () => {
  it('waits the whole of a delay longer than setTimeout can hold', () => {
    const fire = vi.fn();
    systemClock.setTimer(2 ** 32 - 1, fire);
    vi.advanceTimersByTime(2 ** 31);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 ** 31 - 2);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledOnce();
  });

  it('cancels a chained wait', () => {
    const fire = vi.fn();
    const cancel = systemClock.setTimer(2 ** 32 - 1, fire);
    vi.advanceTimersByTime(2 ** 31);
    cancel();
    vi.advanceTimersByTime(2 ** 32);
    expect(fire).not.toHaveBeenCalled();
  });
});
