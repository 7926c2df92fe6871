import { describe, expect, it } from 'vitest';
import { medianRun } from './median-run.js';
import type { RunResult } from './run-result.js';

function run(rate: number | undefined, error?: string): RunResult {
  const result: RunResult = { scenario: 's', broker: 'warren', warnings: 0, firstWarnings: [] };
  if (rate !== undefined) result.rate = rate;
  if (error !== undefined) result.error = error;
  return result;
}

const rate = (r: RunResult): number | undefined => r.rate;

describe('medianRun', () => {
  it('picks the run with the median figure', () => {
    expect(medianRun([run(30), run(10), run(20)], rate, true).rate).toBe(20);
    expect(medianRun([run(30), run(10), run(20)], rate, false).rate).toBe(20);
  });

  it('picks the worse middle of an even count', () => {
    expect(medianRun([run(40), run(10), run(30), run(20)], rate, true).rate).toBe(20);
    // Lower is better (a latency): the worse middle is the higher one.
    expect(medianRun([run(40), run(10), run(30), run(20)], rate, false).rate).toBe(30);
  });

  it('ignores failed runs unless all failed', () => {
    expect(medianRun([run(undefined, 'boom'), run(5), run(7, 'late failure')], rate, true).rate).toBe(5);
    expect(medianRun([run(undefined, 'first'), run(undefined, 'second')], rate, true).error).toBe('second');
  });

  it('needs a run', () => {
    expect(() => medianRun([], rate, true)).toThrow();
  });
});
