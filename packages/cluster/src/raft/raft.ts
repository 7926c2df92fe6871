/**
 * The Raft algorithm as one synchronous object with no I/O, in etcd raft's style: messages
 * (step) and clock ticks (tick) go in; a Ready comes out with what to persist, what to send and
 * what to apply; advance() says it was done. Timers, sockets, disks and the machine are the
 * shell's (raft-node.ts, or the simulation's). Elections live in election.ts, replication in
 * replication.ts, what each role does with a message in roles.ts, reads in read-only.ts,
 * configuration in membership.ts.
 */
import { campaign, handleVoteRequest } from './election.js';
import { answerPreVote, canQuiesce, isLateAnswer, peerLiveness, quiesceLeader, wake } from './quiesce.js';
import { RaftLog } from './log.js';
import { applyConfChange, bootstrapEntries, confStateAt, decodeConfChange, encodeConfChange, validateConfChange } from './membership.js';
import { ReadOnly } from './read-only.js';
import { bcastAppend, bcastHeartbeat, leaderRead, sendAppend, sendTimeoutNow, stallCheck } from './replication.js';
import { stepCandidate, stepFollower, stepLeader } from './roles.js';
import { Tracker } from './tracker.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, RaftFaults, RaftStorageState, ReadState, Ready, Role } from './types.js';

export interface RaftConfig {
  readonly id: NodeId;
  /** Voters of a brand-new group; ignored once storage holds a snapshot or entries. */
  readonly peers?: readonly NodeId[];
  readonly storage: RaftStorageState;
  /** Ticks without a leader before an election; randomised in [electionTick, 2 * electionTick). */
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Entries per append message (batching); 1 turns batching off. */
  readonly maxEntriesPerAppend?: number;
  /** Appends in flight per follower (pipelining). */
  readonly maxInflight?: number;
  /** In [0, 1): the election timeout jitter; seeded in the simulation. */
  readonly random?: () => number;
  readonly faults?: RaftFaults;
  /** Idle groups stop heartbeating (quiesce.ts); the shell must then report peers' liveness. */
  readonly quiesce?: boolean;
  /** Whether a peer's node is in reach (the shell's node-level heartbeats); all are without it. */
  readonly live?: (id: NodeId) => boolean;
}

const EMPTY = new Uint8Array(0);

export class Raft {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly tracker: Tracker;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxEntriesPerAppend: number;
  readonly faults: RaftFaults;
  readonly readOnly = new ReadOnly();
  term: number;
  vote: NodeId | null;
  lead: NodeId | null = null;
  role: Role = 'follower';
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId | null = null;
  /** A leader proposes no configuration change while an earlier one is not applied. */
  pendingConfIndex = 0;
  /** The index of the last configuration entry applied. */
  confIndex = 0;
  /** Reads asked of a leader before it committed an entry of its term (thesis §6.4 step 1). */
  pendingReads: { from: NodeId; context: string }[] = [];
  messages: Message[] = [];
  readStates: ReadState[] = [];
  /** Set when proposals are waiting to be broadcast: one append carries them all. */
  needBroadcast = false;
  /** Idle: no ticks, no heartbeats, until a message, a proposal or the shell's liveness news. */
  quiesced = false;
  /** Woken by a member's pre-vote: at the next election timeout, ask only the leader (quiesce.ts). */
  askLeader = false;
  readonly #quiesce: boolean;
  readonly #live: (id: NodeId) => boolean;
  readonly #random: () => number;
  /** The hard state handed out in the last Ready: a change since needs persisting. */
  #handedHardState: HardState;

