import { describe, expect, it } from 'vitest';
import { MessageStats } from './message-stats.js';

describe('MessageStats', () => {
  it('rates are the change over the last sampling interval, per second', () => {
    const stats = new MessageStats(1);
    stats.publish += 50;
    stats.deliver += 10;
    stats.get += 5;
    stats.sample(5001);
    expect(stats.rate('publish')).toBe(10);
    expect(stats.deliverGetRate).toBe(3);
    expect(stats.deliverGet).toBe(15);
    stats.sample(10_001);
    expect(stats.rate('publish')).toBe(0);
    expect(stats.publish).toBe(50);
  });

  it('without a birth time, the first sample only sets the baseline', () => {
    const stats = new MessageStats();
    stats.publish_in += 7;
    stats.sample(5000);
    expect(stats.rate('publish_in')).toBe(0);
    stats.publish_in += 10;
    stats.sample(10_000);
    expect(stats.rate('publish_in')).toBe(2);
  });

  it('remembers when a counter last changed', () => {
    const stats = new MessageStats(1000);
    stats.sample(6000);
    expect(stats.lastActivity).toBe(1000);
    stats.ack++;
    stats.sample(11_000);
    stats.sample(16_000);
    expect(stats.lastActivity).toBe(11_000);
  });

  it('utilisation is the share of recent samples at which consumers could take a message', () => {
    const stats = new MessageStats(0);
    expect(stats.utilisation).toBeUndefined();
    for (const able of [true, true, false, true]) stats.sampleUtilisation(able);
    expect(stats.utilisation).toBe(0.75);
    for (let i = 0; i < 12; i++) stats.sampleUtilisation(true);
    expect(stats.utilisation).toBe(1);
    stats.resetUtilisation();
    expect(stats.utilisation).toBeUndefined();
  });

  it('depth rates are the change of the ready and unacknowledged counts since the previous sample', () => {
    const stats = new MessageStats();
    stats.sampleDepth(1000, 10, 0);
    expect(stats.depthRates).toEqual({ ready: 0, unacked: 0 });
    stats.sampleDepth(6000, 0, 5);
    expect(stats.depthRates).toEqual({ ready: -2, unacked: 1 });
    const born = new MessageStats(0.001);
    born.sampleDepth(5000.001, 20, 0);
    expect(born.depthRates.ready).toBeCloseTo(4);
  });
});
