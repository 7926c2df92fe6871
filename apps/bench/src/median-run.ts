/**
 * Picks the run that represents a scenario on one broker when it ran several times: the one with
 * the median figure, as docs/performance.md reports medians of 3 runs. A whole run is
 * kept rather than a median per column, so its latency, RSS and CPU belong to the same run.
 * Failed runs count only when every run failed.
 */
import type { RunResult } from './run-result.js';

/**
 * `figure` reads the figure that ranks runs; `higherIsBetter` says which way. With an even count
 * the worse of the two middle runs is taken: a benchmark should not round its own result up.
 */
export function medianRun(runs: readonly RunResult[], figure: (run: RunResult) => number | undefined, higherIsBetter: boolean): RunResult {
  const ok = runs.filter((run) => run.error === undefined && figure(run) !== undefined);
  if (ok.length === 0) {
    const last = runs[runs.length - 1];
    if (last === undefined) throw new Error('medianRun needs at least one run');
    return last;
  }
  const direction = higherIsBetter ? 1 : -1;
  // Worst first.
  const sorted = [...ok].sort((a, b) => direction * ((figure(a) ?? 0) - (figure(b) ?? 0)));
  return sorted[Math.floor((sorted.length - 1) / 2)] as RunResult;
}
