/**
 * Waits, before a run, for the machine to be quiet: benchmarks here share their cores with
 * builds and test suites, and a run that starts while another process holds a core measures
 * that process as much as Warren. Gives up after `maxWaitMs` and says so; the run then goes
 * ahead, and its "other processes CPU" column shows how much it was disturbed.
 */
import { readMachineBusySeconds } from './proc-stats.js';

/** Busy below this (% of one core, whole machine, nothing of ours running) counts as quiet. */
const QUIET_PERCENT = 25;
const PROBE_MS = 1000;

/** Resolves true once a one-second probe finds the machine quiet, false after maxWaitMs. */
export async function waitForQuietMachine(maxWaitMs: number): Promise<boolean> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const busy = await busyPercent(PROBE_MS);
    // Where /proc/stat is unreadable we cannot tell, so we do not wait.
    if (busy === undefined || busy < QUIET_PERCENT) return true;
    if (performance.now() >= deadline) return false;
  }
}

async function busyPercent(ms: number): Promise<number | undefined> {
  const before = await readMachineBusySeconds();
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await readMachineBusySeconds();
  if (before === undefined || after === undefined) return undefined;
  return (100 * (after - before)) / ((performance.now() - startedAt) / 1000);
}
