/**
 * A replicated queue as the broker sees it on one node (every node of the cluster has one): the
 * vhost routes to it, sessions consume from it and settle through it, the management API shows
 * it, exactly as a classic queue. But nothing is decided here: a publish, a consume, an ack or a
 * nack becomes a command of the queue's Raft log (ReplicaHub, replicated-queues.ts), and its
 * deliveries come from whichever member leads. The classic machine underneath only holds this
 * node's consumers (so a deleted queue cancels them as a classic one does) and never a message.
 */
import { WarrenError } from '@warren/protocol';
import {
  Enqueued,
  Queue,
  queueSettings,
  type Commit,
  type Policy,
  type Consumer,
  type ConsumerOptions,
  type DeliverySink,
  type Message,
  type QueueEntry,
  type QueueHost,
  type QueueMachine,
  type QueueRecord,
  type QueueReplicas,
  type QueueSettings,
  type QueueStats,
  type Settlement,
  type SettleOptions,
} from '@warren/core';

/** What a replicated queue asks of its node's hub of replicated queues. */
export interface ReplicaHub {
  /**
   * Proposes the message; the handle settles once a majority committed it (or with
   * cluster_unavailable, or queue_full when the queue rejected it). `dedup`: checked against the
   * queue's dedup window, in its log.
   */
  publish(queue: ReplicatedQueue, message: Message, dedup: boolean): Commit;
  subscribe(queue: ReplicatedQueue, consumer: Consumer): void;
  cancel(queue: ReplicatedQueue, consumer: Consumer): void;
  /** A consumer's connection drained: deliveries waiting on this node for it go on. */
  resume(queue: ReplicatedQueue): void;
  settle(queue: ReplicatedQueue, consumer: Consumer, entry: QueueEntry, outcome: Settlement, delay: number | undefined): void;
  /** Proposes a renewal of the delivery's ack lease; false when no consumer of this node holds it. */
  extendLease(queue: ReplicatedQueue, entry: QueueEntry, ms: number): boolean;
  /** The queue's effective policy changed (while this node applies the metadata log). */
  policy(queue: ReplicatedQueue, policy: Policy | undefined): void;
  /** The queue was declared again: its x-expires clock restarts. */
  touch(queue: ReplicatedQueue): void;
  /** Purges through the log; resolves with the count once committed. */
  purge(queue: ReplicatedQueue): Promise<number>;
  /** Takes up to `count` ready messages from the head through the log (a get with an ack). */
  take(queue: ReplicatedQueue, count: number): Promise<QueueEntry[]>;
  /** Removes these ready messages (moved by a redrive) through the log. */
  remove(queue: ReplicatedQueue, entries: QueueEntry[]): void;
  /** This node's replica of the queue; undefined on a node holding none. */
  replica(queue: ReplicatedQueue): QueueMachine | undefined;
  /** This node's replica once it has applied everything committed before the call (read-index), to browse. */
  freshReplica(queue: ReplicatedQueue): Promise<QueueMachine | undefined>;
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
  /** This node's replica's log: the index its last snapshot covers, and its last entry. */
  readonly log?: { readonly snapshot: number; readonly last: number };
}

/** `replicated` or `classic`: the management API's queue type. */
export function queueTypeOf(queue: Queue): 'replicated' | 'classic' {
  return queue instanceof ReplicatedQueue ? 'replicated' : 'classic';
}

export class ReplicatedQueue extends Queue {
  #commit: Commit | undefined;
  /** Its policy was applied once (at its declaration, or as this node loaded it). */
  #declared = false;

  constructor(
    record: QueueRecord,
    readonly host: QueueHost,
    private readonly hub: ReplicaHub,
  ) {
    super(record, host);
    this.settings = localSettings(record, undefined);
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

  override get deduplicatesItself(): boolean {
    return true;
  }

  override enqueue(message: Message, dedup = false): Enqueued {
    this.#commit = this.hub.publish(this, message, dedup);
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

  /** The leader decides deliveries; a connection that drains takes those waiting on this node for it (consumer-credit.ts). */
  override dispatch(): void {
    this.hub.resume(this);
  }

  override settle(entry: QueueEntry, consumer: Consumer, outcome: Settlement, options: SettleOptions = {}): void {
    this.hub.settle(this, consumer, entry, outcome, options.delay);
    if (outcome === 'ack') this.messageStats.ack++;
  }

  override requeueAll(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    this.hub.connectionLost(this, deliveries);
  }

  override extendLease(entry: QueueEntry, ms: number): boolean {
    return this.hub.extendLease(this, entry, ms);
  }

  /**
   * A policy is applied through the queue's log, so every member applies it at the same point;
   * here it is kept to be shown, and in the settings the vhost reads (dead-letter exchange,
   * dedup window), without x-expires: the queue's own clock is its log's.
   */
  override applyPolicy(policy: Policy | undefined): void {
    const changed = policy !== this.policy;
    this.policy = policy;
    this.settings = localSettings(this.record, policy);
    // At its declaration a queue with x-expires needs a command to start its clock, as a classic one's policy starts it.
    const first = !this.#declared;
    this.#declared = true;
    if (changed || (first && this.#expires)) this.hub.policy(this, policy);
  }

  get #expires(): boolean {
    return queueSettings(this.record.arguments, this.policy?.record.definition).expires !== undefined;
  }

  override touch(): void {
    if (this.#expires) this.hub.touch(this);
  }

  override purge(): number {
    throw new WarrenError('precondition_failed', `replicated queue '${this.name}' is purged through its log: use purgeCommitted()`);
  }

  override purgeCommitted(): Promise<number> {
    return this.hub.purge(this);
  }

  override async take(count: number): Promise<QueueEntry[]> {
    const taken = await this.hub.take(this, count);
    this.messageStats.get += taken.length;
    return taken;
  }

  override remove(entries: QueueEntry[]): void {
    if (entries.length > 0) this.hub.remove(this, entries);
  }

  override stillReady(entries: QueueEntry[]): QueueEntry[] {
    const replica = this.hub.replica(this);
    if (replica === undefined) return [];
    return entries.flatMap((e) => {
      const found = replica.readyEntry(e.seq);
      return found !== undefined && found.message.id === e.message.id ? [found] : [];
    });
  }

  override async peek(offset: number, count: number): Promise<QueueEntry[]> {
    return (await this.hub.freshReplica(this))?.peek(offset, count) ?? [];
  }

  override async readyAfter(afterSeq: number, count: number): Promise<QueueEntry[]> {
    return (await this.hub.freshReplica(this))?.readyAfter(afterSeq, count) ?? [];
  }

  override get readyVersion(): number {
    return this.hub.replica(this)?.readyVersion ?? 0;
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

/** The settings the vhost reads on this node; x-expires runs in the log, never on this node's clock. */
function localSettings(record: QueueRecord, policy: Policy | undefined): QueueSettings {
  const { expires: _expires, ...settings } = queueSettings(record.arguments, policy?.record.definition);
  return settings;
}
