import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { HEARD_WITHIN_MS, IsolationGuard, outOfContact, type ContactView } from './isolation-guard.js';

const voters = ['a', 'b', 'c'];
const heard = (at: Record<string, number>) => new Map(Object.entries(at));

describe('outOfContact', () => {
  it('is in contact with a majority that includes the leader', () => {
    expect(outOfContact({ self: 'a', voters, leader: 'b', heardAt: heard({ b: 1000 }) }, 1000 + HEARD_WITHIN_MS)).toBeUndefined();
    expect(outOfContact({ self: 'a', voters, leader: 'a', heardAt: heard({ c: 1000 }) }, 1000)).toBeUndefined();
  });

  it('is out of contact when no majority of voters is heard, whoever it thinks leads', () => {
    const view: ContactView = { self: 'a', voters, leader: 'a', heardAt: heard({ b: 1000, c: 1000 }) };
    expect(outOfContact(view, 1000 + HEARD_WITHIN_MS + 1)).toMatch(/hears from 1 of 3 voters/);
  });

  it('is out of contact when the leader is unknown or not heard', () => {
    expect(outOfContact({ self: 'a', voters, leader: null, heardAt: heard({ b: 1000, c: 1000 }) }, 1000)).toMatch(/no metadata leader/);
    expect(outOfContact({ self: 'a', voters, leader: 'c', heardAt: heard({ b: 1000 }) }, 1000)).toMatch(/leader c is not heard/);
  });

  it('is out of contact while not yet a voter (a joining node)', () => {
    expect(outOfContact({ self: 'd', voters: [], leader: null, heardAt: heard({}) }, 0)).toMatch(/not a voter/);
  });

  it('a single voter is always in contact with itself', () => {
    expect(outOfContact({ self: 'a', voters: ['a'], leader: 'a', heardAt: heard({}) }, 0)).toBeUndefined();
  });
});

describe('IsolationGuard', () => {
  function setup(graceMs = 3000) {
    let now = 0;
    let view: ContactView = { self: 'a', voters, leader: 'b', heardAt: heard({ b: 0, c: 0 }) };
    const isolations: string[] = [];
    const guard = new IsolationGuard({ view: () => view, graceMs, logger: pino({ level: 'silent' }), onIsolated: (why) => isolations.push(why), now: () => now });
    return {
      guard,
      isolations,
      at: (ms: number, next?: Partial<ContactView>) => {
        now = ms;
        if (next !== undefined) view = { ...view, ...next };
        guard.look();
      },
    };
  }

  it('isolates only after the grace period out of contact, once, and comes back when contact returns', () => {
    const { guard, isolations, at } = setup();
    at(1000);
    expect(guard.isolated).toBe(false);
    at(5000, { leader: null });
    expect(guard.isolated).toBe(false);
    at(7999);
    expect(guard.isolated).toBe(false);
    at(8000);
    expect(guard.isolated).toBe(true);
    expect(guard.readiness().problem()).toMatch(/cut off from the cluster majority: hears from 1 of 3/);
    at(9000);
    expect(isolations).toHaveLength(1);
    at(10_000, { leader: 'c', heardAt: heard({ b: 10_000, c: 10_000 }) });
    expect(guard.isolated).toBe(false);
    expect(guard.readiness().problem()).toBeUndefined();
  });

  it('a short loss of contact inside the grace period changes nothing', () => {
    const { guard, at } = setup();
    at(1000);
    at(5000, { leader: null });
    at(6000, { leader: 'b', heardAt: heard({ b: 6000, c: 6000 }) });
    at(7000, { leader: null });
    at(9500);
    expect(guard.isolated).toBe(false);
    at(10_000);
    expect(guard.isolated).toBe(true);
  });

  it('a node that never hears its peers after starting is isolated once the grace has passed', () => {
    const { guard, at } = setup();
    at(2999, { leader: null, heardAt: heard({}) });
    expect(guard.isolated).toBe(false);
    at(3000);
    expect(guard.isolated).toBe(true);
  });

  it('grace 0 never isolates', () => {
    const { guard, at } = setup(0);
    at(100_000, { leader: null, heardAt: heard({}) });
    expect(guard.isolated).toBe(false);
  });
});
