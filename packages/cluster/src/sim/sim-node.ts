/**
 * One simulated member: the real Raft and the replicated machine inside a shell like
 * raft-node.ts, over a SimDisk and the SimNetwork. It processes one Ready at a time in the
 * shell's order: write, fsync (taking simulated time), then send, apply, advance. Only the
 * leader carries out the machine's effects. A crash ends this incarnation; callbacks it left
 * behind are ignored. With quiescence, it tracks which peers are in reach from everything it
 * hears (node-level heartbeats included), as a real node's cluster transport does.
 */
import type { ReplicatedMachine } from '../machine.js';
import { OUT_OF_REACH_TIMEOUTS, PeerLiveness } from '../node/peer-liveness.js';
import { Raft } from '../raft/raft.js';
import type { Entry, Message, NodeId, RaftFaults, Ready } from '../raft/types.js';
import type { SimDisk } from './disk.js';
import type { EventQueue } from './event-queue.js';
import type { Observer } from './observer.js';
import type { Prng } from './prng.js';

export interface SimNodeEnv<S, C, E> {
  readonly clock: EventQueue;
  readonly dice: Prng;
  readonly observer: Observer;
  readonly machine: ReplicatedMachine<S, C, E>;
  readonly faults: RaftFaults;
  readonly electionTick: number;
  /** Compact the log once this many entries are applied past the last snapshot. */
  readonly snapshotEvery: number;
  readonly maxEntriesPerAppend: number;
  readonly maxInflight: number;
  /** Idle groups quiesce; the world then carries node-level heartbeats (beat / heard). */
  readonly quiesce: boolean;
  /**
   * As raft-node.ts: a leader's appends leave before its own fsync, and committed entries already
   * on this member's disk apply before the fsync of newer ones.
   */
  readonly pipelined: boolean;
  /** Every member but this one (whom it hears node-level heartbeats from). */
  readonly peers: readonly NodeId[];
  send(message: Message): void;
  /** This member just became leader, or applied entries while leading (for triggered faults). */
  onLeaderEvent(node: NodeId, event: 'elected' | 'applied'): void;
  /** Effects of every applied command; only those applied while leading are carried out. */
  effects(node: NodeId, effects: readonly E[], leading: boolean): void;
}

/**
 * Decoded commands by the bytes they came from. In the simulation every member holds the same
 * entry objects (messages and disks pass them by reference), so each is decoded once, not once
 * per member: decoding is a pure function of the bytes, and this is the simulator's time.
 */
const decoded = new WeakMap<Uint8Array, unknown>();

