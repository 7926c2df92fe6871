/**
 * The cluster's metadata group: one Raft group with every node as a voter, whose log orders every
 * change to vhosts, exchanges, queues, bindings, policies, users and permissions. A command is
 * applied on every node, in log order, by the `apply` the server gives (it runs the change
 * against the node's own broker and answers what a client would have been answered), so each
 * node holds the same metadata and a node that was down replays what it missed from the log.
 *
 * The index of the last command applied here is kept beside the log (key `meta/applied`), so a
 * restart does not run commands twice; commands are written to be idempotent anyway (declare,
 * delete), for the crash between a change and that key.
 *
 * Compaction: every `snapshotter.every` entries, once this node has carried out every entry it
 * applied, it takes a snapshot of what they decided (metadata-snapshot.ts) and drops the log
 * before it. A node whose log ends before a leader's snapshot (down long, or new) is sent the
 * snapshot, and its broker converges to it before it carries out the entries after it; a node
 * that restarts with a snapshot newer than what its broker reflects does the same.
 */
import type { LevelKeyspace } from '@warren/store';
import type { ReplicatedMachine } from '../machine.js';
import { NotLeaderError, RaftNode } from '../raft-node.js';
import { decodeConfChange, encodeConfChange } from '../raft/membership.js';
import type { ConfChange } from '../raft/types.js';
import { LevelRaftStorage } from '../raft-storage.js';
import { ForwardError, type ClusterTransport } from './cluster-transport.js';
import { decodeMetadataSnapshot, encodeMetadataSnapshot, type MetadataSnapshot, type PeerChanges } from './metadata-snapshot.js';
import type { ClusterLogger } from './peers.js';

export const METADATA_GROUP = 'meta';

/** A change to the metadata: a management API request, already authorised where it was made. */
export interface MetadataCommand {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  /** Who made it (for the audit log of every node). */
  readonly user: string;
}

/** What applying a command answered on this node. */
export interface MetadataOutcome {
  readonly status: number;
  readonly contentType?: string;
  readonly body: string;
}

/** A committed command to carry out, or a snapshot to converge to. */
type Applied = { readonly index: number; readonly command: MetadataCommand } | { readonly index: number; readonly snapshot: MetadataSnapshot };

/**
 * Nothing else is decided in the log: the state is the index, the effect is the command. The
 * snapshots are taken by MetadataGroup (from the broker, once it caught up), never by RaftNode;
 * a restored one goes to `installed`.
 */
function metadataMachine(installed: (snapshot: MetadataSnapshot) => void): ReplicatedMachine<number, MetadataCommand, Applied> {
  return {
    init: () => 0,
    apply: (_state, command, meta) => ({ state: meta.index, effects: [{ index: meta.index, command }] }),
    snapshot: (state) => Buffer.from(String(state)),
    restore: (data) => {
      const snapshot = decodeMetadataSnapshot(data);
      installed(snapshot);
      return snapshot.index;
    },
    encode: (command) => Buffer.from(JSON.stringify(command)),
    decode: (data) => JSON.parse(Buffer.from(data).toString('utf8')) as MetadataCommand,
  };
}

const encodeCommand = (command: MetadataCommand): Uint8Array => Buffer.from(JSON.stringify(command));

/** What the metadata is beyond the log: taken into a snapshot, and converged to from one. */
export interface MetadataSnapshotter {
  /** Entries applied between two snapshots. */
  readonly every: number;
  /** Everything the entries up to `index` decided, as this node holds it (a JSON value). */
  take(index: number): { peers: PeerChanges; broker: unknown };
  /** Makes this node hold what `snapshot` holds: creates, updates and deletes what differs. */
  converge(snapshot: MetadataSnapshot): Promise<void>;
}

export class ClusterUnavailableError extends Error {
  readonly code = 'cluster_unavailable';
}

/** The promise, or a ClusterUnavailableError once the clock passes `deadline` (ms since the epoch). */
function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ClusterUnavailableError('no majority committed the change in time; it may still be committed later')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface MetadataGroupOptions {
  readonly id: string;
  readonly voters: readonly string[];
  readonly keyspace: LevelKeyspace;
  readonly transport: ClusterTransport;
  /** Carries out a committed command; `index` is its log index, the same on every node. */
  readonly apply: (command: MetadataCommand, index: number) => Promise<MetadataOutcome>;
  readonly logger: ClusterLogger;
  /** Without it the log is never compacted. */
  readonly snapshotter?: MetadataSnapshotter;
  readonly tickMs?: number;
  readonly electionTick?: number;
}

const APPLIED_KEY = 'meta/applied';
/** How long a change waits for a leader before it is refused (a few election timeouts). */
const PROPOSE_DEADLINE = 8_000;
/** How long a membership change may wait, a new member's catching up included. */
const MEMBERSHIP_DEADLINE = 30_000;
/** Outcomes kept for callers that learn their index after it was applied (forwarded proposals). */
const KEPT_OUTCOMES = 1_000;

