/** The core's Clock port on Node's timers. */
import type { Clock } from '@warren/core';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const timer = setTimeout(fire, Math.max(0, ms));
    // A pending TTL or back-off must not keep a process alive that is otherwise done.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