export class SimNode<S, C, E> {
  raft: Raft;
  state: S;
  up = true;
  /** Milliseconds per fsync; raised by the slow-disk fault. */
  fsyncMs = 1;
  #incarnation = 0;
  /** Read-index requests in flight: context -> the read index once known, and the answer. */
  readonly #reads = new Map<string, { index: number; answer: (state: S) => void }>();
  #busy = false;
  #wasLeaderTerm = -1;
  #liveness: PeerLiveness;
  /** The term and vote known to be synced (raft-node.ts's rule: a leader sends early only without a change to them). */
  #durable = { term: 0, vote: null as NodeId | null };

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
    /** The first configuration's voters; empty for a member that joins later. */
    private readonly peers: readonly NodeId[],
    private readonly env: SimNodeEnv<S, C, E>,
  ) {
    this.#liveness = this.#newLiveness();
    this.raft = this.#boot();
    this.#durable = { term: this.raft.term, vote: this.raft.vote };
    this.state = this.#restoreState();
  }

  #newLiveness(): PeerLiveness {
    return new PeerLiveness(OUT_OF_REACH_TIMEOUTS * this.env.electionTick, (peer, live) => {
      this.raft.peerLiveness(peer, live);
      this.pump();
    });
  }

  #boot(): Raft {
    const dice = this.env.dice.fork();
    return new Raft({
      quiesce: this.env.quiesce,
      live: (peer) => this.#liveness.isLive(peer),
      id: this.id,
      peers: this.peers,
      storage: this.disk.read(),
      electionTick: this.env.electionTick,
      heartbeatTick: 1,
      random: () => dice.next(),
      faults: this.env.faults,
      maxInflight: this.env.maxInflight,
      maxEntriesPerAppend: this.env.maxEntriesPerAppend,
    });
  }

  #restoreState(): S {
    const snapshot = this.raft.log.snapshot;
    this.env.observer.restored(this.id, snapshot?.index ?? 0);
    return snapshot === undefined ? this.env.machine.init() : this.env.machine.restore(snapshot.data);
  }

  crash(powerLoss: boolean): void {
    if (!this.up) return;
    this.up = false;
    this.#incarnation++;
    this.#reads.clear();
    this.#busy = false;
    if (powerLoss) this.disk.powerLoss();
    else this.disk.crash();
  }

  restart(): void {
    if (this.up) return;
    this.up = true;
    this.#wasLeaderTerm = -1;
    this.#liveness = this.#newLiveness();
    this.raft = this.#boot();
    this.#durable = { term: this.raft.term, vote: this.raft.vote };
    this.state = this.#restoreState();
  }

  /** A linearizable read (read-index): `answer` gets the machine state once it covers the read. */
  read(context: string, answer: (state: S) => void): boolean {
    if (!this.up || !this.raft.readIndex(context)) return false;
    this.#reads.set(context, { index: Number.POSITIVE_INFINITY, answer });
    this.pump();
    return true;
  }

  tick(): void {
    if (!this.up) return;
    if (this.env.quiesce) this.#liveness.check(this.env.peers);
    this.raft.tick();
    this.pump();
  }

  /** A node-level heartbeat (or any message) came from `peer`. */
  heard(peer: NodeId): void {
    if (this.up) this.#liveness.heard(peer);
  }

  receive(message: Message): void {
    if (!this.up) return;
    this.#liveness.heard(message.from);
    this.raft.step(message);
    this.pump();
  }

  /** Runs the next Ready if none is in flight. */
  pump(): void {
    if (!this.up) return;
    const raft = this.raft;
    if (raft.role === 'leader' && this.#wasLeaderTerm !== raft.term) {
      this.#wasLeaderTerm = raft.term;
      this.env.observer.leader(this.id, raft.term, raft.log);
      this.env.onLeaderEvent(this.id, 'elected');
    }
    if (this.#busy || !raft.hasReady()) return;
    const ready = raft.ready();
    const first = ready.entries[0];
    if (first !== undefined) this.env.observer.appended(this.id, ready.entries, raft.log.term(first.index - 1));
    if (ready.snapshot !== undefined) this.disk.write({ kind: 'install', snapshot: ready.snapshot });
    if (ready.entries.length > 0) this.disk.write({ kind: 'entries', entries: ready.entries });
    if (ready.hardState !== undefined) this.disk.write({ kind: 'hardState', hardState: ready.hardState });
    if (!ready.mustSync) {
      this.#finish(ready, true);
      return;
    }
    // As raft-node.ts: a leader's appends leave before its own fsync, unless its term or vote changed.
    const hard = ready.hardState;
    const termOrVote = hard !== undefined && (hard.term !== this.#durable.term || hard.vote !== this.#durable.vote);
    const early = this.env.pipelined && raft.role === 'leader' && ready.snapshot === undefined && !termOrVote;
    if (early) for (const message of ready.messages) this.env.send(message);
    const applied = this.env.pipelined ? this.#applyStable(ready) : 0;
    this.#busy = true;
    const incarnation = this.#incarnation;
    const synced = this.disk.beginSync();
    this.env.clock.after(this.fsyncMs * this.env.dice.between(0.5, 1.5), () => {
      if (incarnation !== this.#incarnation) return;
      synced();
      if (hard !== undefined) this.#durable = { term: hard.term, vote: hard.vote };
      this.#busy = false;
      this.#finish(ready, !early, applied);
    });
  }

  /** As raft-node.ts: the committed entries already on disk apply before this Ready's fsync. */
  #applyStable(ready: Ready): number {
    if (ready.snapshot !== undefined) return 0;
    const stable = this.raft.log.stable;
    let count = 0;
    while (count < ready.committedEntries.length && ready.committedEntries[count]!.index <= stable) count++;
    this.#applyEntries(ready.committedEntries.slice(0, count));
    return count;
  }

  #applyEntries(entries: readonly Entry[]): void {
    const leading = this.raft.role === 'leader';
    for (const entry of entries) {
      this.env.observer.apply(this.id, entry, this.raft.term);
      if (entry.type !== 'normal' || entry.data.length === 0) continue;
      const { state, effects } = this.env.machine.apply(this.state, this.#decode(entry.data), entry);
      this.state = state;
      if (effects.length > 0) this.env.effects(this.id, effects, leading);
    }
  }

  #finish(ready: Ready, send: boolean, applied = 0): void {
    if (send) for (const message of ready.messages) this.env.send(message);
    if (ready.snapshot !== undefined) {
      this.state = this.env.machine.restore(ready.snapshot.data);
      this.env.observer.restored(this.id, ready.snapshot.index);
    }
    const leading = this.raft.role === 'leader';
    this.#applyEntries(ready.committedEntries.slice(applied));
    this.raft.advance(ready);
    for (const read of ready.readStates) {
      const waiting = this.#reads.get(read.context);
      if (waiting !== undefined) waiting.index = read.index;
    }
    for (const [context, read] of this.#reads) {
      if (read.index > this.raft.log.applied) continue;
      this.#reads.delete(context);
      read.answer(this.state);
    }
    if (leading && ready.committedEntries.length > 0) this.env.onLeaderEvent(this.id, 'applied');
    this.#maybeCompact();
    this.pump();
  }

  #decode(data: Uint8Array): C {
    let command = decoded.get(data) as C | undefined;
    if (command === undefined) {
      command = this.env.machine.decode(data);
      decoded.set(data, command);
    }
    return command;
  }

  #maybeCompact(): void {
    const log = this.raft.log;
    if (log.applied - log.snapshotIndex < this.env.snapshotEvery) return;
    this.raft.compact(log.applied, this.env.machine.snapshot(this.state));
    const snapshot = log.snapshot;
    if (snapshot !== undefined) this.disk.write({ kind: 'compact', snapshot });
  }
}
