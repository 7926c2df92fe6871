/**
 * The invariants the simulation checks while it runs, each a claim of the Raft paper or of the
 * queue's contract. The first broken one throws a Violation, which ends the run with its name.
 * Raft: election safety (one leader per term), log matching, leader completeness, state machine
 * safety. Queue: nothing delivered that was never published, no acked message delivered again,
 * and (checked at the end, world.ts) no confirmed message lost.
 */
import type { RaftLog } from '../raft/log.js';
import type { Entry, NodeId } from '../raft/types.js';

export class Violation extends Error {
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(`${invariant}: ${detail}`);
  }
}

const latin1 = new TextDecoder('latin1');

function key(data: Uint8Array): string {
  return latin1.decode(data);
}

export class Observer {
  readonly #leaders = new Map<number, NodeId>();
  /** `index:term` -> the command and the previous entry's term, as first seen in any log. */
  readonly #entries = new Map<string, { data: string; prevTerm: number | undefined }>();
  /**
   * Index -> what was applied there, by whichever member applied it first, and the lowest term
   * any member was in when it applied it: the entry was committed in that term or before.
   */
  readonly #applied = new Map<number, { term: number; data: string; node: NodeId; committedBy: number }>();
  readonly #lastApplied = new Map<NodeId, number>();
  readonly published = new Set<string>();
  readonly confirmed = new Set<string>();
  /** Message id -> the log index of the ack that settled it. */
  readonly ackedAt = new Map<string, number>();
  /** Message id -> why it left the queue dead-lettered (rejected, expired; without a dead-letter exchange, dropped). */
  readonly deadLettered = new Map<string, string>();
  leaderChanges = 0;
  reads = 0;
  applies = 0;

  /** Election safety (Raft §5.2): at most one leader per term. */
  leader(node: NodeId, term: number, log: RaftLog): void {
    const known = this.#leaders.get(term);
    if (known !== undefined && known !== node) throw new Violation('election safety', `term ${term} has leaders ${known} and ${node}`);
    if (known === undefined) {
      this.#leaders.set(term, node);
      this.leaderChanges++;
      this.#leaderCompleteness(node, term, log);
    }
  }

  /**
   * Leader completeness (Raft §5.4): a new leader of term T holds every entry committed in a term
   * before T. Not every entry applied anywhere: a candidate cut off from the others can still win
   * T on votes granted before they moved to a later term and committed more there (seed 77750);
   * such a leader commits nothing, since a majority has moved past T, and owes nothing committed
   * after T began.
   */
  #leaderCompleteness(node: NodeId, term: number, log: RaftLog): void {
    for (const [index, applied] of this.#applied) {
      if (index <= log.snapshotIndex || applied.committedBy >= term) continue;
      if (log.term(index) !== applied.term) {
        throw new Violation('leader completeness', `leader ${node} of term ${term} lacks entry ${index} (term ${applied.term}), applied by ${applied.node}`);
      }
    }
  }

  /**
   * Log matching (Raft §5.3): entries with the same index and term hold the same command and
   * follow the same previous term, so by induction the logs are identical up to there.
   */
  appended(node: NodeId, entries: readonly Entry[], prevTerm: number | undefined): void {
    let prev = prevTerm;
    for (const entry of entries) {
      const id = `${entry.index}:${entry.term}`;
      const data = key(entry.data);
      const seen = this.#entries.get(id);
      if (seen === undefined) this.#entries.set(id, { data, prevTerm: prev });
      else if (seen.data !== data || (seen.prevTerm !== undefined && prev !== undefined && seen.prevTerm !== prev)) {
        throw new Violation('log matching', `${node} holds a different entry ${id}`);
      }
      prev = entry.term;
    }
  }

  restored(node: NodeId, index: number): void {
    this.#lastApplied.set(node, index);
  }

  /**
   * State machine safety (Raft §5.4.3): every member applies the same command at each index, in
   * order. `term` is the member's term as it applies, which its commit index cannot be newer than.
   */
  apply(node: NodeId, entry: Entry, term: number): void {
    this.applies++;
    const last = this.#lastApplied.get(node) ?? 0;
    if (entry.index !== last + 1) throw new Violation('state machine safety', `${node} applied ${entry.index} after ${last}`);
    this.#lastApplied.set(node, entry.index);
    const data = key(entry.data);
    const first = this.#applied.get(entry.index);
    if (first === undefined) this.#applied.set(entry.index, { term: entry.term, data, node, committedBy: term });
    else if (first.term !== entry.term || first.data !== data) {
      throw new Violation('state machine safety', `${node} applied a different entry at ${entry.index} than ${first.node} (terms ${entry.term}/${first.term})`);
    } else first.committedBy = Math.min(first.committedBy, term);
  }

  /** A consumer got message `id` from the command at log index `index`. */
  delivered(consumer: string, id: string, index: number): void {
    if (!this.published.has(id)) throw new Violation('queue: delivered but never published', `${consumer} got ${id}`);
    const acked = this.ackedAt.get(id);
    if (acked !== undefined && acked < index) throw new Violation('queue: acked message delivered again', `${consumer} got ${id} at ${index}, acked at ${acked}`);
  }

  /** Linearizability of read-index (thesis §6.4): a read sees every write confirmed before it began. */
  read(confirmedBefore: readonly string[], seen: ReadonlySet<string>): void {
    this.reads++;
    for (const id of confirmedBefore) {
      if (!seen.has(id)) throw new Violation('linearizable read', `a read missed ${id}, confirmed before the read began`);
    }
  }

  acked(id: string, index: number): void {
    const at = this.ackedAt.get(id);
    if (at === undefined || index < at) this.ackedAt.set(id, index);
  }
}
