/**
 * A node's replicated queues (docs/cluster.md, "Replicated queues"). It builds them for the
 * broker (the vhost's queue factory), runs a Raft group for each one this node is a member of
 * (QueueGroup of @warren/cluster), and turns what the broker's sessions do into log commands,
 * proposed through whichever member leads (GroupProposer):
 *
 *   publish  -> enqueue {id: new log id}, the confirm waits for its commit (cluster_unavailable after 8 s)
 *   consume  -> subscribe {consumer: "<id>.<node>"}; deliveries come from the leader, over the
 *               cluster port when the consumer is connected elsewhere, and leave on its WebSocket
 *   ack/nack -> settle; cancel -> cancel (down once nothing it holds is unsettled)
 *   connection closed -> down: what it held goes back, redelivered
 *
 * A node keeps the deliveries its consumers hold, by log id: a delivery handed out again (a new
 * leader hands out every unacked delivery when it takes over) that a consumer already holds, or
 * is settling, is dropped here, so a leader change gives no consumer a message twice.
 *
 * When is a consumer down? When its connection closes (its node proposes `down`); when its node
 * runs no such consumer (every member checks, once a second, the consumers naming it: a node that
 * restarted lost its consumers with its memory); and when the leader has had no connection to
 * its node for DOWN_AFTER_MS (the node is dead, or cut off so long that its consumers' messages
 * go to others; their late acks are then `stale`, and a consumer told it is down is cancelled).
 */
import { WarrenError } from '@warren/protocol';
import { PendingCommit, type Commit, type Consumer, type Message, type QueueEntry, type QueueFactory, type QueueStats, type Settlement } from '@warren/core';
import { ClusterUnavailableError, decodeQueueCommand, encodeQueueCommand, GroupProposer, loggedBody, METADATA_GROUP, QueueGroup, type ClusterLogger, type ClusterNode, type QueueDelivery, type QueueLogCommand } from '@warren/cluster';
import { ReplicatedQueue, type ReplicaHub, type ReplicaView } from './replicated-queue.js';
import { checkReplicatedDeclaration, groupNameOf, isReplicatedType, placeReplicas } from './replica-placement.js';

/** How long a publish waits for a leader to commit it before it is nacked `cluster_unavailable`. */
const PUBLISH_DEADLINE_MS = 8_000;
/** Settles, subscribes and downs are retried longer: no client waits on them, and a lost one holds messages. */
const CONTROL_DEADLINE_MS = 30_000;
/** A consumer whose node the leader has not been connected to for this long is down. */
export const DOWN_AFTER_MS = 5_000;
const LIVENESS_MS = 1_000;

interface Replica {
  readonly queue: ReplicatedQueue;
  readonly proposer: GroupProposer<QueueLogCommand>;
  group: QueueGroup | undefined;
  starting: Promise<void> | undefined;
}

interface LocalConsumer {
  readonly replica: Replica;
  readonly consumer: Consumer;
  /** Deliveries it holds, by log id. */
  readonly outstanding: Map<string, QueueEntry>;
  /** Log ids of its settles on their way to the leader. */
  readonly settling: Set<string>;
  cancelled: boolean;
}

/** The delivery header a leader posts to the consumer's node (the body travels as the post's payload). */
interface PostedDelivery {
  readonly g: string;
  readonly c: string;
  readonly id: string;
  readonly r: boolean;
  readonly n: number;
  readonly x: string;
  readonly k: string;
  readonly p: Message['properties'];
  readonly h?: Message['headers'];
}

