import { describe, expect, it } from 'vitest';
import { cpuPercentPerNode, sumUsage } from './resource-sampler.js';

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

describe('cpuPercentPerNode', () => {
  const at = (cpuSeconds: number) => ({ rssBytes: 1, cpuSeconds });

  it('gives each node\'s CPU over the window as % of one core', () => {
    expect(cpuPercentPerNode([at(1), at(2), at(0)], [at(2), at(2.5), at(0.25)], 2)).toEqual([50, 25, 12.5]);
  });

  it('has none when a node was not read at both ends, the lists differ or the window is empty', () => {
    expect(cpuPercentPerNode([at(1), undefined], [at(2), at(3)], 1)).toBeUndefined();
    expect(cpuPercentPerNode([at(1)], [at(2), at(3)], 1)).toBeUndefined();
    expect(cpuPercentPerNode([at(1)], [at(2)], 0)).toBeUndefined();
  });
});
