import { describe, expect, it } from 'vitest';
import { sumUsage } from './resource-sampler.js';

describe('sumUsage', () => {
  it('adds up memory and CPU over the nodes', () => {
    expect(
      sumUsage([
        { rssBytes: 100, cpuSeconds: 1.5 },
        { rssBytes: 200, cpuSeconds: 0.25 },
        { rssBytes: 50, cpuSeconds: 2 },
      ]),
    ).toEqual({ rssBytes: 350, cpuSeconds: 3.75 });
  });

  it('has no reading when a node has none, or there is no node', () => {
    expect(sumUsage([{ rssBytes: 100, cpuSeconds: 1 }, undefined])).toBeUndefined();
    expect(sumUsage([])).toBeUndefined();
  });
});