export class ReplicatedQueues implements ReplicaHub {
  #cluster: ClusterNode | undefined;
  readonly #replicas = new Map<string, Replica>();
  readonly #consumers = new Map<string, LocalConsumer>();
  readonly #consumerIds = new WeakMap<Consumer, string>();
  /** When each peer was last seen connected (the leader's half of the down rule). */
  readonly #seen = new Map<string, number>();
  /** Peers connected at the last look (LIVENESS_MS). */
  #connected = new Set<string>();
  /** Downs on their way, by consumer id. */
  readonly #downing = new Set<string>();
  /** The metadata log index being applied (a declaration's group is named after it). */
  #declaring = 0;
  #attachedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly node: string,
    private readonly configuredPeers: readonly string[],
    private readonly newId: () => string,
    private readonly logger: ClusterLogger,
  ) {}

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
      const leading = new Map<string, number>();
      for (const { queue } of this.#replicas.values()) leading.set(queue.replicas.leader, (leading.get(queue.replicas.leader) ?? 0) + 1);
      record.replicas = placeReplicas(groupNameOf(record.vhost, record.name, this.#declaring), record.arguments, this.#nodes(), leading);
    }
    const queue = new ReplicatedQueue(record, host, this);
    const { group, members, leader } = record.replicas;
    const replica: Replica = {
      queue,
      group: undefined,
      starting: undefined,
      proposer: new GroupProposer({
        node: this.node,
        group,
        members,
        preferred: leader,
        encode: encodeQueueCommand,
        transport: () => this.#transport(),
        local: () => replica.group,
      }),
    };
    this.#replicas.set(group, replica);
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
      return group.propose(decodeQueueCommand(command));
    };
    transport.onPost = (_peer, header, payload) => this.#posted(header as PostedDelivery, payload);
    for (const replica of this.#replicas.values()) this.#start(replica);
    this.#timer = setInterval(() => this.#noteConnected(), LIVENESS_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
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
    };
  }

  // --- ReplicaHub ------------------------------------------------------------------------

  publish(queue: ReplicatedQueue, message: Message): Commit {
    const commit = new ReplicatedCommit(Math.floor(queue.replicas.members.length / 2) + 1);
    const command: QueueLogCommand = {
      t: 'enqueue',
      id: this.newId(),
      client: this.node,
      now: message.publishedAt,
      body: loggedBody(message.body),
      exchange: message.exchange,
      routingKey: message.routingKey,
      properties: message.properties,
      ...(message.headers === undefined ? {} : { headers: message.headers }),
    };
    this.#propose(queue, command, PUBLISH_DEADLINE_MS).then(
      () => commit.settle(),
      (error: unknown) => commit.settle(unavailable(error)),
    );
    return commit;
  }

  subscribe(queue: ReplicatedQueue, consumer: Consumer): void {
    const replica = this.#replicaOf(queue);
    const id = `${this.newId()}.${this.node}`;
    this.#consumerIds.set(consumer, id);
    const local: LocalConsumer = { replica, consumer, outstanding: new Map(), settling: new Set(), cancelled: false };
    this.#consumers.set(id, local);
    this.#propose(queue, { t: 'subscribe', consumer: id, prefetch: consumer.options.prefetch, now: Date.now() }, CONTROL_DEADLINE_MS).catch((error: unknown) => {
      this.logger.warn({ queue: queue.name, consumer: consumer.tag, err: error }, 'a replicated queue could not register a consumer; it is cancelled');
      this.#forget(id);
      if (!local.cancelled) consumer.sink.cancelled(consumer, 'queue_deleted', `replicated queue '${queue.name}' could not register the consumer: ${unavailable(error).message}`);
    });
  }

  cancel(_queue: ReplicatedQueue, consumer: Consumer): void {
    const id = this.#consumerIds.get(consumer);
    const local = id === undefined ? undefined : this.#consumers.get(id);
    if (id === undefined || local === undefined || local.cancelled) return;
    local.cancelled = true;
    // Holding nothing, it goes down at once; else it stops receiving and goes down once it holds nothing.
    if (local.outstanding.size === 0 && local.settling.size === 0) this.#downWhenSettled(id, local);
    else this.#send(local.replica, { t: 'cancel', consumer: id, now: Date.now() });
  }

  settle(queue: ReplicatedQueue, consumer: Consumer, entry: QueueEntry, outcome: Settlement): void {
    const id = this.#consumerIds.get(consumer);
    const local = id === undefined ? undefined : this.#consumers.get(id);
    if (id === undefined || local === undefined) return;
    const logId = entry.message.id;
    local.outstanding.delete(logId);
    local.settling.add(logId);
    // A retry without a back-off policy (refused on replicated queues) is a requeue.
    const logged = outcome === 'ack' ? 'ack' : outcome === 'drop' ? 'drop' : 'requeue';
    this.#propose(queue, { t: 'settle', consumer: id, id: logId, outcome: logged, now: Date.now(), random: Math.random() }, CONTROL_DEADLINE_MS)
      .catch((error: unknown) => this.logger.warn({ queue: queue.name, consumer: consumer.tag, err: error }, 'a settle of a replicated queue was not committed'))
      .finally(() => {
        local.settling.delete(logId);
        this.#downWhenSettled(id, local);
      });
  }

  connectionLost(_queue: ReplicatedQueue, deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    const touched = new Map<string, LocalConsumer>();
    for (const { entry, consumer } of deliveries) {
      const id = this.#consumerIds.get(consumer);
      const local = id === undefined ? undefined : this.#consumers.get(id);
      if (id === undefined || local === undefined) continue;
      local.outstanding.delete(entry.message.id);
      touched.set(id, local);
    }
    for (const [id, local] of touched) this.#downWhenSettled(id, local);
  }

  stats(queue: ReplicatedQueue): QueueStats | undefined {
    return this.#replicas.get(queue.replicas.group)?.group?.state.machine.stats();
  }

  deleted(queue: ReplicatedQueue): void {
    const name = queue.replicas.group;
    const replica = this.#replicas.get(name);
    if (replica === undefined || replica.queue !== queue) return;
    this.#replicas.delete(name);
    for (const [id, local] of this.#consumers) if (local.replica === replica) this.#consumers.delete(id);
    void (async () => {
      await replica.starting;
      await replica.group?.destroy();
    })().catch((error: unknown) => this.logger.error({ group: name, err: error }, 'stopping a deleted replicated queue failed'));
  }

  // --- internals -------------------------------------------------------------------------

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

  /** A command nobody waits for: failures are logged. */
  #send(replica: Replica, command: QueueLogCommand): void {
    this.#propose(replica.queue, command, CONTROL_DEADLINE_MS).catch((error: unknown) =>
      this.logger.warn({ queue: replica.queue.name, command: command.t, err: error }, 'a replicated queue command was not committed'),
    );
  }

  #start(replica: Replica): void {
    const cluster = this.#cluster!;
    const { group: name, members, leader } = replica.queue.replicas;
    if (!members.includes(this.node) || replica.starting !== undefined) return;
    replica.starting = QueueGroup.start({
      node: this.node,
      name,
      members,
      preferredLeader: leader,
      record: replica.queue.record,
      keyspace: cluster.keyspace,
      transport: cluster.transport,
      logger: this.logger,
      deliver: (consumer, delivery) => this.#deliver(name, consumer, delivery),
      checkConsumers: (consumers, leading) => {
        for (const consumer of this.#deadConsumers(consumers, leading)) this.#down(replica, consumer);
      },
      downed: (consumer) => this.#downed(consumer),
    }).then(
      (group) => {
        if (this.#replicas.get(name) === replica) replica.group = group;
        else void group.stop();
      },
      (error: unknown) => this.logger.error({ group: name, err: error }, 'a replicated queue group failed to start'),
    );
  }

  /** On the leader: a delivery for `consumer`, handed over here or posted to its node. */
  #deliver(group: string, consumer: string, { message, redelivered, deliveryCount }: QueueDelivery): void {
    const node = nodeOfConsumer(consumer);
    if (node === this.node) {
      this.#receive(group, consumer, message, redelivered, deliveryCount);
      return;
    }
    const header: PostedDelivery = {
      g: group,
      c: consumer,
      id: message.id,
      r: redelivered,
      n: deliveryCount,
      x: message.exchange,
      k: message.routingKey,
      p: message.properties,
      ...(message.headers === undefined ? {} : { h: message.headers }),
    };
    // Not connected: nothing is sent; the consumer is declared down if its node stays away.
    this.#cluster?.transport.post(node, header, message.body);
  }

  #posted(header: PostedDelivery, payload: Uint8Array): void {
    const message: Message = {
      id: header.id,
      exchange: header.x,
      routingKey: header.k,
      properties: header.p,
      headers: header.h,
      body: Uint8Array.from(payload),
      persistent: true,
      publishedAt: Date.now(),
    };
    this.#receive(header.g, header.c, message, header.r, header.n);
  }

  /** A delivery for a consumer of this node. */
  #receive(group: string, consumer: string, message: Message, redelivered: boolean, deliveryCount: number): void {
    const local = this.#consumers.get(consumer);
    const replica = this.#replicas.get(group);
    if (local === undefined) {
      // Its connection is gone (or this node restarted): what it was given goes back.
      if (replica !== undefined) this.#down(replica, consumer);
      return;
    }
    const id = message.id;
    if (local.outstanding.has(id) || local.settling.has(id)) return;
    if (local.cancelled) {
      this.#send(local.replica, { t: 'settle', consumer, id, outcome: 'requeue', now: Date.now(), random: 0 });
      return;
    }
    const entry: QueueEntry = { seq: 0, message, redelivered, deliveryCount, stored: false };
    const { consumer: target } = local;
    if (target.options.noAck) {
      // A no-ack consumer's delivery is settled as it leaves.
      local.settling.add(id);
      target.sink.deliver(target, entry);
      this.settle(local.replica.queue, target, entry, 'ack');
      return;
    }
    local.outstanding.set(id, entry);
    target.sink.deliver(target, entry);
  }

  /** A cancelled consumer, or one whose connection closed, holds nothing more: it goes down. */
  #downWhenSettled(id: string, local: LocalConsumer): void {
    if (!local.cancelled || local.outstanding.size > 0 || local.settling.size > 0) return;
    if (this.#consumers.get(id) !== local) return;
    this.#forget(id);
    this.#down(local.replica, id);
  }

  #forget(id: string): void {
    this.#consumers.delete(id);
  }

  #down(replica: Replica, consumer: string): void {
    if (this.#downing.has(consumer)) return;
    this.#downing.add(consumer);
    this.#propose(replica.queue, { t: 'down', consumer, now: Date.now() }, CONTROL_DEADLINE_MS)
      .catch((error: unknown) => this.logger.warn({ queue: replica.queue.name, consumer, err: error }, 'a consumer down was not committed'))
      .finally(() => this.#downing.delete(consumer));
  }

  /** Every member: consumers naming this node that it does not run; the leader also: those of nodes gone too long. */
  #deadConsumers(consumers: readonly string[], leading: boolean): string[] {
    const now = Date.now();
    const connected = new Set(this.#cluster?.transport.connectedPeers() ?? []);
    return consumers.filter((consumer) => {
      const node = nodeOfConsumer(consumer);
      if (node === this.node) return !this.#consumers.has(consumer);
      if (!leading || connected.has(node)) return false;
      return now - (this.#seen.get(node) ?? this.#attachedAt) > DOWN_AFTER_MS;
    });
  }

  /** The queue applied a down of `consumer`: if it is still connected here, its client is told. */
  #downed(consumer: string): void {
    const local = this.#consumers.get(consumer);
    if (local === undefined) return;
    this.#forget(consumer);
    if (local.cancelled) return;
    local.consumer.sink.cancelled(local.consumer, 'queue_deleted', `consumer of replicated queue '${local.replica.queue.name}' was cut off from the queue's leader for too long and is down; consume again`);
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

/** A publish's commit in a replicated queue's log: once done, a majority of its replicas has it on disk. */
class ReplicatedCommit extends PendingCommit {
  constructor(readonly replicas: number) {
    super();
  }
}

/** Consumer ids are `<unique id>.<node id>`: the unique part has no dot. */
function nodeOfConsumer(consumer: string): string {
  return consumer.slice(consumer.indexOf('.') + 1);
}

function unavailable(error: unknown): WarrenError {
  if (error instanceof WarrenError) return error;
  if (error instanceof ClusterUnavailableError) return new WarrenError('cluster_unavailable', error.message);
  return new WarrenError('cluster_unavailable', error instanceof Error ? error.message : String(error));
}
