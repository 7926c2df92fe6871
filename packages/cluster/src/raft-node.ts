/**
 * The thin shell around the pure Raft (etcd's node.go, ra's ra_server_proc): a timer ticks it,
 * the transport feeds it messages, and each Ready is carried out in order: persist (one LevelDB
 * batch, synced when it must be) -> send -> apply to the machine -> advance. One Ready is in
 * flight at a time; whatever arrives meanwhile joins the next one, which is the group commit.
 */
import type { ReplicatedMachine, SnapshotWriter } from './machine.js';
import { Raft } from './raft/raft.js';
import type { ConfChange, ConfState, Entry, Message, NodeId, RaftStorageState, Ready, Role, Snapshot } from './raft/types.js';

/** Where a member keeps its Raft state (LevelRaftStorage). */
export interface RaftStorage {
  load(): Promise<RaftStorageState>;
  /** Persists a Ready; `done` only once it is on disk (synced when the Ready must sync). */
  save(ready: Ready, done: (error?: Error) => void): void;
  compact(snapshot: Snapshot): void;
}

/** How a member reaches the others (PeerTransport, or a group's link on the cluster port). */
export interface PeerLink {
  send(messages: readonly Message[]): void;
  onMessage: (message: Message) => void;
  /** A node's shared clock and peer liveness: with one, idle groups quiesce (raft/quiesce.ts). */
  readonly host?: GroupHost;
}

/**
 * What a node hosting many groups gives each of them: one timer ticking only the groups that are
 * awake, and its peers' liveness from node-level heartbeats, one per pair of nodes
 * (node/group-clock.ts). A quiesced group costs no tick and sends no heartbeat.
 */
export interface GroupHost {
  join(group: HostedGroup): void;
  leave(group: HostedGroup): void;
  /** The group has work again: tick it. */
  awake(group: HostedGroup): void;
  live(peer: NodeId): boolean;
}

export interface HostedGroup {
  /** One tick; false once the group is quiesced (it is not ticked again until awake). */
  tick(): boolean;
  /** A peer's node went out of reach (false) or came back (true). */
  peerLiveness(peer: NodeId, live: boolean): void;
  /** Whether this member leads, and whether it is settled: quiesced under a known leader. */
  readonly leads: boolean;
  readonly settled: boolean;
}

export interface RaftNodeOptions<S, C, E> {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly storage: RaftStorage;
  readonly transport: PeerLink;
  readonly machine: ReplicatedMachine<S, C, E>;
  readonly tickMs?: number;
  readonly electionTick?: number;
  readonly maxEntriesPerAppend?: number;
  readonly maxInflight?: number;
  /** Take a snapshot and compact the log once this many entries are applied past the last one. */
  readonly snapshotEvery?: number;
  /** Effects of each applied command, and whether this member led when it applied it. */
  readonly onEffects?: (effects: readonly E[], leading: boolean) => void;
}

/** A proposal made to a member that does not lead; `leader` is its best guess. */
export class NotLeaderError extends Error {
  readonly code = 'not_leader';

  constructor(readonly leader: NodeId | null) {
    super(leader === null ? 'no leader is known' : `not the leader; try ${leader}`);
  }
}

/** How long one slice of a snapshot being written may hold the event loop, ms. */
const SNAPSHOT_SLICE_MS = 1;

interface Waiter {
  readonly term: number;
  resolve(index: number): void;
  reject(error: Error): void;
}

export class RaftNode<S, C, E> {
  readonly raft: Raft;
  #state: S;
  #saving = false;
  /** The term and vote known to be on disk: a Ready that changes them waits for its write to send anything. */
  #durable: { term: number; vote: NodeId | null };
  #stopped = false;
  #scheduled = false;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #host: GroupHost | undefined;
  readonly #hosted: HostedGroup;
  readonly #waiters = new Map<number, Waiter>();
  readonly #reads = new Map<string, { resolve(): void; index: number }>();
  #readSeq = 0;
  #idle: (() => void) | undefined;
  /** A snapshot being written in slices: the index it is taken at and the configuration then. */
  #writing: { index: number; conf: ConfState; writer: SnapshotWriter } | undefined;

