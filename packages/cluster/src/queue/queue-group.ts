/**
 * One node's member of a replicated queue's Raft group: core's queue machine through the
 * replicated adapter (replicated-queue.ts), its log in the node's Raft key space under the
 * group's own prefix (beside the metadata group's, sharing its group commit), its messages on the
 * cluster port with every other group's.
 *
 * Every member applies every committed command; the member that leads carries out the effects:
 * it hands each delivery to `deliver` (which finds the consumer's node), proposes `dispatch` when
 * a round was cut short, and `timer` when an armed timer (TTL) comes due on its clock. A member
 * that becomes leader first applies its whole log, then hands out again every delivery that is
 * out (a delivery its predecessor decided may never have left it; the consumer's node drops the
 * ones it already has). Every member, once a second, hands the consumers the queue knows to
 * `checkConsumers`, so that one whose node died or restarted is declared `down`. A leader that is
 * not the preferred one hands leadership back to it once it is back and caught up.
 */
import type { LevelKeyspace } from '@warren/store';
import type { Message, QueueRecord } from '@warren/core';
import { RaftNode } from '../raft-node.js';
import { LevelRaftStorage } from '../raft-storage.js';
import type { ClusterTransport } from '../node/cluster-transport.js';
import type { ClusterLogger } from '../node/peers.js';
import type { QueueLogCommand, QueueLogEffect } from './queue-log.js';
import { replicatedQueueMachine, type ReplicatedQueueState } from './replicated-queue.js';

/** A delivery the leader hands to a consumer: the message and how often it went out. */
export interface QueueDelivery {
  readonly message: Message;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
}

export interface QueueGroupOptions {
  readonly node: string;
  readonly name: string;
  readonly members: readonly string[];
  readonly preferredLeader: string;
  /** The queue as declared: its arguments are the machine's settings, the same on every member. */
  readonly record: QueueRecord;
  readonly keyspace: LevelKeyspace;
  readonly transport: ClusterTransport;
  readonly logger: ClusterLogger;
  /** On the leader: give this delivery to consumer `consumer`, wherever it is connected. */
  readonly deliver: (consumer: string, delivery: QueueDelivery) => void;
  /** On every member, once a second: the consumers the queue knows, to find those that are down. */
  readonly checkConsumers: (consumers: readonly string[], leading: boolean) => void;
  /** On every member: the queue applied a down of this consumer. */
  readonly downed: (consumer: string) => void;
  readonly tickMs?: number;
  readonly electionTick?: number;
}

type QueueNode = RaftNode<ReplicatedQueueState, QueueLogCommand, QueueLogEffect>;

/** How often the leader looks at its timers and whether it just took over. */
const DUTY_MS = 100;
/** How often the leader checks that the queue's consumers still have a node. */
const CHECK_MS = 1_000;
/** How long a leader that is not the preferred one leads before it offers leadership back, and between offers. */
const HAND_BACK_AFTER_MS = 10_000;

export class QueueGroup {
  /** The term in which this member took over as leader (0: it does not lead). */
  #ledTerm = 0;
  /** The term this member was last seen leading in, and its log's last index then. */
  #electedIn = 0;
  #termStart = 0;
  /** When this member took over, and when it last offered leadership back to the preferred leader. */
  #ledSince = 0;
  #offered = 0;
  #lastCheck = 0;
  readonly #proposed = new Set<string>();
  readonly #stopDuty: () => void;
  #stopped = false;

  private constructor(
    private readonly options: QueueGroupOptions,
    readonly node: QueueNode,
  ) {
    // One timer for every group's duties on this node, not one per group.
    this.#stopDuty = options.transport.clock.every(DUTY_MS, () => this.#duties());
  }

  static async start(options: QueueGroupOptions): Promise<QueueGroup> {
    const holder: { group?: QueueGroup } = {};
    const machine = replicatedQueueMachine({ ...options.record, id: options.name, exclusive: false, autoDelete: false });
    const node = await RaftNode.start({
      id: options.node,
      peers: options.members,
      storage: new LevelRaftStorage(options.keyspace, `${options.name}/`),
      transport: options.transport.group(options.name),
      machine,
      tickMs: options.tickMs,
      electionTick: options.electionTick,
      // The snapshot is still the command history (docs/replication.md): taking one costs the whole history each time.
      snapshotEvery: Number.MAX_SAFE_INTEGER,
      onEffects: (effects, leading) => {
        for (const effect of effects) if (effect.kind === 'down') options.downed(effect.consumer);
        if (leading) holder.group?.carryOut(effects);
      },
    });
    const group = new QueueGroup(options, node);
    holder.group = group;
    // A new group: its preferred leader stands at once, so leaders spread as placed.
    if (options.node === options.preferredLeader && node.raft.term === 0) node.campaign();
    return group;
  }

  get name(): string {
    return this.options.name;
  }

  get leader(): string | null {
    return this.node.leader;
  }

  get state(): ReplicatedQueueState {
    return this.node.state;
  }

