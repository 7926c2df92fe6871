/**
 * The simulation finds bugs: each test plants one known Raft bug (RaftFaults, test-only) and
 * runs seeds from 1 until an invariant breaks, within the stated number of seeds. Seeds are
 * deterministic, so the seed that finds each bug is fixed until the code changes; the bound
 * leaves room for that.
 */
import { describe, expect, it } from 'vitest';
import type { RaftFaults } from '../raft/types.js';
import { runSeed } from './world.js';

function firstFailure(faults: RaftFaults, within: number): { seed: number; invariant: string } | undefined {
  for (let seed = 1; seed <= within; seed++) {
    const violation = runSeed(seed, { faults }).violation;
    if (violation !== undefined) return { seed, invariant: violation.invariant };
  }
  return undefined;
}

describe('planted Raft bugs are found by the simulation', () => {
  it('a follower that acknowledges an append before its fsync: found within 20 seeds (power loss loses an acked entry)', () => {
    const found = firstFailure({ ackBeforeFsync: true }, 20);
    expect(found).toBeDefined();
    expect(['leader completeness', 'state machine safety', 'raft assertion', 'queue: confirmed message lost']).toContain(found!.invariant);
  });

  it('a vote granted without persisting the term and vote: found within 20 seeds (two leaders in one term)', () => {
    expect(firstFailure({ voteWithoutPersist: true }, 20)).toMatchObject({ invariant: 'election safety' });
  });

  it('entries applied before they are committed: found within 20 seeds', () => {
    const found = firstFailure({ applyBeforeCommit: true }, 20);
    expect(['leader completeness', 'state machine safety']).toContain(found?.invariant);
  });

  it('the same seeds pass without the planted bugs, so it is the bug that is found', () => {
    for (let seed = 1; seed <= 5; seed++) expect(runSeed(seed).violation).toBeUndefined();
  });
});
