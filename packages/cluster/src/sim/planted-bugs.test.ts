/**
 * The simulation finds bugs: each block plants one known Raft bug (RaftFaults, test-only) and
 * runs seeds from 1 until an invariant breaks, and must get there within the stated bound.
 * Seeds are deterministic, so the seed that finds each bug is fixed until the code changes; the
 * bounds leave room for that (first finds today: docs/replication.md). The search runs in chunks
 * of 25 seeds, one test each, so no single test runs long.
 */
import { describe, expect, it } from 'vitest';
import type { RaftFaults } from '../raft/types.js';
import { runSeed } from './world.js';

const CHUNK = 25;

interface Planted {
  readonly name: string;
  readonly faults: RaftFaults;
  readonly within: number;
  /** The invariants this bug may break first. */
  readonly caughtBy: readonly string[];
}

const PLANTED: Planted[] = [
  {
    name: 'a follower acknowledges an append before its fsync (a power loss loses an acknowledged entry)',
    faults: { ackBeforeFsync: true },
    within: 25,
    caughtBy: ['leader completeness', 'state machine safety', 'raft assertion', 'queue: confirmed message lost'],
  },
  {
    name: 'a vote is granted without persisting the term and vote (a restarted voter votes twice)',
    faults: { voteWithoutPersist: true },
    within: 100,
    caughtBy: ['election safety'],
  },
  {
    name: "an older term's entry is committed by counting replicas (the paper's Figure 8)",
    faults: { commitOldTermByCount: true },
    within: 1000,
    caughtBy: ['leader completeness', 'state machine safety', 'raft assertion'],
  },
  {
    name: 'entries are applied before they are committed',
    faults: { applyBeforeCommit: true },
    within: 25,
    caughtBy: ['leader completeness', 'state machine safety', 'raft assertion'],
  },
];

for (const bug of PLANTED) {
  describe.sequential(`planted: ${bug.name}`, () => {
    let found: { seed: number; invariant: string } | undefined;
    const starts = Array.from({ length: Math.ceil(bug.within / CHUNK) }, (_, i) => 1 + i * CHUNK);
    it.each(starts)('seeds %i.. until found: whatever breaks is an invariant this bug breaks', (start) => {
      for (let seed = start; seed < start + CHUNK && seed <= bug.within && found === undefined; seed++) {
        const violation = runSeed(seed, { faults: bug.faults }).violation;
        if (violation !== undefined) found = { seed, invariant: violation.invariant };
      }
      if (found !== undefined) expect(bug.caughtBy).toContain(found.invariant);
      else expect(found).toBeUndefined();
    });
    it(`is found within ${bug.within} seeds`, () => {
      expect(found?.seed).toBeLessThanOrEqual(bug.within);
    });
  });
}

describe('without a planted bug', () => {
  it('the seeds that find them keep every invariant, so it is the bug that is found', () => {
    for (const seed of [2, 6, 16, 466]) expect(runSeed(seed).violation).toBeUndefined();
  });
});
