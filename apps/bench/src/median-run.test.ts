import { describe, expect, it } from 'vitest';
import { medianRun } from './median-run.js';
import type { ScenarioResult } from './run-scenario.js';

function run(rate: number | undefined, error?: string): ScenarioResult {
  const result: ScenarioResult = { scenario: 's', unit: 'msgs/s', broker: { warnings: 0, firstWarnings: [] }, rabbitmq: { rate: 1 } };
  if (rate !== undefined) result.rate = rate;
  if (error !== undefined) result.error = error;
  return result;
}

describe('medianRun', () => {
  it('picks the run with the median rate', () => {
    expect(medianRun([run(30), run(10), run(20)]).rate).toBe(20);
  });

  it('picks the lower middle of an even count', () => {
    expect(medianRun([run(40), run(10), run(30), run(20)]).rate).toBe(20);
  });

  it('ignores failed runs unless all failed', () => {
    expect(medianRun([run(undefined, 'boom'), run(5), run(7, 'late failure')]).rate).toBe(5);
    expect(medianRun([run(undefined, 'first'), run(undefined, 'second')]).error).toBe('second');
  });

  it('needs a run', () => {
    expect(() => medianRun([])).toThrow();
  });
});
