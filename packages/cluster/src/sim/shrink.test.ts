/**
 * A failing seed names the command that replays it, and its history shrinks to a short one
 * that still breaks the same invariant and replays exactly from the printed list of steps.
 */
import { describe, expect, it } from 'vitest';
import { describeFailure } from './run.js';
import { shrink } from './shrink.js';
import { runSeed } from './world.js';

describe('failure report and shrinking', () => {
  const faults = { applyBeforeCommit: true };
  // The first seed that finds the planted bug (planted-bugs.test.ts bounds it at 25).
  let failing = runSeed(1, { faults });
  for (let seed = 2; seed <= 25 && failing.violation === undefined; seed++) failing = runSeed(seed, { faults });

  it('shrinks the history to a few steps that still break the same invariant, and replay is exact', () => {
    expect(failing.violation).toBeDefined();
    const shrunk = shrink(failing, { faults }, 150);
    expect(shrunk.keep.length).toBeLessThan(failing.steps / 2);
    expect(shrunk.result.violation?.invariant).toBe(failing.violation?.invariant);
    const replay = runSeed(failing.seed, { faults, keep: shrunk.keep });
    expect(replay.violation?.message).toBe(shrunk.result.violation?.message);
    expect(replay.applies).toBe(shrunk.result.applies);
  });

  it('prints the replay commands for the whole and the shrunk history', () => {
    const report = describeFailure(failing, faults, 60);
    expect(report).toContain(`replay: npm run sim -- --seed ${failing.seed} --plant applyBeforeCommit`);
    expect(report).toMatch(new RegExp(`replay shrunk: npm run sim -- --seed ${failing.seed} --keep [\\d,]+ --plant applyBeforeCommit`));
  });
});