export class MetadataGroup {
  #applied: number;
  #chain: Promise<void> = Promise.resolve();
  /** Committed commands handed over and not yet carried out. */
  #pending = 0;
  readonly #outcomes = new Map<number, MetadataOutcome>();
  readonly #waiters = new Map<number, ((outcome: MetadataOutcome) => void)[]>();
  /** A snapshot taken and not compacted to yet: the log keeps a tail behind it (#maybeSnapshot). */
  #taken: { index: number; data: Uint8Array; conf: string } | undefined;

  private constructor(
    private readonly options: MetadataGroupOptions,
    readonly node: RaftNode<number, MetadataCommand, Applied>,
    private readonly storage: LevelRaftStorage,
    applied: number,
  ) {
    this.#applied = applied;
  }

  static async start(options: MetadataGroupOptions): Promise<MetadataGroup> {
    const stored = await options.keyspace.get(APPLIED_KEY);
    const applied = stored === undefined ? 0 : Number(stored.toString('utf8'));
    const holder: { group?: MetadataGroup; loaded?: MetadataSnapshot } = {};
    const machine = metadataMachine((snapshot) => {
      // The first restore is the node's own snapshot, read at start; later ones come from a leader.
      if (holder.group === undefined) holder.loaded = snapshot;
      else holder.group.enqueue({ index: snapshot.index, snapshot });
    });
    const storage = new LevelRaftStorage(options.keyspace, `${METADATA_GROUP}/`);
    const node = await RaftNode.start({
      id: options.id,
      peers: options.voters,
      storage,
      transport: options.transport.group(METADATA_GROUP),
      machine,
      tickMs: options.tickMs,
      electionTick: options.electionTick,
      // Taken here once the broker caught up (#maybeSnapshot), not by RaftNode at its own applied index.
      snapshotEvery: Number.MAX_SAFE_INTEGER,
      onEffects: (effects) => {
        for (const effect of effects) holder.group?.enqueue(effect);
      },
    });
    const group = new MetadataGroup(options, node, storage, applied);
    holder.group = group;
    // Restarted with a snapshot newer than what the broker reflects (it was installed, then the node stopped).
    if (holder.loaded !== undefined && holder.loaded.index > applied) group.enqueue({ index: holder.loaded.index, snapshot: holder.loaded });
    options.transport.onForward = async (name, command, conf) => {
      if (name !== METADATA_GROUP) throw new Error(`no group '${name}' on this node`);
      return conf ? node.proposeConfChange(decodeConfChange(command)) : node.propose(machine.decode(command));
    };
    return group;
  }

  /** The log position this node's metadata reflects: every entry up to it is carried out here. */
  get applied(): number {
    return this.#pending === 0 ? Math.max(this.#applied, this.node.raft.log.applied) : this.#applied;
  }

  /** Whether this node has carried out every entry it knows to be committed. */
  get caughtUp(): boolean {
    return this.#pending === 0 && this.node.raft.log.applied >= this.node.raft.log.committed;
  }

  /**
   * Commits a change through the leader (forwarded over the cluster port when that is another
   * node) and resolves with what applying it answered here.
   */
  async change(command: MetadataCommand): Promise<MetadataOutcome> {
    const index = await this.#propose(command);
    return this.#outcomeOf(index);
  }

  async stop(): Promise<void> {
    await this.node.stop();
    await this.#chain;
  }

  /**
   * A membership change of the metadata group, one server at a time (replication.md): made by the
   * leader, forwarded to it from elsewhere, and retried until the leader takes it (a promotion
   * waits until the learner has caught up) or `deadline` ms pass.
   */
  async changeMembership(change: ConfChange, deadline = MEMBERSHIP_DEADLINE): Promise<number> {
    const index = await this.#untilLeaderTakes(
      () => this.node.proposeConfChange(change),
      (leader) => this.options.transport.forward(leader, METADATA_GROUP, encodeConfChange(change), true),
      deadline,
    );
    // The leader answered once it applied the change; this node shows it once it has too.
    const until = Date.now() + PROPOSE_DEADLINE;
    while (this.node.raft.log.applied < index && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    return index;
  }

  /** Voters and learners of the metadata group, as this node knows them. */
  members(): { voters: readonly string[]; learners: readonly string[] } {
    const conf = this.node.raft.tracker.conf;
    return { voters: conf.voters, learners: conf.learners };
  }