  constructor(config: RaftConfig) {
    this.id = config.id;
    this.electionTick = config.electionTick ?? 10;
    this.heartbeatTick = config.heartbeatTick ?? 1;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.maxEntriesPerAppend = config.maxEntriesPerAppend ?? 256;
    this.faults = config.faults ?? {};
    this.#random = config.random ?? Math.random;
    this.#quiesce = config.quiesce ?? false;
    this.#live = config.live ?? (() => true);
    const stored = config.storage;
    const peers = config.peers ?? [];
    const hard = stored.hardState;
    const fresh = stored.snapshot === undefined && stored.entries.length === 0 && hard.term === 0 && hard.vote === null && hard.commit === 0;
    const bootstrap = fresh && peers.length > 0;
    const storage = bootstrap ? { hardState: { term: 0, vote: null, commit: 1 }, snapshot: undefined, entries: bootstrapEntries(peers) } : stored;
    this.log = new RaftLog(storage);
    if (bootstrap) {
      // Not on disk yet: the first Ready writes it.
      this.log.unstable = 1;
      this.log.stable = 0;
    }
    this.term = storage.hardState.term;
    this.vote = storage.hardState.vote;
    this.#handedHardState = stored.hardState;
    // Without a snapshot, `peers` stands for a log that predates bootstrap entries (scripted tests).
    const base = storage.snapshot?.conf ?? { voters: fresh ? [] : [...peers], learners: [] };
    const { conf, index } = confStateAt(base, this.log, storage.snapshot?.index ?? 0);
    this.tracker = new Tracker(conf, config.maxInflight ?? 256);
    this.confIndex = index;
    this.#resetElectionTimeout();
  }

  /** A voter of the current configuration: only those campaign. */
  promotable(): boolean {
    return this.tracker.isVoter(this.id);
  }

  /** Every caller passes a fresh literal, which becomes the message: a copy cost more than the rest of a send. */
  send(message: Omit<Message, 'from' | 'term'> & { term?: number }): void {
    const out = message as { -readonly [K in keyof Message]: Message[K] };
    out.from = this.id;
    out.term ??= this.term;
    this.messages.push(out);
  }

  // --- inputs -----------------------------------------------------------------------------

  tick(): void {
    if (this.quiesced) return;
    if (this.role === 'leader') this.#tickLeader();
    else this.#tickElection();
  }

