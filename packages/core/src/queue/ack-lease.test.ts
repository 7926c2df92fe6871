import { beforeEach, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../message.js';
import { FakeClock } from '../testing/fake-clock.js';
import { AckLeases, type Lease } from './ack-lease.js';
import type { Consumer } from './consumer.js';

const consumer = {} as Consumer;
const entry = (seq: number): QueueEntry => ({ seq, message: {} as QueueEntry['message'], redelivered: false, deliveryCount: 1, stored: false });

let clock: FakeClock;
let expired: number[];
let leases: AckLeases;

beforeEach(() => {
  clock = new FakeClock();
  expired = [];
  leases = new AckLeases(clock, (lease: Lease) => expired.push(lease.entry.seq));
});

describe('ack leases', () => {
  it('expires each lease once, in due order, with one timer for all of them', () => {
    leases.grant(entry(1), consumer, 300);
    leases.grant(entry(2), consumer, 100);
    leases.grant(entry(3), consumer, 200);
    expect(clock.pending).toBe(1);
    clock.advance(150);
    expect(expired).toEqual([2]);
    clock.advance(1_000);
    expect(expired).toEqual([2, 3, 1]);
    expect(leases.size).toBe(0);
  });

  it('never expires a released lease', () => {
    const e = entry(1);
    leases.grant(e, consumer, 100);
    leases.release(e);
    clock.advance(1_000);
    expect(expired).toEqual([]);
  });

  it('moves the end of an extended lease to ms from now', () => {
    const e = entry(1);
    leases.grant(e, consumer, 100);
    clock.advance(90);
    expect(leases.extend(e, 100)).toBe(true);
    clock.advance(90);
    expect(expired).toEqual([]);
    clock.advance(10);
    expect(expired).toEqual([1]);
    expect(leases.extend(e, 100)).toBe(false);
  });

  it('still expires the live lease after many settled ones (the heap is rebuilt from the live ones)', () => {
    for (let i = 0; i < 10_000; i++) {
      const e = entry(i);
      leases.grant(e, consumer, 60_000);
      leases.release(e);
    }
    const keep = entry(-1);
    leases.grant(keep, consumer, 60_000);
    clock.advance(60_000);
    expect(expired).toEqual([-1]);
  });

  it('stop cancels the timer and forgets every lease', () => {
    leases.grant(entry(1), consumer, 100);
    leases.stop();
    expect(clock.pending).toBe(0);
    clock.advance(1_000);
    expect(expired).toEqual([]);
  });
});
