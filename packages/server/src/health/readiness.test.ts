import { describe, expect, it } from 'vitest';
import { alarmsCheck, readiness, storeCheck } from './readiness.js';

describe('readiness', () => {
  it('is ready only when every check passes, and says why not', () => {
    const store = { isOpen: true };
    const alarms = { active: [] as string[] };
    const checks = [storeCheck(store), alarmsCheck(alarms)];
    expect(readiness(checks)).toEqual({ ready: true, checks: [{ name: 'store', ok: true }, { name: 'alarms', ok: true }] });
    store.isOpen = false;
    alarms.active = ['disk'];
    expect(readiness(checks)).toEqual({
      ready: false,
      checks: [
        { name: 'store', ok: false, reason: 'the store is not open' },
        { name: 'alarms', ok: false, reason: 'resource alarm raised: disk (publishers are blocked)' },
      ],
    });
  });
});
