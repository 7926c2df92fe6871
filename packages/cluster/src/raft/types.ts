/**
 * The vocabulary of the pure Raft (src/raft): log entries, persistent state, messages between
 * members, and the Ready batch the shell carries out. Nothing here does I/O; encoding these for
 * the wire or the disk is peer-codec.ts's and raft-storage.ts's job.
 */
export type NodeId = string;

export type EntryType = 'normal' | 'conf';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to Raft: a machine command, or an encoded ConfChange for 'conf' entries. */
  readonly data: Uint8Array;
}

/** What must be on disk before a message that depends on it leaves (Raft paper, Figure 2). */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** One server at a time (Raft thesis §4.1); a new member joins as a learner and is promoted. */
export type ConfChange =
  | { readonly type: 'addLearner'; readonly node: NodeId }
  | { readonly type: 'promote'; readonly node: NodeId }
  | { readonly type: 'remove'; readonly node: NodeId }
  /** Entry 1 of every group: its first voters, so a member that joins later learns them from the log. */
  | { readonly type: 'bootstrap'; readonly voters: readonly NodeId[] };

export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
  /** The machine's state after applying every entry up to `index`. */
  readonly data: Uint8Array;
}

export type MessageType =
  | 'preVote'
  | 'preVoteResp'
  | 'vote'
  | 'voteResp'
  | 'append'
  | 'appendResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snapshot'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** append: prev log term; votes: candidate's last log term; rejected appendResp: hint term. */
  readonly logTerm?: number;
  /** append: prev log index; votes: candidate's last index; appendResp: match or rejected index. */
  readonly index?: number;
  readonly entries?: readonly Entry[];
  readonly commit?: number;
  readonly reject?: boolean;
  /** Rejected appendResp: the follower's guess of the last index that may match. */
  readonly hint?: number;
  readonly snapshot?: Snapshot;
  /** Read-index request id, or 'transfer' on a vote forced by leadership transfer. */
  readonly context?: string;
  /** heartbeat: the leader's last before it quiesces (index and logTerm: its last entry). */
  readonly quiesce?: boolean;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** A read served at `index`: answer it once the machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/**
 * One batch of work for the shell, in this order: persist (snapshot, entries, hard state; fsync
 * when mustSync), then send messages, then apply committed entries, then advance(ready).
 */
export interface Ready {
  readonly snapshot: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly hardState: HardState | undefined;
  readonly mustSync: boolean;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
}

/** What a member reads back from its disk at start. */
export interface RaftStorageState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | undefined;
  /** Entries after the snapshot, consecutive. */
  readonly entries: readonly Entry[];
}

/**
 * Test-only fault injection: each flag plants one known Raft bug, so the simulation can show it
 * finds it. Never set outside tests.
 */
export interface RaftFaults {
  /** A follower answers an append before the write that holds it is synced. */
  readonly ackBeforeFsync?: boolean;
  /** A vote is granted without the new term and vote reaching the disk. */
  readonly voteWithoutPersist?: boolean;
  /** The leader commits an entry of an older term by counting its replicas (Figure 8). */
  readonly commitOldTermByCount?: boolean;
  /** Entries are handed out for applying before they are committed. */
  readonly applyBeforeCommit?: boolean;
}

export const NO_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
