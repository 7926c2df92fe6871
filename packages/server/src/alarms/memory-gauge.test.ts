import { describe, expect, it } from 'vitest';
import { availableRam, MemoryGauge, memoryLimit } from './memory-gauge.js';

describe('memory limit', () => {
  it('is a fraction of RAM or an absolute number of bytes', () => {
    expect(memoryLimit(0.4, 1000)).toBe(400);
    expect(memoryLimit(1, 1000)).toBe(1000);
    expect(memoryLimit({ bytes: 268_435_456 }, 1000)).toBe(268_435_456);
  });

  it('takes RAM from the machine, or the cgroup when that is lower', () => {
    expect(availableRam()).toBeGreaterThan(0);
  });
});

describe('MemoryGauge', () => {
  it('never counts more than the RSS, and falls once garbage buffers are collected', async () => {
    const gauge = new MemoryGauge();
    expect(gauge.used()).toBeLessThanOrEqual(process.memoryUsage().rss);
    let garbage: Uint8Array[] | undefined = Array.from({ length: 64 }, () => new Uint8Array(1024 * 1024).fill(1));
    const held = gauge.used();
    expect(garbage.length).toBe(64);
    garbage = undefined;
    gauge.collect();
    // V8 sweeps freed ArrayBuffers off the main thread; the figure follows when it is done.
    await expect.poll(() => gauge.used(), { interval: 10 }).toBeLessThan(held - 32 * 1024 * 1024);
  });
});
