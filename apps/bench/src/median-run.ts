/**
 * Picks the run that represents a scenario when it ran several times (`--runs`): the one with
 * the median rate, as /work/shared/performance.md reports medians of 3 runs. A whole run is
 * kept rather than a median per column, so its latency, RSS and CPU belong to the same run.
 * Failed runs count only when every run failed.
 */
import type { ScenarioResult } from './run-scenario.js';

export function medianRun(runs: readonly ScenarioResult[]): ScenarioResult {
  const ok = runs.filter((run) => run.error === undefined && run.rate !== undefined);
  if (ok.length === 0) {
    const last = runs[runs.length - 1];
    if (last === undefined) throw new Error('medianRun needs at least one run');
    return last;
  }
  const sorted = [...ok].sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0));
  // The lower middle for an even count: a benchmark should not round its own result up.
  return sorted[Math.floor((sorted.length - 1) / 2)] as ScenarioResult;
}
