/** Commit handles: one for two settles once both have, with the first error. */
import { describe, expect, it } from 'vitest';
import { bothCommitted, COMMITTED, PendingCommit } from './commit.js';

describe('bothCommitted', () => {
  it('is the pending one when the other is already done', () => {
    const a = new PendingCommit();
    expect(bothCommitted(COMMITTED, a)).toBe(a);
    expect(bothCommitted(a, COMMITTED)).toBe(a);
  });

  it('settles once both have', async () => {
    const [a, b] = [new PendingCommit(), new PendingCommit()];
    const both = bothCommitted(a, b);
    a.settle();
    expect(both.done).toBe(false);
    b.settle();
    expect(both.done).toBe(true);
    expect(both.error).toBeUndefined();
  });

  it('fails with the first error without waiting for the other', () => {
    const [a, b] = [new PendingCommit(), new PendingCommit()];
    const both = bothCommitted(a, b);
    const error = new Error('no majority');
    b.settle(error);
    expect(both.done).toBe(true);
    expect(both.error).toBe(error);
  });
});