  propose(command: QueueLogCommand): Promise<number> {
    return this.node.propose(command);
  }

  /** On the leader: how many log entries each member lacks (its lag); undefined elsewhere. */
  lag(): Record<string, number> | undefined {
    const raft = this.node.raft;
    if (raft.role !== 'leader') return undefined;
    const last = raft.log.lastIndex;
    const lag: Record<string, number> = {};
    for (const member of this.options.members) {
      lag[member] = member === this.options.node ? 0 : Math.max(0, last - (raft.tracker.progress.get(member)?.match ?? 0));
    }
    return lag;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopDuty();
    this.options.transport.dropGroup(this.options.name);
    await this.node.stop();
  }

  /** Stops and forgets the group's log (the queue was deleted). */
  async destroy(): Promise<void> {
    await this.stop();
    const prefix = `${this.options.name}/`;
    this.options.keyspace.clear(prefix, `${prefix}~`);
  }

  /** The effects of one command, applied while this member leads. */
  private carryOut(effects: readonly QueueLogEffect[]): void {
    const unacked = this.node.state.effects.unacked;
    for (const effect of effects) {
      if (effect.kind === 'deliver') {
        const delivery = unacked.get(effect.id);
        if (delivery === undefined) continue;
        this.options.deliver(effect.consumer, { message: delivery.entry.message, redelivered: effect.redelivered, deliveryCount: effect.deliveryCount });
      } else if (effect.kind === 'dispatch-later') {
        this.#once('dispatch', () => ({ t: 'dispatch', now: Date.now() }));
      }
    }
  }

  #duties(): void {
    if (this.#stopped) return;
    const raft = this.node.raft;
    const now = Date.now();
    // Ten thousand idle queues run this ten times a second: no consumers, no timers, no allocation.
    if (now - this.#lastCheck >= CHECK_MS && this.node.state.consumers.size > 0) {
      this.#lastCheck = now;
      this.options.checkConsumers([...this.node.state.consumers.keys()], raft.role === 'leader');
    }
    if (raft.role !== 'leader') {
      this.#ledTerm = 0;
      return;
    }
    if (this.#ledTerm !== raft.term) {
      // Take over only once the log as it was when this term began (its first entry included) is applied here.
      if (this.#electedIn !== raft.term) {
        this.#electedIn = raft.term;
        this.#termStart = raft.log.lastIndex;
      }
      if (raft.log.applied < this.#termStart) return;
      this.#ledTerm = raft.term;
      this.#ledSince = now;
      this.#takeOver();
    }
    this.#handBack(now);
    const timers = this.node.state.effects.timers;
    if (timers.size === 0) return;
    for (const [timer, due] of timers) {
      if (due <= now) this.#once(`timer:${timer}`, () => ({ t: 'timer', timer, now: Date.now(), random: Math.random() }));
    }
  }

  /**
   * Leaders spread as placed: a member that took over from the preferred leader (a failover) hands
   * leadership back once the preferred one is back and caught up, after leading a while.
   */
  #handBack(now: number): void {
    const preferred = this.options.preferredLeader;
    if (preferred === this.options.node || now - this.#ledSince < HAND_BACK_AFTER_MS || now - this.#offered < HAND_BACK_AFTER_MS) return;
    const raft = this.node.raft;
    const progress = raft.tracker.progress.get(preferred);
    if (progress === undefined || !progress.recentActive || progress.match < raft.log.committed) return;
    this.#offered = now;
    this.options.logger.info({ group: this.options.name, to: preferred }, 'handing a replicated queue back to its preferred leader');
    this.node.transferLeadership(preferred);
  }

  #takeOver(): void {
    this.options.logger.info({ group: this.options.name, term: this.node.raft.term, unacked: this.node.state.effects.unacked.size }, 'leading a replicated queue');
    this.handOutAgain(() => true);
  }

  /**
   * On the leader: hands out again the deliveries that are out to the consumers `which` picks
   * (after a take-over, or when a consumer's node connects again: a delivery sent on a
   * connection that dropped is lost). The consumers' nodes drop the ones they already have.
   */
  handOutAgain(which: (consumer: string) => boolean): void {
    if (this.node.raft.role !== 'leader') return;
    for (const { consumer, entry } of this.node.state.effects.unacked.values()) {
      if (which(consumer.tag)) this.options.deliver(consumer.tag, { message: entry.message, redelivered: entry.redelivered, deliveryCount: entry.deliveryCount });
    }
  }

  /** Proposes a leader's command, unless the same one is still on its way. */
  #once(key: string, command: () => QueueLogCommand): void {
    if (this.#proposed.has(key)) return;
    this.#proposed.add(key);
    this.node.propose(command()).then(
      () => this.#proposed.delete(key),
      (error: unknown) => {
        this.#proposed.delete(key);
        this.options.logger.info({ group: this.options.name, err: error, command: key }, 'a leader command was not committed (leadership moved?)');
      },
    );
  }
}
