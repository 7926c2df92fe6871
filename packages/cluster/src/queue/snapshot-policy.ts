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
 * WARREN_QUEUE_SNAPSHOT_ENTRIES and WARREN_QUEUE_SNAPSHOT_FACTOR override the defaults (tests
 * use a low threshold to see the log compact); a bad value is refused at start.
 */
import type { ReplicatedQueueState } from './replicated-queue.js';

export interface SnapshotPolicy {
  readonly minEntries: number;
  readonly factor: number;
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { minEntries: 4096, factor: 2 };

export class SnapshotPolicyError extends Error {
  readonly code = 'invalid_config';
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < (integer ? 1 : 0) || (integer && !Number.isInteger(value))) {
    throw new SnapshotPolicyError(`${name} must be ${integer ? 'a whole number of at least 1' : 'a number of at least 0'}, not '${text}'`);
  }
  return value;
}

export function snapshotPolicyFrom(env: NodeJS.ProcessEnv): SnapshotPolicy {
  return {
    minEntries: numberFrom(env, 'WARREN_QUEUE_SNAPSHOT_ENTRIES', DEFAULT_SNAPSHOT_POLICY.minEntries, true),
    factor: numberFrom(env, 'WARREN_QUEUE_SNAPSHOT_FACTOR', DEFAULT_SNAPSHOT_POLICY.factor, false),
  };
}

/**
 * The entries Raft waits for past the last snapshot before it takes one (its `snapshotEvery`),
 * read after each batch applied: `minEntries` once the log bytes are worth it, else never yet.
 */
export function snapshotEvery(policy: SnapshotPolicy, state: ReplicatedQueueState): number {
  return state.logBytes >= policy.factor * state.snapshotBytes ? policy.minEntries : Number.MAX_SAFE_INTEGER;
}