  #propose(command: MetadataCommand): Promise<number> {
    return this.#untilLeaderTakes(
      () => this.node.propose(command),
      (leader) => this.options.transport.forward(leader, METADATA_GROUP, encodeCommand(command)),
      PROPOSE_DEADLINE,
    );
  }

  async #untilLeaderTakes(here: () => Promise<number>, there: (leader: string) => Promise<number>, deadlineMs: number): Promise<number> {
    const deadline = Date.now() + deadlineMs;
    let lastError: Error | undefined;
    while (Date.now() < deadline) {
      const leader = this.node.leader;
      try {
        // A leader that loses its majority keeps the proposal in its log, uncommitted: wait no longer than the deadline.
        if (leader === this.options.id) return await beforeDeadline(here(), deadline);
        if (leader !== null) return await beforeDeadline(there(leader), deadline);
      } catch (error) {
        // Refused by a member that no longer leads (or not yet able to take it), or lost with a connection: ask again.
        if (!(error instanceof NotLeaderError) && !(error instanceof ForwardError)) throw error;
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new ClusterUnavailableError(`no metadata leader could commit the change${lastError === undefined ? '' : ` (${lastError.message})`}; is a majority of the cluster up?`);
  }

  /** What applying entry `index` answered here; a node cut off from its leader after the commit gives up. */
  #outcomeOf(index: number): Promise<MetadataOutcome> {
    const done = this.#outcomes.get(index);
    if (done !== undefined) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.#waiters.get(index)?.filter((w) => w !== waiter) ?? [];
        if (list.length === 0) this.#waiters.delete(index);
        else this.#waiters.set(index, list);
        reject(new ClusterUnavailableError(`the change was committed (metadata log index ${index}) but this node has not applied it yet; it will, once it hears from the leader`));
      }, PROPOSE_DEADLINE);
      const waiter = (outcome: MetadataOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const list = this.#waiters.get(index);
      if (list === undefined) this.#waiters.set(index, [waiter]);
      else list.push(waiter);
    });
  }

  /** Runs a committed command after those before it (RaftNode hands them over as it applies). */
  private enqueue(effect: Applied): void {
    this.#pending++;
    this.#chain = this.#chain.then(() => this.#run(effect)).finally(() => this.#pending--);
  }

  async #run(effect: Applied): Promise<void> {
    if (effect.index <= this.#applied) return;
    if ('snapshot' in effect) return this.#converge(effect.snapshot);
    const { index, command } = effect;
    let outcome: MetadataOutcome;
    try {
      outcome = await this.options.apply(command, index);
    } catch (error) {
      this.options.logger.error({ err: error, index, method: command.method, url: command.url }, 'a committed metadata change failed to apply');
      outcome = { status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal_error', reason: (error as Error).message }) };
    }
    this.#applied = index;
    // Unsynced and not waited for: the apply is idempotent and done before this is written, so a
    // crash that loses the mark only applies again; an fsync per change capped declares near 30/s.
    this.options.keyspace.put(APPLIED_KEY, Buffer.from(String(index)), false);
    this.#outcomes.set(index, outcome);
    if (this.#outcomes.size > KEPT_OUTCOMES) this.#outcomes.delete(this.#outcomes.keys().next().value!);
    for (const resolve of this.#waiters.get(index) ?? []) resolve(outcome);
    this.#waiters.delete(index);
    this.#maybeSnapshot(index);
  }

  async #converge(snapshot: MetadataSnapshot): Promise<void> {
    const started = Date.now();
    try {
      await this.options.snapshotter?.converge(snapshot);
      this.options.logger.info({ index: snapshot.index, ms: Date.now() - started }, 'metadata converged to a snapshot');
    } catch (error) {
      this.options.logger.error({ err: error, index: snapshot.index }, 'converging to a metadata snapshot failed');
    }
    this.#applied = snapshot.index;
    this.options.keyspace.put(APPLIED_KEY, Buffer.from(String(snapshot.index)), true);
  }

  /**
   * Takes a snapshot at `index` once enough entries were applied past the last one, if nothing
   * else is waiting to be carried out (so the broker reflects exactly the log up to `index`), and
   * compacts the log to it only `trail` entries later: a member a few entries behind (as some
   * always are) then gets entries, not the whole snapshot. A membership change in between
   * discards it (the snapshot records the group's configuration of when it is compacted to).
   */
  #maybeSnapshot(index: number): void {
    const snapshotter = this.options.snapshotter;
    const log = this.node.raft.log;
    if (snapshotter === undefined) return;
    const trail = Math.min(1_000, Math.ceil(snapshotter.every / 2));
    const taken = this.#taken;
    if (taken !== undefined && index - taken.index >= trail) {
      this.#taken = undefined;
      if (taken.conf === this.#conf()) {
        this.node.raft.compact(taken.index, taken.data);
        if (log.snapshot?.index === taken.index) {
          this.storage.compact(log.snapshot);
          this.options.logger.info({ index: taken.index, bytes: taken.data.byteLength }, 'metadata log compacted');
        }
      }
    }
    if (this.#taken !== undefined || index - log.snapshotIndex < snapshotter.every) return;
    if (this.#pending !== 1 || log.applied !== index) return;
    this.#taken = { index, data: encodeMetadataSnapshot({ index, ...snapshotter.take(index) }), conf: this.#conf() };
  }

  #conf(): string {
    const { voters, learners } = this.members();
    return JSON.stringify([voters, learners]);
  }
}
