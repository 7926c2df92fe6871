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
 *
 * Members move (docs/cluster.md, "Adding and removing nodes"): the metadata log records a queue's
 * new members and preferred leader (`retarget`), and its leader changes the group one server at a
 * time (Raft thesis §4.1) until it matches: a new member joins as a learner, catches up from the
 * log and is promoted; only then does a member that is no longer wanted leave, so the group never
 * holds fewer replicas than it should. A leader that is itself to leave hands leadership over
 * first. The member that left is told (`removed`), as it may never learn the commit of its own
 * removal.
 */
import type { LevelKeyspace } from '@warren/store';
import type { Message, QueueRecord } from '@warren/core';
import { RaftNode } from '../raft-node.js';
import type { ConfChange } from '../raft/types.js';
import { LevelRaftStorage } from '../raft-storage.js';
import type { ClusterTransport } from '../node/cluster-transport.js';
import type { ClusterLogger } from '../node/peers.js';
import type { QueueLogCommand, QueueLogEffect } from './queue-log.js';
import { replicatedQueueMachine, type ReplicatedQueueState } from './replicated-queue.js';
import { LeaderWork, type DeadLetterRoute } from './leader-work.js';
import { DEFAULT_SNAPSHOT_POLICY, snapshotEvery, type SnapshotPolicy } from './snapshot-policy.js';

/** A delivery the leader hands to a consumer: the message and how often it went out. */
export interface QueueDelivery {
  readonly message: Message;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
}

export interface QueueGroupOptions {
  readonly node: string;
  readonly name: string;
  /** The members wanted now, and the one meant to lead (they change with `retarget`). */
  readonly members: readonly string[];
  readonly preferredLeader: string;
  /** The members the group was founded with, when they differ from `members`: every member's log starts with them. */
  readonly founders?: readonly string[];
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
  /** On every member: the effects of each command applied (answers to a purge or take it asked for). */
  readonly applied?: (effects: readonly QueueLogEffect[], leading: boolean) => void;
  /** On the leader: routes a dead-letter to the queue's dead-letter exchange (leader-work.ts). */
  readonly deadLetter?: DeadLetterRoute;
  /** On the leader: the queue took back consumer's delivery of message `id` (its ack lease ran out). */
  readonly revoked?: (consumer: string, id: string) => void;
  /** On the leader: the queue went unused for its x-expires. */
  readonly expired?: () => void;
  /** On the leader: `node` is out of the group (committed); it should stop its member. */
  readonly removed?: (node: string) => void;
  /** When to snapshot the queue's contents (snapshot-policy.ts). */
  readonly snapshot?: SnapshotPolicy;
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
/** How far behind the commit a member may be to be handed leadership when members move (Raft catches it up first). */
const TRANSFER_SLACK = 256;

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
  #target: { members: readonly string[]; leader: string };
  /** The preferred leader changed: offer it leadership as soon as it is caught up. */
  #handNow = false;
  readonly #stopDuty: () => void;
  readonly #work: LeaderWork;
  #stopped = false;

  private constructor(
    private readonly options: QueueGroupOptions,
    readonly node: QueueNode,
  ) {
    this.#work = new LeaderWork(options.name, options.logger, () => node.state, (command) => node.propose(command), (key, command) => this.#once(key, command), options.deadLetter);
    this.#target = { members: options.members, leader: options.preferredLeader };
    // One timer for every group's duties on this node, not one per group.
    this.#stopDuty = options.transport.clock.every(DUTY_MS, () => this.#duties());
  }

