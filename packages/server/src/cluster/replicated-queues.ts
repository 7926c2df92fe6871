/**
 * A node's replicated queues (docs/cluster.md, "Replicated queues"). It builds them for the
 * broker (the vhost's queue factory), runs a Raft group for each one this node is a member of
 * (QueueGroup of @warren/cluster), and turns what the broker does into log commands, proposed
 * through whichever member leads (GroupProposer): a publish is an `enqueue` with a new log id (a
 * turn's publishes to one queue one `enqueues`, publish-batches.ts), its confirm waits for the
 * commit (cluster_unavailable after 8 s); what consumers do is
 * replica-consumers.ts's. On the leader, deliveries go to the consumer's node, over the cluster
 * port when that is another node (batched per event-loop turn).
 *
 * A consumer is down when its connection closes, when its node runs no such consumer (a node
 * that restarted lost them), and when the leader has had no connection to its node for
 * DOWN_AFTER_MS (docs/cluster.md, "When is a consumer down?").
 */
import { WarrenError } from '@warren/protocol';
import { activeConsumer, type Commit, type Consumer, type DeathReason, type Message, type Policy, type QueueEntry, type QueueFactory, type QueueMachine, type QueueReplicas, type QueueStats, type Settlement } from '@warren/core';
import { CONTROL_DEADLINE_MS, nodeOfConsumer, ReplicaConsumers } from './replica-consumers.js';
import { ReplicaAnswers, ReplicatedCommit, unavailable } from './replica-answers.js';
import { PublishBatches } from './publish-batches.js';
import { ReplicaPosts, type PostedRevocation } from './replica-posts.js';
import { ClusterUnavailableError, decodeForwarded, encodeQueueCommand, GroupProposer, METADATA_GROUP, QueueGroup, type ClusterLogger, type ClusterNode, type EnqueueItem, type QueueLogCommand, type SnapshotPolicy } from '@warren/cluster';
import { ReplicatedQueue, type ReplicaHub, type ReplicaView } from './replicated-queue.js';
import { isRemovedNotice, ReplicaDepartures } from './replica-departures.js';
import { checkReplicatedDeclaration, groupNameOf, isReplicatedType, placeReplicas } from './replica-placement.js';

/** How long a publish waits for a leader to commit it before it is nacked `cluster_unavailable`. */
const PUBLISH_DEADLINE_MS = 8_000;
/** A consumer whose node the leader has not been connected to for this long is down. */
export const DOWN_AFTER_MS = 5_000;
const LIVENESS_MS = 1_000;
/** How long a stopping node waits for its consumers' last commands. */
const STOP_GRACE_MS = 3_000;

interface Replica {
  readonly queue: ReplicatedQueue;
  readonly proposer: GroupProposer<QueueLogCommand>;
  group: QueueGroup | undefined;
  starting: Promise<void> | undefined;
}

export class ReplicatedQueues implements ReplicaHub {
  #cluster: ClusterNode | undefined;
  readonly #replicas = new Map<string, Replica>();
  /** Replicated queues each node is placed to lead: kept as they come and go, not counted per declaration (10,000 queues). */
  readonly #leading = new Map<string, number>();
  readonly #consumers: ReplicaConsumers;
  readonly #answers = new ReplicaAnswers();
  /**
   * Dead-letters of replicated queues being routed from this node: a replicated target logs one
   * under an id made from its source's log id, so routing it again (a new leader re-routes what was
   * pending) is confirmed by the target, not stored twice.
   */
  readonly #deadLetters = new WeakSet<Message>();
  readonly #posts: ReplicaPosts;
  /** Deletes an expired queue (x-expires) through the metadata log; set by the cluster's boot. */
  expire: ((vhost: string, name: string) => Promise<unknown>) | undefined;
  /** When each peer was last seen connected (the leader's half of the down rule). */
  readonly #seen = new Map<string, number>();
  /** Peers connected at the last look (LIVENESS_MS). */
  #connected = new Set<string>();
  /** The metadata log index being applied (a declaration's group is named after it). */
  #declaring = 0;
  #attachedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #departures: ReplicaDepartures;
  /** Publishes of this turn, by queue (publish-batches.ts). */
  readonly #publishes: PublishBatches;