  private constructor(
    private readonly options: RaftNodeOptions<S, C, E>,
    raft: Raft,
    state: S,
  ) {
    this.raft = raft;
    this.#durable = { term: raft.term, vote: raft.vote };
    this.#state = state;
    options.transport.onMessage = (m) => {
      if (this.#stopped) return;
      this.raft.step(m);
      this.#schedule();
    };
    this.#host = options.transport.host;
    this.#hosted = {
      tick: () => {
        this.raft.tick();
        this.#schedule();
        return !this.raft.quiesced;
      },
      peerLiveness: (peer, live) => {
        this.raft.peerLiveness(peer, live);
        if (!this.raft.quiesced) this.#schedule();
      },
      get leads() {
        return raft.role === 'leader';
      },
      get settled() {
        return raft.quiesced && raft.lead !== null;
      },
    };
    if (this.#host === undefined) {
      this.#timer = setInterval(() => {
        this.raft.tick();
        this.#schedule();
      }, options.tickMs ?? 50);
    } else {
      this.#host.join(this.#hosted);
    }
    // A new group's bootstrap entry goes to disk at once, not at the first tick.
    this.#schedule();
  }

  static async start<S, C, E>(options: RaftNodeOptions<S, C, E>): Promise<RaftNode<S, C, E>> {
    const storage = await options.storage.load();
    const host = options.transport.host;
    const raft = new Raft({
      id: options.id,
      peers: options.peers,
      storage,
      quiesce: host !== undefined,
      ...(host === undefined ? {} : { live: (peer: NodeId) => host.live(peer) }),
      electionTick: options.electionTick ?? 10,
      maxEntriesPerAppend: options.maxEntriesPerAppend ?? 256,
      maxInflight: options.maxInflight ?? 256,
    });
    const snapshot = raft.log.snapshot;
    const state = snapshot === undefined ? options.machine.init() : options.machine.restore(snapshot.data);
    return new RaftNode(options, raft, state);
  }

  get role(): Role {
    return this.raft.role;
  }

  get leader(): NodeId | null {
    return this.raft.lead;
  }

  get state(): S {
    return this.#state;
  }

  /** Resolves with the command's log index once it is committed and applied here. */
  propose(command: C): Promise<number> {
    const index = this.raft.propose(this.options.machine.encode(command));
    if (index === undefined) return Promise.reject(new NotLeaderError(this.raft.lead));
    this.#schedule();
    return new Promise((resolve, reject) => this.#waiters.set(index, { term: this.raft.term, resolve, reject }));
  }

  proposeConfChange(change: ConfChange): Promise<number> {
    const index = this.raft.proposeConfChange(change);
    if (index === undefined) return Promise.reject(new NotLeaderError(this.raft.lead));
    this.#schedule();
    return new Promise((resolve, reject) => this.#waiters.set(index, { term: this.raft.term, resolve, reject }));
  }

  /**
   * Resolves once the machine here reflects every write committed before the call (read-index).
   * Rejects after two election timeouts: the request or its answer may be lost with a leader.
   */
  read(): Promise<void> {
    const context = `${this.options.id}:${++this.#readSeq}`;
    if (!this.raft.readIndex(context)) return Promise.reject(new NotLeaderError(null));
    this.#schedule();
    const limit = 2 * this.raft.electionTick * (this.options.tickMs ?? 50);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#reads.delete(context)) reject(new NotLeaderError(this.raft.lead));
      }, limit);
      this.#reads.set(context, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        index: Number.POSITIVE_INFINITY,
      });
    });
  }

  transferLeadership(to: NodeId): boolean {
    const started = this.raft.transferLeadership(to);
    this.#schedule();
    return started;
  }

  campaign(): void {
    this.raft.campaign();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#host?.leave(this.#hosted);
    if (this.#saving) await new Promise<void>((resolve) => (this.#idle = resolve));
    for (const waiter of this.#waiters.values()) waiter.reject(new Error('raft node stopped'));
    this.#waiters.clear();
  }

  /** Inputs of one event-loop turn share one Ready. */
  #schedule(): void {
    if (this.#host !== undefined && !this.raft.quiesced && !this.#stopped) this.#host.awake(this.#hosted);
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#saving || this.#stopped || !this.raft.hasReady()) return;
    const ready = this.raft.ready();
    const hard = ready.hardState;
    const termOrVote = hard !== undefined && (hard.term !== this.#durable.term || hard.vote !== this.#durable.vote);
    if (ready.snapshot === undefined && ready.entries.length === 0 && !termOrVote) {
      // At most a new commit index to write: nothing the messages or the applies depend on waits
      // for the disk (entries are durable before they count; a lost commit index is learnt again).
      if (hard !== undefined) this.options.storage.save(ready, (error) => error !== undefined && this.#fail(error));
      this.#carryOut(ready, true);
      return;
    }
    // A leader's appends leave before its own write is done (thesis §10.2.1), so its fsync and its
    // followers' run at once: it counts its own copy towards commit only once advance() says it
    // is on disk. Never with a new term or vote, and never a follower's answer (it vouches for its disk).
    const early = this.raft.role === 'leader' && ready.snapshot === undefined && !termOrVote;
    if (early && ready.messages.length > 0) this.options.transport.send(ready.messages);
    const applied = this.#applyStable(ready);
    this.#saving = true;
    this.options.storage.save(ready, (error) => {
      this.#saving = false;
      if (error !== undefined) {
        this.#fail(error);
        return;
      }
      if (hard !== undefined) this.#durable = { term: hard.term, vote: hard.vote };
      if (this.#stopped) {
        this.#idle?.();
        return;
      }
      this.#carryOut(ready, !early, applied);
    });
  }

  /** A member that cannot persist must not answer anything: stop, as etcd panics. */
  #fail(error: Error): void {
    if (this.#stopped && this.#idle === undefined) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#host?.leave(this.#hosted);
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#idle?.();
  }

  #carryOut(ready: Ready, send: boolean, applied = 0): void {
    if (send && ready.messages.length > 0) this.options.transport.send(ready.messages);
    this.#apply(ready, applied);
    this.raft.advance(ready);
    this.#maybeCompact();
    this.#pump();
  }

  /**
   * Applies, before this Ready's write, the committed entries this member already has on disk:
   * committed, they are on a majority's disks, so their confirms and deliveries wait for no fsync
   * of newer entries. Returns how many it applied; the rest wait for the write as before.
   */
  #applyStable(ready: Ready): number {
    if (ready.snapshot !== undefined) return 0;
    const stable = this.raft.log.stable;
    let count = 0;
    while (count < ready.committedEntries.length && ready.committedEntries[count]!.index <= stable) count++;
    this.#applyEntries(ready.committedEntries, 0, count);
    return count;
  }

  #applyEntries(entries: readonly Entry[], from: number, to: number): void {
    const machine = this.options.machine;
    const leading = this.raft.role === 'leader';
    for (let i = from; i < to; i++) {
      const entry = entries[i]!;
      if (entry.type === 'normal' && entry.data.length > 0) {
        const { state, effects } = machine.apply(this.#state, machine.decode(entry.data), entry);
        this.#state = state;
        if (effects.length > 0) this.options.onEffects?.(effects, leading);
      }
      this.#settle(entry);
    }
  }

  /** Carries out what the write of `ready` waited for: its snapshot, and its committed entries from `from` on. */
  #apply(ready: Ready, from: number): void {
    if (ready.snapshot !== undefined) this.#state = this.options.machine.restore(ready.snapshot.data);
    this.#applyEntries(ready.committedEntries, from, ready.committedEntries.length);
    for (const read of ready.readStates) {
      const waiting = this.#reads.get(read.context);
      if (waiting !== undefined) waiting.index = read.index;
    }
    const applied = ready.committedEntries.at(-1)?.index ?? ready.snapshot?.index ?? this.raft.log.applied;
    for (const [context, read] of this.#reads) {
      if (read.index <= applied) {
        this.#reads.delete(context);
        read.resolve();
      }
    }
  }

  #settle(entry: Entry): void {
    const waiter = this.#waiters.get(entry.index);
    if (waiter === undefined) return;
    this.#waiters.delete(entry.index);
    if (entry.term === waiter.term) waiter.resolve(entry.index);
    else waiter.reject(new NotLeaderError(this.raft.lead));
  }

  #maybeCompact(): void {
    const log = this.raft.log;
    if (this.#writing !== undefined || log.applied - log.snapshotIndex < (this.options.snapshotEvery ?? 10_000)) return;
    const machine = this.options.machine;
    if (machine.snapshotWriter === undefined) {
      this.#compact(log.applied, this.raft.tracker.conf, machine.snapshot(this.#state));
      return;
    }
    this.#writing = { index: log.applied, conf: this.raft.tracker.conf, writer: machine.snapshotWriter(this.#state) };
    this.#writeSnapshot();
  }

  /**
   * One slice of the snapshot being written; the next waits for the next turn, after whatever came
   * in meanwhile. Entries applied meanwhile stay in the log: it is compacted up to the index the
   * snapshot was taken at, once written (unless a newer snapshot came from the leader first).
   */
  #writeSnapshot(): void {
    const writing = this.#writing;
    if (writing === undefined) return;
    if (this.#stopped) {
      this.#writing = undefined;
      return;
    }
    const data = writing.writer.write(SNAPSHOT_SLICE_MS);
    if (data === undefined) {
      setImmediate(() => this.#writeSnapshot());
      return;
    }
    this.#writing = undefined;
    this.#compact(writing.index, writing.conf, data);
  }

  #compact(index: number, conf: ConfState, data: Uint8Array): void {
    const log = this.raft.log;
    const before = log.snapshot;
    this.raft.compact(index, data, conf);
    if (log.snapshot !== undefined && log.snapshot !== before) this.options.storage.compact(log.snapshot);
  }
}
