/**
 * The leader's view of one follower (etcd's Progress): how far its log matches, what to send
 * next, and the flow-control state. Probe sends one append and waits for the answer; Replicate
 * pipelines appends up to an inflight window; Snapshot waits for an InstallSnapshot to land.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Probe: an append is out and unanswered, so hold the next one. */
  probeSent = false;
  /** Snapshot: the index of the snapshot in flight. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** Leader ticks since this follower last made progress while behind; a stall falls back to probe. */
  stalledTicks = 0;
  /** The last index of each append in flight, oldest first (the pipelining window). */
  readonly #inflight: number[] = [];

  constructor(
    next: number,
    readonly isLearner: boolean,
    private readonly maxInflight: number,
  ) {
    this.next = next;
  }

  get inflightCount(): number {
    return this.#inflight.length;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.#inflight.length >= this.maxInflight;
      case 'snapshot':
        return true;
    }
  }

  becomeProbe(): void {
    // After a snapshot, probing starts just past it (etcd progress.go).
    const from = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.#reset('probe');
    this.next = from;
  }

  becomeReplicate(): void {
    this.#reset('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number): void {
    this.#reset('snapshot');
    this.pendingSnapshot = index;
  }

  #reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.stalledTicks = 0;
    this.#inflight.length = 0;
  }

  /** Records an append of entries up to `last` as sent. */
  sentAppend(last: number, entryCount: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next = last + 1;
        this.#inflight.push(last);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** An accepted append up to `index`; false when the answer is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.probeSent = false;
      this.stalledTicks = 0;
      updated = true;
    }
    this.next = Math.max(this.next, index + 1);
    while (this.#inflight.length > 0 && this.#inflight[0]! <= index) this.#inflight.shift();
    return updated;
  }

  /**
   * A rejected append of prev index `rejected`; `hint` is where the follower guesses a match.
   * False when the rejection is stale (etcd's MaybeDecrTo).
   */
  maybeDecrease(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }
}
