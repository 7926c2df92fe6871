/**
 * When a replicated queue takes a snapshot of its contents, so that Raft truncates its log.
 *
 * Each member snapshots on its own once it has applied at least `minEntries` entries since the
 * last snapshot AND the log bytes applied since then reach `factor` times that snapshot's size.
 * The first rule keeps an idle or small queue from snapshotting every few entries; the second
 * keeps a big backlog from being serialized again and again: the bytes written for snapshots stay
 * at most 1/factor of the bytes written to the log, while the log on disk stays within about
 * factor × the queue's size (plus minEntries). docs/replication.md says why this rather than
 * RabbitMQ's release cursor.
 *
 * The broker's config (WARREN_QUEUE_SNAPSHOT_ENTRIES, WARREN_QUEUE_SNAPSHOT_FACTOR) overrides the
 * defaults; tests use a low threshold to see the log compact.
 */
import type { ReplicatedQueueState } from './replicated-queue.js';

export interface SnapshotPolicy {
  readonly minEntries: number;
  readonly factor: number;
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { minEntries: 4096, factor: 2 };

/**
 * The entries Raft waits for past the last snapshot before it takes one (its `snapshotEvery`),
 * read after each batch applied: `minEntries` once the log bytes are worth it, else never yet.
 */
export function snapshotEvery(policy: SnapshotPolicy, state: ReplicatedQueueState): number {
  return state.logBytes >= policy.factor * state.snapshotBytes ? policy.minEntries : Number.MAX_SAFE_INTEGER;
}
