/**
 * Publisher confirms of one connection (docs/protocol.md, "Publishing"). Publishes are answered
 * in sequence order: a publish whose message was written waits for the commit handle of that
 * write (core's commit.ts: a classic queue's store batch and its fsync; a replicated queue's
 * majority commit), and everything behind it waits too, so one cumulative `publish.ack` answers a
 * whole group commit, and a fast handle behind a slow one waits for it. The number of unanswered publishes is the connection's publish window:
 * above it the server stops reading the socket, which pushes back on the publisher over TCP.
 * A receipt differs from what the client assumes in two ways ("Publish receipts"): a duplicate
 * is listed by seq in the ack that covers it; persistent publishes that are on no disk are
 * confirmed by acks of their own, marked `transient`, one per run of such publishes; publishes
 * that replicated queues hold on several nodes by acks saying how many (`replicas`). So the usual
 * publish adds no bytes, and a stream to transient or replicated queues adds a few bytes per ack.
 */
import { WarrenError, type PublishAckFrame } from '@warren/protocol';
import { Deque, type Commit } from '@warren/core';

export interface ConfirmSink {
  readonly socket: { pause(): void; resume(): void };
  send(header: object): void;
  /** Where confirms sent are counted (the broker's counters, for metrics); tests may leave it out. */
  readonly counters?: { confirmed: number };
}

/** accept()'s `receipt` flags: how a publish's receipt differs from the client's assumption. */
export const Receipt = {
  /** Deduplicated: no queue took it (docs/dedup.md). */
  Duplicate: 1,
  /** Published persistent, yet no copy is on disk (no durable queue took it). */
  Transient: 2,
} as const;

export class ConfirmTracker {
  private readonly seqs = new Deque<number>();
  /** Each unanswered publish's commit handle; undefined when it waits for nothing. */
  private readonly commits = new Deque<Commit | undefined>();
  /** Receipt flags of the unanswered publishes that have any; empty in the usual case. */
  private readonly receipts = new Map<number, number>();
  /** Replicas of the unanswered publishes held by more than this node (replicated queues); empty on a single node. */
  private readonly replicas = new Map<number, number>();
  private lastSeq = 0;
  /** The handle last waited on: a group commit's publishes share one, which is waited on once. */
  private awaited: Commit | undefined;
  private paused = false;
  private abandoned = false;

  constructor(
    private readonly sink: ConfirmSink,
    private readonly window: number,
  ) {}

  /** Checks that a publish's seq follows the previous one; throws frame_invalid otherwise. */
  next(seq: number): void {
    if (seq <= this.lastSeq) {
      throw new WarrenError('frame_invalid', `publish seq ${seq} is not greater than the previous ${this.lastSeq}`, { context: { seq } });
    }
    this.lastSeq = seq;
  }

  /** Queues the publish's confirm behind `commit` (undefined: nothing to wait for), with its Receipt flags and the nodes that will hold it. */
  accept(seq: number, commit: Commit | undefined, receipt = 0, replicas = 1): void {
    if (receipt !== 0) this.receipts.set(seq, receipt);
    if (replicas > 1) this.replicas.set(seq, replicas);
    this.seqs.push(seq);
    this.commits.push(commit);
    if (commit !== undefined && commit !== this.awaited && !commit.done) {
      this.awaited = commit;
      commit.onSettled(this.settled);
    }
    if (!this.paused && this.seqs.length > this.window) {
      this.paused = true;
      this.sink.socket.pause();
    }
  }

  nack(seq: number, error: WarrenError): void {
    this.sink.send({ type: 'publish.nack', seq, code: error.code, message: error.message });
  }

  /**
   * Sends one cumulative ack for every leading publish whose write is done; one per run when
   * they change between on disk and not (the `transient` mark covers every seq of its ack). A
   * publish whose write failed is nacked in its place in the sequence.
   */
  flush(): void {
    let runEnd = 0;
    let confirmed = 0;
    let transient = false;
    let replicas = 1;
    let duplicate: number[] | undefined;
    while (this.seqs.length > 0) {
      const commit = this.commits.peek();
      if (commit !== undefined && !commit.done) break;
      const seq = this.seqs.shift() as number;
      this.commits.shift();
      const flags = this.receipts.size === 0 ? 0 : this.takeReceipt(seq);
      const held = this.replicas.size === 0 ? 1 : this.takeReplicas(seq);
      if (commit?.error !== undefined) {
        if (runEnd > 0) this.ack(runEnd, transient, duplicate, replicas);
        runEnd = 0;
        duplicate = undefined;
        // A replicated queue's commit fails with its own code (cluster_unavailable); the store's does not.
        const error = commit.error instanceof WarrenError ? commit.error : new WarrenError('store_failed', `the store could not write the message: ${commit.error.message}`);
        this.nack(seq, error);
        continue;
      }
      const isTransient = (flags & Receipt.Transient) !== 0;
      if (runEnd > 0 && (isTransient !== transient || held !== replicas)) {
        this.ack(runEnd, transient, duplicate, replicas);
        duplicate = undefined;
      }
      transient = isTransient;
      replicas = held;
      if ((flags & Receipt.Duplicate) !== 0) (duplicate ??= []).push(seq);
      runEnd = seq;
      confirmed++;
    }
    if (runEnd > 0) this.ack(runEnd, transient, duplicate, replicas);
    if (confirmed > 0 && this.sink.counters !== undefined) this.sink.counters.confirmed += confirmed;
    if (this.paused && this.seqs.length <= this.window / 2) {
      this.paused = false;
      this.sink.socket.resume();
    }
  }

  /** The connection is gone: nothing more is sent. */
  abandon(): void {
    this.abandoned = true;
    this.seqs.clear();
    this.commits.clear();
    this.receipts.clear();
    this.replicas.clear();
  }

  private ack(seq: number, transient: boolean, duplicate: number[] | undefined, replicas: number): void {
    const frame: PublishAckFrame = { type: 'publish.ack', seq, multiple: true };
    if (transient) frame.transient = true;
    if (duplicate !== undefined) frame.duplicate = duplicate;
    if (replicas > 1) frame.replicas = replicas;
    this.sink.send(frame);
  }

  private takeReplicas(seq: number): number {
    const count = this.replicas.get(seq);
    if (count === undefined) return 1;
    this.replicas.delete(seq);
    return count;
  }

  private takeReceipt(seq: number): number {
    const flags = this.receipts.get(seq);
    if (flags === undefined) return 0;
    this.receipts.delete(seq);
    return flags;
  }

  /** A handle settled: whatever now leads with its write done goes out. */
  private readonly settled = (): void => {
    if (!this.abandoned) this.flush();
  };
}
