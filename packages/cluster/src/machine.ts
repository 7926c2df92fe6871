/**
 * The port between Raft and what it replicates (ra's ra_machine): a deterministic machine that
 * applies committed commands in log order. `apply` must be a pure function of the state and the
 * command: time and randomness travel inside the command, and what must happen outside (confirm
 * a publish, deliver a message) comes back as effects, which only the leader carries out. The
 * machine may update the state in place and return it; callers keep no older state.
 */
export interface ApplyMeta {
  /** The log index of the command: effects can name it, and it orders them across leaders. */
  readonly index: number;
  readonly term: number;
}

export interface Applied<S, E> {
  readonly state: S;
  readonly effects: readonly E[];
}

/**
 * A snapshot taken at one index and written a slice at a time: `write` goes on for about
 * `budgetMs` and returns the bytes once they are all written. The machine goes on applying
 * meanwhile; the bytes still describe the state at the index the writer was made at.
 */
export interface SnapshotWriter {
  write(budgetMs: number): Uint8Array | undefined;
}

export interface ReplicatedMachine<S, C, E> {
  init(): S;
  apply(state: S, command: C, meta: ApplyMeta): Applied<S, E>;
  /** The state as bytes, for a Raft snapshot; restore(snapshot(s)) must equal s. */
  snapshot(state: S): Uint8Array;
  /** The same bytes as snapshot(state), written in slices (a machine with a big state offers it). */
  snapshotWriter?(state: S): SnapshotWriter;
  restore(data: Uint8Array): S;
  encode(command: C): Uint8Array;
  decode(data: Uint8Array): C;
}
