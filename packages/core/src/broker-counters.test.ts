import { describe, expect, it } from 'vitest';
import { BrokerCounters, MESSAGE_SIZE_BUCKETS } from './broker-counters.js';

describe('BrokerCounters.published', () => {
  it('counts a publish, its bytes, and its size in the first bucket whose bound holds it (le: less or equal)', () => {
    const counters = new BrokerCounters();
    for (const size of [0, 100, 101, 1000, 100_000_001]) counters.published(size);
    expect(counters.received).toBe(5);
    expect(counters.messageBytes).toBe(100_001_202);
    expect([...counters.messageSizes]).toEqual([2, 2, 0, 0, 0, 0, 0, 0, 1]);
    expect(counters.messageSizes).toHaveLength(MESSAGE_SIZE_BUCKETS.length + 1);
  });
});
