/**
 * Commit handles: what a write's durability is waited on with. A store hands out the handle of
 * the group-commit batch that holds a write (every write queued in one batch shares it, so a
 * handle per write costs no allocation), settled once the batch is applied, and synced where a
 * write asked for it; a replicated queue's handle settles when a majority has committed its
 * command. Whoever waits holds the handle, not a number on one global counter, so waits on
 * different mechanisms (one fsync, one Raft group) can sit side by side, each settling on its own.
 */

export interface Commit {
  /** True once the writes it covers are durable, or failed (see error). */
  readonly done: boolean;
  /** Why the writes failed, once done; undefined while pending and on success. */
  readonly error: Error | undefined;
  /** Calls `settled` once the handle is done: always later, never inside this call, even when done already. */
  onSettled(settled: (error?: Error) => void): void;
  /** Nodes that hold the writes once it is done, at least (a replicated queue's majority); absent: this node alone. */
  readonly replicas?: number;
}

/** A handle its writer settles once, with the outcome of the writes it covers. */
export class PendingCommit implements Commit {
  done = false;
  error: Error | undefined;
  #waiters: ((error?: Error) => void)[] | undefined;

  onSettled(settled: (error?: Error) => void): void {
    if (!this.done) {
      (this.#waiters ??= []).push(settled);
      return;
    }
    const error = this.error;
    void Promise.resolve().then(() => settled(error));
  }

  /** Marks the writes durable (or failed) and calls the waiters, in the order they came. */
  settle(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters === undefined) return;
    for (const settled of waiters) {
      try {
        settled(error);
      } catch (thrown) {
        // A waiter's bug must not keep the others from hearing: it surfaces on its own.
        void Promise.reject(thrown);
      }
    }
  }
}

/** The handle of nothing to wait for: done, without error. */
export const COMMITTED: Commit = (() => {
  const commit = new PendingCommit();
  commit.settle();
  return commit;
})();

/** One handle for two: done once both are, failed with the first error (a publish routed to a classic and a replicated queue). */
export function bothCommitted(a: Commit, b: Commit): Commit {
  if (a.done && a.error === undefined) return b;
  if (b.done && b.error === undefined) return a;
  const both = new PendingCommit();
  let left = 2;
  const settled = (error?: Error): void => {
    if (error !== undefined) both.settle(error);
    else if (--left === 0) both.settle();
  };
  a.onSettled(settled);
  b.onSettled(settled);
  return both;
}
