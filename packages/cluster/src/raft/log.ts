/**
 * One member's view of the Raft log: a snapshot point, the entries after it, and the marks that
 * say how far they are committed, handed out for applying, applied, and persisted. The whole log
 * since the last snapshot is kept in memory (as etcd raft over its MemoryStorage); the shell's
 * storage mirrors it on disk, and compaction keeps it short.
 */
import type { Entry, RaftStorageState, Snapshot } from './types.js';

export class RaftLog {
  #snapIndex: number;
  #snapTerm: number;
  #entries: Entry[];
  /** The latest snapshot, what the leader sends a follower that is too far behind. */
  snapshot: Snapshot | undefined;
  /** A snapshot received from the leader that the shell has not been given yet. */
  pendingSnapshot: Snapshot | undefined;
  committed: number;
  /** Last index handed out in a Ready for applying. */
  applying: number;
  applied: number;
  /** Last index known to be on disk. */
  stable: number;
  /** First index not handed out in a Ready for persisting yet. */
  unstable: number;

  constructor(state: RaftStorageState) {
    this.snapshot = state.snapshot;
    this.#snapIndex = state.snapshot?.index ?? 0;
    this.#snapTerm = state.snapshot?.term ?? 0;
    this.#entries = [...state.entries];
    this.pendingSnapshot = undefined;
    this.applying = this.applied = this.#snapIndex;
    this.stable = this.lastIndex;
    this.unstable = this.lastIndex + 1;
    this.committed = Math.min(Math.max(state.hardState.commit, this.#snapIndex), this.lastIndex);
  }

  get firstIndex(): number {
    return this.#snapIndex + 1;
  }

  get snapshotIndex(): number {
    return this.#snapIndex;
  }

  get lastIndex(): number {
    return this.#snapIndex + this.#entries.length;
  }

  get lastTerm(): number {
    return this.term(this.lastIndex) ?? 0;
  }

  /** The term of the entry at `index`, or undefined when it is compacted away or not there. */
  term(index: number): number | undefined {
    if (index === this.#snapIndex) return this.#snapTerm;
    if (index < this.#snapIndex || index > this.lastIndex) return undefined;
    return this.#entries[index - this.#snapIndex - 1]!.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  entry(index: number): Entry | undefined {
    return this.#entries[index - this.#snapIndex - 1];
  }

  /** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ownTerm = this.lastTerm;
    return lastTerm > ownTerm || (lastTerm === ownTerm && lastIndex >= this.lastIndex);
  }

  /** Entries lo..hi inclusive; lo must be after the snapshot. */
  slice(lo: number, hi: number): Entry[] {
    if (hi < lo) return [];
    return this.#entries.slice(lo - this.#snapIndex - 1, hi - this.#snapIndex);
  }

  /** Appends entries, dropping any entries at and after the first one's index. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const after = first.index - 1;
    if (after < this.committed) throw new Error(`raft: truncating committed entry ${after + 1} (committed ${this.committed})`);
    if (after > this.lastIndex) throw new Error(`raft: gap appending ${first.index} after ${this.lastIndex}`);
    this.#entries.length = after - this.#snapIndex;
    for (const entry of entries) this.#entries.push(entry);
    this.unstable = Math.min(this.unstable, first.index);
    this.stable = Math.min(this.stable, after);
  }

  /**
   * A follower's append (Raft Figure 2, AppendEntries receiver rules 2-5): returns the index of
   * the last new entry, or undefined when the log does not hold prevIndex at prevTerm.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    const conflict = this.#findConflict(entries);
    if (conflict !== 0) this.append(entries.slice(conflict - prevIndex - 1));
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** The first entry that is not in the log already (0 when all are); compacted ones are committed, so they match. */
  #findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (entry.index <= this.#snapIndex) continue;
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /** The last index <= index whose term is <= term: where a rejected append may match (etcd's hint). */
  findConflictByTerm(index: number, term: number): number {
    let at = Math.min(index, this.lastIndex);
    while (at > this.#snapIndex && (this.term(at) ?? 0) > term) at--;
    return at;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex) throw new Error(`raft: commit ${index} beyond last index ${this.lastIndex}`);
    this.committed = index;
  }

  /** Entries to hand out for applying; `early` is the planted apply-before-commit bug. */
  nextCommitted(early: boolean): Entry[] {
    const hi = early ? this.lastIndex : this.committed;
    return this.slice(Math.max(this.applying, this.#snapIndex) + 1, hi);
  }

  unstableEntries(): Entry[] {
    return this.slice(Math.max(this.unstable, this.firstIndex), this.lastIndex);
  }

  /**
   * Replaces the whole log with a snapshot from the leader (InstallSnapshot). It is handed out
   * for applying at once, but counts as applied only when the shell says it installed it
   * (Raft.advance): a read or a convergence check must not see it applied before the machine is.
   */
  restore(snapshot: Snapshot): void {
    this.#snapIndex = snapshot.index;
    this.#snapTerm = snapshot.term;
    this.#entries = [];
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    this.committed = this.applying = snapshot.index;
    this.unstable = snapshot.index + 1;
    this.stable = Math.min(this.stable, snapshot.index);
  }

  /** Drops entries up to `snapshot.index`, which the shell has applied and saved. */
  compact(snapshot: Snapshot): void {
    if (snapshot.index <= this.#snapIndex) return;
    if (snapshot.index > this.applied) throw new Error(`raft: compacting ${snapshot.index} beyond applied ${this.applied}`);
    this.#entries = this.#entries.slice(snapshot.index - this.#snapIndex);
    this.#snapIndex = snapshot.index;
    this.#snapTerm = snapshot.term;
    this.snapshot = snapshot;
  }
}
