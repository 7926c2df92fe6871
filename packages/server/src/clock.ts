/**
 * The core's Clock port on Node's timers. Node's setTimeout holds at most 2^31 - 1 ms (about
 * 24.8 days) and fires a longer one after 1 ms, while TTLs, x-expires and delays may be up to
 * 2^32 - 1 ms; a longer wait is chained in steps.
 */
import type { Clock } from '@warren/core';

const MAX_TIMEOUT = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const due = Date.now() + Math.max(0, ms);
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      const left = due - Date.now();
      timer = setTimeout(left > MAX_TIMEOUT ? arm : fire, Math.min(Math.max(0, left), MAX_TIMEOUT));
      // A pending TTL or back-off must not keep a process alive that is otherwise done.
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};