  constructor(
    private readonly node: string,
    private readonly configuredPeers: readonly string[],
    private readonly newId: () => string,
    private readonly logger: ClusterLogger,
    private readonly snapshot: SnapshotPolicy,
  ) {
    this.#departures = new ReplicaDepartures(node, logger);
    this.#publishes = new PublishBatches(node, (queue, command) => this.#propose(queue, command, PUBLISH_DEADLINE_MS));
    this.#consumers = new ReplicaConsumers(node, newId, logger, (queue, command, deadlineMs) => this.#propose(queue, command, deadlineMs));
    this.#posts = new ReplicaPosts(node, this.#consumers, () => this.#cluster?.transport, (group) => this.#replicas.get(group)?.queue);
  }

  /** The broker's queue factory: replicated queues here, classic ones (undefined) elsewhere. */
  readonly createQueue: QueueFactory = (record, host) => {
    if (!isReplicatedType(record.arguments)) return undefined;
    if (record.replicas === undefined && this.#declaring === 0 && !record.exclusive) {
      // Not declared through the metadata log (a queue stored before replicated queues existed, a
      // definitions file read at boot): no group can be agreed on, so it stays a classic queue.
      this.logger.warn({ vhost: record.vhost, queue: record.name }, 'a replicated queue declared outside the metadata log is a classic queue');
      return undefined;
    }
    checkReplicatedDeclaration(record);
    if (record.replicas === undefined) {
      record.replicas = placeReplicas(groupNameOf(record.vhost, record.name, this.#declaring), record.arguments, this.#nodes(), this.#leading);
    }
    const queue = new ReplicatedQueue(record, host, this);
    const { group } = record.replicas;
    const replica: Replica = {
      queue,
      group: undefined,
      starting: undefined,
      proposer: new GroupProposer({
        node: this.node,
        group,
        // Read at each proposal: the members move (moved()).
        get members() {
          return queue.replicas.members;
        },
        get preferred() {
          return queue.replicas.leader;
        },
        encode: encodeQueueCommand,
        transport: () => this.#transport(),
        local: () => {
          const group = replica.group;
          return group === undefined ? undefined : { leader: group.leader, propose: (command) => group.propose(command).then((index) => this.#answers.answer(command, index)) };
        },
      }),
    };
    this.#countLeader(this.#replicas.get(group)?.queue.replicas.leader, -1);
    this.#replicas.set(group, replica);
    this.#countLeader(record.replicas.leader, 1);
    if (this.#cluster !== undefined) this.#start(replica);
    return queue;
  };

  /** Runs a metadata change, naming the replicated queues it declares after its log index. */
  async applying<T>(index: number, apply: () => Promise<T>): Promise<T> {
    this.#declaring = index;
    try {
      return await apply();
    } finally {
      this.#declaring = 0;
    }
  }

  /** The cluster node is up: groups start, forwarded proposals and deliveries are taken. */
  attach(cluster: ClusterNode): void {
    this.#cluster = cluster;
    this.#attachedAt = Date.now();
    const transport = cluster.transport;
    const metadata = transport.onForward;
    transport.onForward = async (name, command, conf) => {
      if (name === METADATA_GROUP) return metadata(name, command, conf);
      const group = this.#replicas.get(name)?.group;
      if (group === undefined || conf) throw new Error(`no member of group ${name} runs on node ${this.node}`);
      const decoded = decodeForwarded(command);
      return group.propose(decoded).then((index) => this.#answers.answer(decoded, index));
    };
    transport.onPost = (_peer, header, payload) => (isRemovedNotice(header) ? this.#departures.told(header.removedFrom, this.#replicas.get(header.removedFrom)) : this.#posts.posted(header as PostedRevocation | Uint8Array, payload));
    for (const replica of this.#replicas.values()) this.#start(replica);
    this.#timer = setInterval(() => this.#noteConnected(), LIVENESS_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    // The node's connections were just closed: their consumers' downs go out first (bounded).
    await this.#consumers.quiet(STOP_GRACE_MS);
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all(
      [...this.#replicas.values()].map(async (replica) => {
        await replica.starting;
        const group = replica.group;
        replica.group = undefined;
        await group?.stop();
      }),
    );
  }

  /** The queue's Raft group as this node knows it (GET /api/queues/{vhost}/{name}). */
  describe(queue: ReplicatedQueue): ReplicaView {
    const { group, members, leader } = queue.replicas;
    const running = this.#replicas.get(group)?.group;
    const connected = new Set([this.node, ...(this.#cluster?.transport.connectedPeers() ?? [])]);
    const lag = running?.lag();
    return {
      leader: running === undefined ? leader : running.leader,
      members: [...members],
      online: members.filter((m) => connected.has(m)),
      ...(lag === undefined ? {} : { lag }),
      ...(running === undefined ? {} : { log: running.log() }),
    };
  }

  /** The metadata log moved a queue's replicas (replica-moves.ts): its group follows, starting here if new; a member no longer wanted stops once out. */
  moved(queue: ReplicatedQueue, replicas: QueueReplicas): void {
    const replica = this.#replicas.get(replicas.group);
    if (replica === undefined || replica.queue !== queue) return;
    this.#countLeader(queue.replicas.leader, -1);
    this.#countLeader(replicas.leader, 1);
    queue.record.replicas = replicas;
    replica.group?.retarget(replicas.members, replicas.leader);
    if (this.#cluster === undefined) return;
    if (replicas.members.includes(this.node)) this.#start(replica);
    else this.#departures.moved(replica);
  }

  // --- ReplicaHub ------------------------------------------------------------------------

  publish(queue: ReplicatedQueue, message: Message, dedup: boolean): Commit {
    const commit = new ReplicatedCommit(Math.floor(queue.replicas.members.length / 2) + 1);
    const item: EnqueueItem = {
      id: this.#deadLetters.has(message) ? `dl.${message.id}` : this.newId(),
      body: message.body,
      exchange: message.exchange,
      routingKey: message.routingKey,
      properties: message.properties,
      ...(message.headers === undefined ? {} : { headers: message.headers }),
      ...(dedup ? { dedup: message.id } : {}),
    };
    this.#publishes.add(queue, item, message.publishedAt, commit);
    return commit;
  }

  subscribe(queue: ReplicatedQueue, consumer: Consumer): void {
    this.#replicaOf(queue);
    this.#consumers.subscribe(queue, consumer);
  }

  cancel(_queue: ReplicatedQueue, consumer: Consumer): void {
    this.#consumers.cancel(consumer);
  }

  resume(queue: ReplicatedQueue): void {
    this.#consumers.resume(queue);
  }

  settle(_queue: ReplicatedQueue, consumer: Consumer, entry: QueueEntry, outcome: Settlement, delay: number | undefined): void {
    this.#consumers.settle(consumer, entry, outcome, delay);
  }

  extendLease(_queue: ReplicatedQueue, entry: QueueEntry, ms: number): boolean {
    return this.#consumers.extend(entry, ms);
  }

  policy(queue: ReplicatedQueue, policy: Policy | undefined): void {
    // Outside the metadata log (a restart loading its queues) the log has every change already.
    if (this.#declaring === 0) return;
    this.#control(queue, { t: 'policy', at: this.#declaring, policy: policy?.record ?? null, now: Date.now() });
  }

  touch(queue: ReplicatedQueue): void {
    this.#control(queue, { t: 'touch', now: Date.now() });
  }

  async purge(queue: ReplicatedQueue): Promise<number> {
    const ref = this.#asking(queue);
    const answer = await this.#answers.ask(ref, () => this.#propose(queue, { t: 'purge', ref, now: Date.now() }, CONTROL_DEADLINE_MS).catch((e: unknown) => Promise.reject(unavailable(e))), CONTROL_DEADLINE_MS + 5_000);
    return answer.kind === 'purged' ? answer.count : 0;
  }

  async take(queue: ReplicatedQueue, count: number): Promise<QueueEntry[]> {
    const ref = this.#asking(queue);
    const answer = await this.#answers.ask(ref, () => this.#propose(queue, { t: 'take', ref, count, now: Date.now() }, CONTROL_DEADLINE_MS).catch((e: unknown) => Promise.reject(unavailable(e))), CONTROL_DEADLINE_MS + 5_000);
    return answer.kind === 'removed' ? [...answer.entries] : [];
  }

  remove(queue: ReplicatedQueue, entries: QueueEntry[]): void {
    const command: QueueLogCommand = { t: 'remove', ref: this.newId(), entries: entries.map((e) => ({ seq: e.seq, id: e.message.id })), now: Date.now() };
    this.#control(queue, command);
  }

  replica(queue: ReplicatedQueue): QueueMachine | undefined {
    return this.#replicas.get(queue.replicas.group)?.group?.state.machine;
  }

  async freshReplica(queue: ReplicatedQueue): Promise<QueueMachine | undefined> {
    const group = this.#replicas.get(queue.replicas.group)?.group;
    if (group === undefined) return undefined;
    // With no leader to confirm the commit index, the replica is read as it stands.
    await group.node.read().catch(() => undefined);
    return group.state.machine;
  }

  connectionLost(_queue: ReplicatedQueue, deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    this.#consumers.connectionLost(deliveries);
  }

  activeConsumer(queue: ReplicatedQueue): Consumer | null | undefined {
    const machine = this.replica(queue);
    if (machine === undefined) return undefined;
    const first = activeConsumer(machine.settings, machine.consumers);
    return first === undefined ? null : (this.#consumers.local(first.tag) ?? null);
  }

  stats(queue: ReplicatedQueue): QueueStats | undefined {
    return this.#replicas.get(queue.replicas.group)?.group?.state.machine.stats();
  }

  deleted(queue: ReplicatedQueue): void {
    const name = queue.replicas.group;
    const replica = this.#replicas.get(name);
    if (replica === undefined || replica.queue !== queue) return;
    this.#replicas.delete(name);
    this.#countLeader(queue.replicas.leader, -1);
    this.#consumers.forgetQueue(queue);
    void (async () => {
      await replica.starting;
      await replica.group?.destroy();
    })().catch((error: unknown) => this.logger.error({ group: name, err: error }, 'stopping a deleted replicated queue failed'));
  }

  // --- internals -------------------------------------------------------------------------

  #countLeader(node: string | undefined, by: number): void {
    if (node !== undefined) this.#leading.set(node, (this.#leading.get(node) ?? 0) + by);
  }

  /** A ref for a purge or take: answered by this node's replica, so only a node holding one may ask. */
  #asking(queue: ReplicatedQueue): string {
    if (this.#replicas.get(queue.replicas.group)?.group === undefined) {
      throw new WarrenError('precondition_failed', `this node holds no replica of replicated queue '${queue.name}'; ask one of its members (${queue.replicas.members.join(', ')})`);
    }
    return this.newId();
  }

  /** A command nobody waits for: retried to CONTROL_DEADLINE_MS, a failure logged. */
  #control(queue: ReplicatedQueue, command: QueueLogCommand): void {
    this.#propose(queue, command, CONTROL_DEADLINE_MS).catch((error: unknown) => this.logger.warn({ queue: queue.name, command: command.t, err: error }, 'a replicated queue command was not committed'));
  }

  /** On the leader: routes a dead-letter and resolves once every target has it (leader-work.ts). */
  #routeDeadLetter(queue: ReplicatedQueue, message: Message, reason: DeathReason): Promise<void> {
    this.#deadLetters.add(message);
    const commit = queue.host.routeDeadLetter?.(queue, message, reason);
    if (commit === undefined || commit === null) return Promise.resolve();
    return new Promise((resolve, reject) => commit.onSettled((error) => (error === undefined ? resolve() : reject(error))));
  }

  #nodes(): string[] {
    const voters = this.#cluster?.metadata.members().voters;
    return voters !== undefined && voters.length > 0 ? [...voters] : [...new Set([this.node, ...this.configuredPeers])];
  }

  #transport(): ClusterNode['transport'] {
    if (this.#cluster === undefined) throw new ClusterUnavailableError('this node has not joined its cluster yet');
    // Stopping: proposals on their way end now instead of retrying to their deadlines.
    if (this.#stopped) throw new ClusterUnavailableError('this node is stopping');
    return this.#cluster.transport;
  }

  #replicaOf(queue: ReplicatedQueue): Replica {
    const replica = this.#replicas.get(queue.replicas.group);
    if (replica === undefined) throw new WarrenError('queue_not_found', `replicated queue '${queue.name}' is gone`);
    return replica;
  }

  #propose(queue: ReplicatedQueue, command: QueueLogCommand, deadlineMs: number): Promise<number> {
    const replica = this.#replicas.get(queue.replicas.group);
    if (replica === undefined || this.#cluster === undefined || this.#stopped) return Promise.reject(new ClusterUnavailableError(`replicated queue '${queue.name}' cannot take commands on this node now`));
    return replica.proposer.propose(command, deadlineMs);
  }

  #start(replica: Replica): void {
    const cluster = this.#cluster!;
    const { group: name, members, leader, founders } = replica.queue.replicas;
    if (!members.includes(this.node) || replica.starting !== undefined) return;
    this.#departures.starting(name);
    replica.starting = QueueGroup.start({
      node: this.node,
      name,
      members,
      preferredLeader: leader,
      snapshot: this.snapshot,
      ...(founders === undefined ? {} : { founders }),
      removed: (node) => this.#departures.tell(this.#cluster, node, name),
      record: replica.queue.record,
      keyspace: cluster.keyspace,
      transport: cluster.transport,
      logger: this.logger,
      deliver: (consumer, delivery) => this.#posts.deliver(name, consumer, delivery),
      checkConsumers: (consumers, leading) => {
        for (const consumer of this.#deadConsumers(consumers, leading)) this.#consumers.down(replica.queue, consumer);
      },
      downed: (consumer) => this.#consumers.downed(consumer),
      applied: (effects, leading) => this.#answers.applied(effects, leading),
      deadLetter: (message, reason) => this.#routeDeadLetter(replica.queue, message, reason),
      revoked: (consumer, id) => this.#posts.revoke(name, consumer, id),
      expired: () => {
        const { vhost, name: queueName } = replica.queue.record;
        this.expire?.(vhost, queueName).catch((error: unknown) => this.logger.warn({ queue: queueName, err: error }, 'an expired replicated queue was not deleted yet'));
      },
    }).then(
      (group) => {
        if (this.#replicas.get(name) !== replica) return void group.stop();
        replica.group = group;
        // The members may have moved while it started.
        group.retarget(replica.queue.replicas.members, replica.queue.replicas.leader);
      },
      (error: unknown) => this.logger.error({ group: name, err: error }, 'a replicated queue group failed to start'),
    );
  }

  /** Every member: consumers naming this node that it does not run; the leader also: those of nodes gone too long. */
  #deadConsumers(consumers: readonly string[], leading: boolean): string[] {
    const now = Date.now();
    const connected = new Set(this.#cluster?.transport.connectedPeers() ?? []);
    return consumers.filter((consumer) => {
      const node = nodeOfConsumer(consumer);
      if (node === this.node) return !this.#consumers.runs(consumer);
      if (!leading || connected.has(node)) return false;
      return now - (this.#seen.get(node) ?? this.#attachedAt) > DOWN_AFTER_MS;
    });
  }

  #noteConnected(): void {
    const now = Date.now();
    const back = new Set<string>();
    for (const peer of this.#cluster?.transport.connectedPeers() ?? []) {
      if (!this.#connected.has(peer)) back.add(peer);
      this.#seen.set(peer, now);
    }
    this.#connected = new Set(this.#cluster?.transport.connectedPeers() ?? []);
    if (back.size === 0) return;
    // Deliveries posted on a connection that dropped are lost: the queues this node leads send them again.
    for (const { group } of this.#replicas.values()) group?.handOutAgain((consumer) => back.has(nodeOfConsumer(consumer)));
  }
}
