/**
 * A replicated queue as the broker sees it on one node (every node of the cluster has one): the
 * vhost routes to it, sessions consume from it and settle through it, the management API shows
 * it, exactly as a classic queue. But nothing is decided here: a publish, a consume, an ack or a
 * nack becomes a command of the queue's Raft log (ReplicaHub, replicated-queues.ts), and its
 * deliveries come from whichever member leads. The classic machine underneath only holds this
 * node's consumers (so a deleted queue cancels them as a classic one does) and never a message.
 */
import { WarrenError } from '@warren/protocol';
import { Enqueued, Queue, type Commit, type Policy, type Consumer, type ConsumerOptions, type DeliverySink, type Message, type QueueEntry, type QueueHost, type QueueRecord, type QueueReplicas, type QueueStats, type Settlement } from '@warren/core';

/** What a replicated queue asks of its node's hub of replicated queues. */
export interface ReplicaHub {
  /** Proposes the message; the handle settles once a majority committed it (or with cluster_unavailable). */
  publish(queue: ReplicatedQueue, message: Message): Commit;
  subscribe(queue: ReplicatedQueue, consumer: Consumer): void;
  cancel(queue: ReplicatedQueue, consumer: Consumer): void;
  settle(queue: ReplicatedQueue, consumer: Consumer, entry: QueueEntry, outcome: Settlement): void;
  /** The consumer's connection is gone with these deliveries unsettled. */
  connectionLost(queue: ReplicatedQueue, deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void;
  /** The queue as this node's replica holds it; undefined on a node holding none. */
  stats(queue: ReplicatedQueue): QueueStats | undefined;
  deleted(queue: ReplicatedQueue): void;
  describe(queue: ReplicatedQueue): ReplicaView;
}

/** A replicated queue's group as the management API shows it (GET /api/queues/{vhost}/{name}). */
export interface ReplicaView {
  /** The member that leads, as this node knows it (the preferred one on a node holding no replica). */
  readonly leader: string | null;
  readonly members: string[];
  /** Members this node is connected to, itself included. */
  readonly online: string[];
  /** On the leader: log entries each member lacks. */
  readonly lag?: Record<string, number>;
}

/** `replicated` or `classic`: the management API's queue type. */
export function queueTypeOf(queue: Queue): 'replicated' | 'classic' {
  return queue instanceof ReplicatedQueue ? 'replicated' : 'classic';
}

export class ReplicatedQueue extends Queue {
  #commit: Commit | undefined;

  constructor(
    record: QueueRecord,
    host: QueueHost,
    private readonly hub: ReplicaHub,
  ) {
    super(record, host);
  }

  get replicas(): QueueReplicas {
    return this.record.replicas!;
  }

  describe(): ReplicaView {
    return this.hub.describe(this);
  }

  override enqueueCommit(): Commit | undefined {
    return this.#commit;
  }

  override enqueue(message: Message): Enqueued {
    this.#commit = this.hub.publish(this, message);
    this.messageStats.publish++;
    return Enqueued.InRam;
  }

  override addConsumer(options: ConsumerOptions, sink: DeliverySink): Consumer {
    const consumer = super.addConsumer(options, sink);
    this.hub.subscribe(this, consumer);
    return consumer;
  }

  override removeConsumer(consumer: Consumer): void {
    super.removeConsumer(consumer);
    this.hub.cancel(this, consumer);
  }

  /** The leader decides deliveries; a connection that drains has nothing to ask here. */
  override dispatch(): void {}

  override settle(entry: QueueEntry, consumer: Consumer, outcome: Settlement): void {
    this.hub.settle(this, consumer, entry, outcome);
    if (outcome === 'ack') this.messageStats.ack++;
  }

  override requeueAll(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    this.hub.connectionLost(this, deliveries);
  }

  /** Ack leases are refused on replicated queues (replica-placement.ts): there is nothing to renew. */
  override extendLease(): boolean {
    return false;
  }

  /**
   * A policy is not part of the queue's log, so it changes nothing the queue does (its
   * arguments alone decide); it is kept to be shown. Applied here it could expire the queue
   * (`expires`) on this node alone.
   */
  override applyPolicy(policy: Policy | undefined): void {
    this.policy = policy;
  }

  override purge(): number {
    throw new WarrenError('precondition_failed', `purging replicated queue '${this.name}' is not supported yet`);
  }

  override get messageCount(): number {
    return this.hub.stats(this)?.ready ?? 0;
  }

  override stats(): QueueStats {
    return this.hub.stats(this) ?? super.stats();
  }

  override markDeleted(): number {
    const count = this.messageCount;
    super.markDeleted();
    this.hub.deleted(this);
    return count;
  }
}