  static async start(options: QueueGroupOptions): Promise<QueueGroup> {
    const holder: { group?: QueueGroup } = {};
    const snapshot = options.snapshot ?? DEFAULT_SNAPSHOT_POLICY;
    const machine = replicatedQueueMachine({ ...options.record, id: options.name, exclusive: false, autoDelete: false });
    const node = await RaftNode.start({
      id: options.node,
      // A member added later starts from the same first entry as the founders (or from the leader's snapshot).
      peers: options.founders ?? options.members,
      storage: new LevelRaftStorage(options.keyspace, `${options.name}/`),
      transport: options.transport.group(options.name),
      machine,
      tickMs: options.tickMs,
      electionTick: options.electionTick,
      // Read by Raft after each batch applied: the policy looks at the log bytes since the last snapshot.
      get snapshotEvery(): number {
        const state = holder.group?.node.state;
        return state === undefined ? Number.MAX_SAFE_INTEGER : snapshotEvery(snapshot, state);
      },
      onEffects: (effects, leading) => {
        for (const effect of effects) if (effect.kind === 'down') options.downed(effect.consumer);
        options.applied?.(effects, leading);
        if (leading) holder.group?.carryOut(effects);
      },
    });
    const group = new QueueGroup(options, node);
    holder.group = group;
    // A new group: its preferred leader stands at once, so leaders spread as placed.
    if (options.founders === undefined && options.node === options.preferredLeader && node.raft.term === 0) node.campaign();
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

  /** The members wanted now and the one meant to lead, as the metadata log last recorded them. */
  retarget(members: readonly string[], leader: string): void {
    if (leader !== this.#target.leader) this.#handNow = true;
    this.#target = { members: [...members], leader };
  }

  /** The group's configuration as this member applied it. */
  get conf(): { voters: readonly string[]; learners: readonly string[] } {
    return this.node.raft.tracker.conf;
  }

  propose(command: QueueLogCommand): Promise<number> {
    return this.node.propose(command);
  }

  /** On the leader: how many log entries each member lacks (its lag); undefined elsewhere. */
  /** This member's log: the last index its snapshot covers and its last entry (GET /api/queues/{vhost}/{name}). */
  log(): { snapshot: number; last: number } {
    const { snapshotIndex, lastIndex } = this.node.raft.log;
    return { snapshot: snapshotIndex, last: lastIndex };
  }

  lag(): Record<string, number> | undefined {
    const raft = this.node.raft;
    if (raft.role !== 'leader') return undefined;
    const last = raft.log.lastIndex;
    const lag: Record<string, number> = {};
    const { voters, learners } = raft.tracker.conf;
    for (const member of [...voters, ...learners]) {
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
      } else if (effect.kind === 'revoked') {
        this.options.revoked?.(effect.consumer, effect.id);
      } else if (effect.kind === 'expired') {
        this.options.expired?.();
      } else {
        this.#work.carryOut(effect);
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
    this.#reconcile();
    this.#handBack(now);
    this.#work.duties(now);
    const timers = this.node.state.effects.timers;
    if (timers.size === 0) return;
    for (const [timer, due] of timers) {
      if (due <= now) this.#once(`timer:${timer}`, () => ({ t: 'timer', timer, now: Date.now(), random: Math.random() }));
    }
  }

  /**
   * On the leader: one step toward the wanted members, once the last change is applied. Adds
   * before it removes, so the group never holds fewer replicas than wanted.
   */
  #reconcile(): void {
    const raft = this.node.raft;
    if (raft.pendingConfIndex > raft.log.applied || raft.leadTransferee !== null) return;
    const wanted = this.#target.members;
    const { voters, learners } = raft.tracker.conf;
    const missing = wanted.find((m) => !voters.includes(m) && !learners.includes(m));
    if (missing !== undefined) return this.#change({ type: 'addLearner', node: missing });
    const learner = learners.find((m) => wanted.includes(m));
    if (learner !== undefined) {
      // validateConfChange takes the promotion only once the learner has caught up.
      if ((raft.tracker.progress.get(learner)?.match ?? 0) >= raft.log.committed) this.#change({ type: 'promote', node: learner });
      return;
    }
    const extra = [...learners, ...voters].find((m) => !wanted.includes(m));
    if (extra === undefined) return;
    if (extra !== this.options.node) return this.#change({ type: 'remove', node: extra });
    // This member leaves: leadership goes first to a wanted member that has caught up (the preferred one if it has).
    const heir = [this.#target.leader, ...wanted].find((m) => voters.includes(m) && this.#nearlyCaughtUp(m));
    if (heir === undefined || heir === this.options.node) return;
    this.options.logger.info({ group: this.options.name, to: heir }, 'leaving a replicated queue group: handing leadership over first');
    this.node.transferLeadership(heir);
  }

  /** Active and at most TRANSFER_SLACK entries behind the commit: a transfer to it catches it up in a moment. */
  #nearlyCaughtUp(member: string): boolean {
    const raft = this.node.raft;
    const progress = raft.tracker.progress.get(member);
    return progress !== undefined && progress.recentActive && progress.match + TRANSFER_SLACK >= raft.log.committed;
  }

  #change(change: Exclude<ConfChange, { type: 'bootstrap' }>): void {
    const key = `conf:${change.type}:${change.node}`;
    if (this.#proposed.has(key)) return;
    this.#proposed.add(key);
    this.options.logger.info({ group: this.options.name, change: change.type, member: change.node }, 'changing the members of a replicated queue group');
    this.node.proposeConfChange(change).then(
      () => {
        this.#proposed.delete(key);
        if (change.type === 'remove') this.options.removed?.(change.node);
      },
      (error: unknown) => {
        this.#proposed.delete(key);
        this.options.logger.info({ group: this.options.name, err: error, change: change.type, member: change.node }, 'a membership change was not committed (leadership moved?)');
      },
    );
  }

  /**
   * Leaders spread as placed: a member that took over from the preferred leader (a failover) hands
   * leadership back once the preferred one is back and caught up, after leading a while.
   */
  #handBack(now: number): void {
    const preferred = this.#target.leader;
    if (this.#handNow && preferred !== this.options.node) {
      // Just moved here: offer it as soon as it is caught up, not after a while.
      this.#ledSince = 0;
      this.#offered = 0;
    }
    if (preferred === this.options.node || now - this.#ledSince < HAND_BACK_AFTER_MS || now - this.#offered < HAND_BACK_AFTER_MS) return;
    const raft = this.node.raft;
    const progress = raft.tracker.progress.get(preferred);
    // A member that is still a learner (just added) cannot lead yet.
    if (!raft.tracker.isVoter(preferred)) return;
    // A quiesced leader hears no member, so `recentActive` stays as it was when it went quiet;
    // its node's liveness of the peer says whether it is there (and it only went quiet once every
    // member in reach held its whole log).
    const heard = progress !== undefined && (progress.recentActive || (raft.quiesced && this.options.transport.clock.live(preferred)));
    if (progress === undefined || !heard || progress.match < raft.log.committed) {
      // A member just made preferred leader (moved) takes over as soon as it is nearly there: under a
      // steady stream a follower is rarely exactly caught up, and the transfer catches it up first.
      if (!this.#handNow || !this.#nearlyCaughtUp(preferred)) return;
    }
    this.options.logger.info({ group: this.options.name, to: preferred }, 'handing a replicated queue back to its preferred leader');
    if (!this.node.transferLeadership(preferred)) return;
    this.#offered = now;
    this.#handNow = false;
  }

  #takeOver(): void {
    this.options.logger.info({ group: this.options.name, term: this.node.raft.term, unacked: this.node.state.effects.unacked.size }, 'leading a replicated queue');
    this.handOutAgain(() => true);
    this.#work.takeOver();
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