  step(m: Message): void {
    if (this.quiesced && m.quiesce !== true && !isLateAnswer(this, m)) {
      if (answerPreVote(this, m)) return;
      wake(this);
    }
    if (m.term > this.term) {
      if (m.type === 'preVote' || m.type === 'vote') {
        const inLease = this.checkQuorum && this.lead !== null && this.electionElapsed < this.electionTick;
        // Check-quorum's lease: a member that hears from a live leader ignores a disruptive
        // candidate (thesis §4.2.3), unless the leader itself asked for the election.
        if (inLease && m.context !== 'transfer') return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // A pre-vote changes no term: it only asks whether an election could be won.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // A leader cut off by a partition must learn the new term, or pre-vote keeps it stuck.
        this.send({ type: 'appendResp', to: m.from });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, reject: true });
      }
      return;
    }
    if (m.type === 'preVote' || m.type === 'vote') {
      handleVoteRequest(this, m);
      return;
    }
    switch (this.role) {
      case 'leader':
        stepLeader(this, m);
        return;
      case 'candidate':
      case 'preCandidate':
        stepCandidate(this, m);
        return;
      case 'follower':
        stepFollower(this, m);
    }
  }

  /** Appends a command; the index it will have, or undefined when this member cannot take it. */
  propose(data: Uint8Array): number | undefined {
    if (this.role !== 'leader' || this.leadTransferee !== null) return undefined;
    return this.#appendOwn('normal', data);
  }

  proposeConfChange(change: ConfChange): number | undefined {
    if (this.role !== 'leader' || this.leadTransferee !== null) return undefined;
    if (!validateConfChange(this, change)) return undefined;
    const index = this.#appendOwn('conf', encodeConfChange(change));
    this.pendingConfIndex = index;
    return index;
  }

  /** Asks for a linearizable read; its ReadState comes in a later Ready. False when no leader is known. */
  readIndex(context: string): boolean {
    wake(this);
    if (this.role === 'leader') {
      leaderRead(this, this.id, context);
      return true;
    }
    if (this.lead === null) return false;
    this.send({ type: 'readIndex', to: this.lead, context });
    return true;
  }

  /** Leadership transfer (thesis §3.10): catch the target up, then tell it to campaign now. */
  transferLeadership(to: NodeId): boolean {
    if (this.role !== 'leader' || to === this.id || !this.tracker.isVoter(to)) return false;
    if (this.leadTransferee === to) return true;
    wake(this);
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const progress = this.tracker.progress.get(to);
    if (progress !== undefined && progress.match === this.log.lastIndex) sendTimeoutNow(this, to);
    else sendAppend(this, to);
    return true;
  }

  /** Starts an election now (tests and bootstrap of a single member). */
  campaign(): void {
    campaign(this, this.preVote ? 'preVote' : 'vote');
  }

  /** The shell's news that a peer's node went out of reach or came back (quiesce.ts). */
  peerLiveness(peer: NodeId, live: boolean): void {
    peerLiveness(this, peer, live, this.#live);
  }

  /** The shell saved the machine at `index` (applied): drop the log before it. */
  /** `conf`: the configuration when the machine's state was taken, if that was before now. */
  compact(index: number, data: Uint8Array, conf: ConfState = this.tracker.conf): void {
    const term = this.log.term(index);
    if (term === undefined || index <= this.log.snapshotIndex) return;
    this.log.compact({ index, term, conf, data });
  }

  // --- outputs ----------------------------------------------------------------------------

  hasReady(): boolean {
    this.#flushProposals();
    const log = this.log;
    return (
      this.messages.length > 0 ||
      log.pendingSnapshot !== undefined ||
      log.unstable <= log.lastIndex ||
      log.nextCommitted(this.faults.applyBeforeCommit === true).length > 0 ||
      this.readStates.length > 0 ||
      this.#hardStateChanged()
    );
  }

  ready(): Ready {
    this.#flushProposals();
    const log = this.log;
    const entries = log.unstableEntries();
    const hard = this.hardState();
    const prev = this.#handedHardState;
    const termOrVote = hard.term !== prev.term || hard.vote !== prev.vote;
    const changed = this.#hardStateChanged() || (termOrVote && entries.length > 0);
    const snapshot = log.pendingSnapshot;
    const acksEarly = this.faults.ackBeforeFsync === true && this.role !== 'leader';
    const mustSync = snapshot !== undefined || (changed && termOrVote) || (entries.length > 0 && !acksEarly);
    const committedEntries = log.nextCommitted(this.faults.applyBeforeCommit === true);
    const ready: Ready = {
      snapshot,
      entries,
      hardState: changed ? hard : undefined,
      mustSync,
      messages: this.messages,
      committedEntries,
      readStates: this.readStates,
    };
    if (changed) this.#handedHardState = hard;
    log.pendingSnapshot = undefined;
    log.unstable = log.lastIndex + 1;
    if (committedEntries.length > 0) log.applying = committedEntries.at(-1)!.index;
    this.messages = [];
    this.readStates = [];
    return ready;
  }

  /** The shell did what `ready` asked: it is on disk, sent, and applied. */
  advance(ready: Ready): void {
    const log = this.log;
    if (ready.snapshot !== undefined) {
      // The shell installed it in its machine: it is applied, whatever the log did since.
      log.applied = Math.max(log.applied, ready.snapshot.index);
      if (log.snapshotIndex === ready.snapshot.index) log.stable = Math.max(log.stable, ready.snapshot.index);
    }
    const last = ready.entries.at(-1);
    if (last !== undefined && log.matchTerm(last.index, last.term)) log.stable = Math.max(log.stable, last.index);
    for (const entry of ready.committedEntries) {
      if (entry.type === 'conf' && entry.index > this.confIndex) {
        this.confIndex = entry.index;
        applyConfChange(this, decodeConfChange(entry.data));
      }
    }
    const applied = ready.committedEntries.at(-1);
    if (applied !== undefined) log.applied = Math.max(log.applied, applied.index);
    if (this.role === 'leader') {
      // The leader counts its own copy only once it is on disk (thesis §10.2.1).
      const own = this.tracker.progress.get(this.id);
      if (own !== undefined && own.maybeUpdate(log.stable) && this.maybeCommit()) bcastAppend(this);
    }
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  // --- role changes -----------------------------------------------------------------------

  becomeFollower(term: number, lead: NodeId | null): void {
    this.#reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    this.tracker.votes.clear();
    this.lead = null;
    this.quiesced = false;
    this.role = 'preCandidate';
  }

  becomeCandidate(): void {
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    this.#reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.tracker.resetProgress(this.log.lastIndex);
    const own = this.tracker.progress.get(this.id);
    if (own !== undefined) {
      own.becomeReplicate();
      own.match = this.log.stable;
    }
    // No configuration change until every earlier one, possibly uncommitted, is applied.
    this.pendingConfIndex = this.log.lastIndex;
    // An entry of the new term: committing it commits every earlier entry (Raft §5.4.2).
    this.#appendOwn('normal', EMPTY);
  }

  /** Raft §5.3/§5.4.2: commit what a majority holds, but only by counting an entry of this term. */
  maybeCommit(): boolean {
    const index = this.tracker.committed();
    if (index <= this.log.committed) return false;
    if (this.log.term(index) !== this.term && this.faults.commitOldTermByCount !== true) return false;
    this.log.commitTo(index);
    if (this.pendingReads.length > 0 && this.log.term(this.log.committed) === this.term) {
      const reads = this.pendingReads;
      this.pendingReads = [];
      for (const read of reads) leaderRead(this, read.from, read.context);
    }
    return true;
  }

  // --- internals --------------------------------------------------------------------------

  #appendOwn(type: Entry['type'], data: Uint8Array): number {
    wake(this);
    const index = this.log.lastIndex + 1;
    this.log.append([{ term: this.term, index, type, data }]);
    this.needBroadcast = true;
    return index;
  }

  #flushProposals(): void {
    if (!this.needBroadcast) return;
    this.needBroadcast = false;
    if (this.role === 'leader') bcastAppend(this, false);
  }

  #hardStateChanged(): boolean {
    const hard = this.hardState();
    const prev = this.#handedHardState;
    // The planted bug: a new term and vote reach the disk only with the next other write.
    if (this.faults.voteWithoutPersist === true) return hard.commit !== prev.commit;
    return hard.term !== prev.term || hard.vote !== prev.vote || hard.commit !== prev.commit;
  }

  #reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.quiesced = false;
    this.askLeader = false;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.#resetElectionTimeout();
    this.leadTransferee = null;
    this.tracker.votes.clear();
    this.readOnly.reset();
    this.pendingReads = [];
  }

  #resetElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTick + Math.floor(this.#random() * this.electionTick);
  }

  #tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      if (this.askLeader && this.lead !== null && this.#live(this.lead)) {
        this.askLeader = false;
        this.send({ type: 'preVote', to: this.lead, term: this.term + 1, index: this.log.lastIndex, logTerm: this.log.lastTerm });
        return;
      }
      this.campaign();
    }
  }

  #tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTick) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        // Check-quorum (thesis §6.2): a leader that has not heard from a majority steps down.
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.term, null);
          return;
        }
        this.tracker.resetRecentActive();
      }
      this.leadTransferee = null;
    }
    stallCheck(this);
    if (this.heartbeatElapsed >= this.heartbeatTick) {
      this.heartbeatElapsed = 0;
      if (this.#quiesce && canQuiesce(this, this.#live)) quiesceLeader(this, this.#live);
      else bcastHeartbeat(this, this.readOnly.lastContext());
    }
  }
}
