/**
 * One queue: its backlog of ready messages, its consumers (served round-robin, each within its
 * prefetch) and the settlement of their deliveries. What becomes of a message that fails is
 * outcomes.ts's (requeue, retry, dead-letter, with the attempt log), what its head's TTL and
 * drop-head do is head-limits.ts's; what to store is decided here and there, through the Store
 * port. The rest that stands alone lives beside it: backlog.ts, ack-lease.ts, attempt-log.ts,
 * delivery-gate.ts, delivery-record.ts.
 */
import type { DeathReason } from '../dead-letter.js';
import { MessageStats } from '../message-stats.js';
import type { Message, QueueEntry } from '../message.js';
import type { Clock, Logger, QueueRecord, Store } from '../ports.js';
import type { Policy } from '../policy/policy.js';
import { AckLeases, type Lease } from './ack-lease.js';
import type { AttemptReason } from './attempt-log.js';
import { Backlog, type BacklogLimits } from './backlog.js';
import { Consumer, type ConsumerOptions, type DeliverySink } from './consumer.js';
import { DeliveryGate } from './delivery-gate.js';
import { DeliveryRecord } from './delivery-record.js';
import { HeadLimits } from './head-limits.js';
import { isFull } from './max-length.js';
import { failureOf, Outcomes, type Settlement } from './outcomes.js';
import { queueSettings, type QueueSettings } from './settings.js';

export type { Settlement };

/** How a consumer settled: a retry's delay, and for a failure what it was and why (the attempt log). */
export interface SettleOptions {
  delay?: number;
  reason?: AttemptReason;
  error?: string;
}

/** What enqueue() did with a message. */
export const Enqueued = { Rejected: -1, InRam: 0, Stored: 1 } as const;
export type Enqueued = (typeof Enqueued)[keyof typeof Enqueued];

export interface QueueHost {
  store: Store;
  limits: BacklogLimits;
  logger: Logger;
  clock: Clock;
  /** Republishes a message leaving `queue` to its dead-letter exchange, if it has one. */
  deadLetter(queue: Queue, message: Message, reason: DeathReason): void;
  /** Brings a message back to `queue` after `delay` ms. */
  scheduleRetry(queue: Queue, message: Message, delay: number): void;
  /** The queue went unused for its x-expires. */
  expired(queue: Queue): void;
}

export interface QueueStats {
  /** Ready messages (AMQP message-count). */
  ready: number;
  /** Delivered, not yet settled. */
  unacked: number;
  /** Ready messages held in RAM (the rest are paged out to the store). */
  ram: number;
  /** Body bytes of the ready messages. */
  bytes: number;
  consumers: number;
}

export class Queue {
  readonly consumers: Consumer[] = [];
  readonly messageStats: MessageStats;
  settings: QueueSettings;
  policy: Policy | undefined;
  private readonly backlog: Backlog;
  private readonly store: Store;
  private nextSeq = 1;
  private roundRobin = 0;
  private unackedCount = 0;
  private dispatching = false;
  private cancelExpiry: (() => void) | undefined;
  private readonly leases: AckLeases;
  private readonly gate: DeliveryGate;
  private readonly deliveryRecord: DeliveryRecord;
  private readonly outcomes: Outcomes;
  private readonly limits: HeadLimits;
  deleted = false;
  /** Auto-delete applies only once the queue has had a consumer (AMQP 0-9-1 queue.declare auto-delete). */
  hadConsumer = false;

  constructor(
    readonly record: QueueRecord,
    private readonly host: QueueHost,
  ) {
    this.store = host.store;
    this.messageStats = new MessageStats(host.clock.now());
    this.settings = queueSettings(record.arguments, undefined);
    this.backlog = new Backlog(record.id, host.store, host.limits, host.logger, () => this.pagedIn());
    this.leases = new AckLeases(host.clock, this.expireLease);
    this.outcomes = new Outcomes(this, host, this.backlog);
    this.limits = new HeadLimits(this, host, this.backlog, this.outcomes);
    this.deliveryRecord = new DeliveryRecord(host.store, record.id);
    this.gate = new DeliveryGate(host.store, this.handOver, (error) =>
      host.logger.error({ queue: record.name, err: error }, 'writing delivery counts failed; delivering anyway'),
    );
  }

  get name(): string {
    return this.record.name;
  }

  /** Exclusive queues die with their connection, so only durable, non-exclusive ones are stored. */
  get survivesRestart(): boolean {
    return this.record.durable && !this.record.exclusive;
  }

  get messageCount(): number {
    return this.backlog.count;
  }

  stats(): QueueStats {
    const b = this.backlog;
    return { ready: b.count, unacked: this.unackedCount, ram: b.ramCount, bytes: b.bytes, consumers: this.consumers.length };
  }

  /** Applies a new policy (or none); the queue's arguments stay. */
  applyPolicy(policy: Policy | undefined): void {
    this.policy = policy;
    this.settings = queueSettings(this.record.arguments, policy?.record.definition);
    this.touch();
    this.dispatch();
    this.limits.enforceMaxLength();
  }

  /** Called once at boot with what the store holds for this durable queue. */
  recover(count: number, lastSeq: number, deliveredUpTo = 0): void {
    this.nextSeq = lastSeq + 1;
    this.backlog.recover(count, this.deliveryRecord.recover(deliveredUpTo, lastSeq));
    this.backlog.maybePageIn();
    this.touch();
  }

  /**
   * Adds a message; returns whether it was written to the store (then the confirm must wait for
   * that write, synced for a persistent message in a durable queue), kept in RAM only, or
   * rejected by the overflow mode. Waiting for paged-out writes too is what bounds a fast
   * publisher by the disk instead of by RAM.
   */
  enqueue(message: Message): Enqueued {
    const { overflow } = this.settings;
    if (overflow !== 'drop-head' && isFull(this.settings, this.backlog.count, this.backlog.bytes + message.body.length)) {
      if (overflow === 'reject-publish-dlx') this.host.deadLetter(this, message, 'maxlen');
      return Enqueued.Rejected;
    }
    const seq = this.nextSeq++;
    this.messageStats.publish++;
    const persist = this.survivesRestart && message.persistent;
    let result: Enqueued = persist ? Enqueued.Stored : Enqueued.InRam;
    if (this.backlog.mustPageOut) {
      this.store.putMessage(this.record.id, seq, message, persist, persist);
      this.backlog.pushPagedOut(seq, message.body.length);
      result = Enqueued.Stored;
    } else {
      if (persist) this.store.putMessage(this.record.id, seq, message, true, true);
      this.backlog.push({ seq, message, redelivered: false, deliveryCount: 0, stored: persist });
      this.dispatch();
    }
    this.limits.enforceMaxLength();
    return result;
  }

  addConsumer(options: ConsumerOptions, sink: DeliverySink): Consumer {
    const consumer = new Consumer(this, options, sink);
    this.consumers.push(consumer);
    this.hadConsumer = true;
    this.touch();
    this.dispatch();
    return consumer;
  }

  /** Stops deliveries to the consumer; its unacked deliveries stay with its connection. */
  removeConsumer(consumer: Consumer): void {
    consumer.active = false;
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
    this.touch();
  }

  /** Delivers while there are ready messages and consumers with credit; expires what is due first. */
  dispatch(): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    try {
      this.limits.expireHead();
      while (this.backlog.ramCount > 0) {
        const consumer = this.nextConsumer();
        if (consumer === undefined) break;
        const entry = this.backlog.shift() as QueueEntry;
        if (this.limits.hasExpired(entry)) {
          this.outcomes.deadLetter(entry, 'expired');
          continue;
        }
        if (this.outcomes.overDeliveryLimit(entry)) continue;
        entry.deliveryCount++;
        let mustWait = false;
        if (consumer.options.noAck) {
          this.outcomes.forget(entry);
        } else {
          consumer.unacked++;
          this.unackedCount++;
          if (entry.stored && entry.message.persistent && this.survivesRestart) mustWait = this.deliveryRecord.record(entry);
        }
        this.gate.send(consumer, entry, mustWait);
      }
    } finally {
      this.dispatching = false;
      this.gate.seal();
    }
    this.limits.armTtlTimer();
  }

  /** Renews a delivery's ack lease to `ms` from now; false when it holds none. */
  extendLease(entry: QueueEntry, ms: number): boolean {
    return this.leases.extend(entry, ms);
  }

  /**
   * Settles one delivery of `consumer`: acked, back to the queue, dropped (dead-lettered or
   * retried) or retried. Anything but an ack is a failed attempt, logged in the message.
   */
  settle(entry: QueueEntry, consumer: Consumer, outcome: Settlement, options: SettleOptions = {}): void {
    consumer.unacked--;
    this.leases.release(entry);
    if (this.deleted) return;
    this.unackedCount--;
    if (outcome === 'ack') this.messageStats.ack++;
    const failure = outcome === 'ack' ? undefined : failureOf(consumer, options.reason ?? (outcome === 'retry' ? 'retry' : 'nack'), options.error);
    this.outcomes.settle(entry, outcome, options.delay, failure);
    this.dispatch();
  }

  /** Returns many deliveries at once (a closed connection's), then dispatches once. */
  requeueAll(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    for (const { entry, consumer } of deliveries) {
      consumer.unacked--;
      this.leases.release(entry);
      if (this.deleted) continue;
      this.unackedCount--;
      this.outcomes.settle(entry, 'requeue', undefined, failureOf(consumer, 'connection_closed'));
    }
    this.dispatch();
  }

  /** Removes the ready messages; returns how many. Unacked deliveries are not touched (AMQP queue.purge). */
  purge(): number {
    const { entries, pagedOut, pagedFrom } = this.backlog.purge();
    for (const entry of entries) this.outcomes.forget(entry);
    if (pagedOut > 0) this.store.purgeMessages(this.record.id, pagedFrom);
    return entries.length + pagedOut;
  }

  /** Ready messages in order from `offset`, without changing anything (browsing). */
  peek(offset: number, count: number): Promise<QueueEntry[]> {
    return this.backlog.peek(offset, count);
  }

  /** Ready messages after seq `afterSeq` in order, at most `count`, without changing anything (browsing in pages). */
  readyAfter(afterSeq: number, count: number): Promise<QueueEntry[]> {
    return this.backlog.readyAfter(afterSeq, count);
  }

  /**
   * Those of `entries` (found by a browse, maybe a while ago) that are still ready, as the queue
   * holds them now; one delivered or removed meanwhile is left out. For remove(): only one
   * caller may remove paged-out messages at a time (one redrive per queue).
   */
  stillReady(entries: QueueEntry[]): QueueEntry[] {
    const ready: QueueEntry[] = [];
    for (const entry of entries) {
      const found = this.backlog.inRam(entry.seq) ?? (this.backlog.mayBePagedOut(entry.seq) ? entry : undefined);
      if (found !== undefined) ready.push(found);
    }
    return ready;
  }

  /** Removes up to `count` ready messages from the head, as basic.get with an ack. */
  async take(count: number): Promise<QueueEntry[]> {
    const taken: QueueEntry[] = [];
    while (taken.length < count && this.backlog.count > 0 && !this.deleted) {
      const entry = this.backlog.shift();
      if (entry === undefined) {
        const before = this.backlog.ramCount;
        await this.backlog.pageIn();
        if (this.backlog.ramCount === before) break;
        continue;
      }
      this.outcomes.forget(entry);
      taken.push(entry);
      this.messageStats.get++;
      if (entry.redelivered) this.messageStats.redeliver++;
    }
    return taken;
  }

  /** Removes the given ready entries (found by peek) wherever they are in the queue. */
  remove(entries: QueueEntry[]): void {
    const set = new Set<QueueEntry>();
    const pagedOut: QueueEntry[] = [];
    for (const entry of entries) {
      const found = this.backlog.inRam(entry.seq);
      if (found !== undefined) set.add(found);
      else pagedOut.push(entry);
      this.outcomes.forget(entry);
    }
    this.backlog.remove(set, pagedOut);
  }

  /** Takes the head ready message out, in RAM only (undefined when the head is paged out: see pageIn). */
  shiftReady(): QueueEntry | undefined {
    return this.backlog.shift();
  }

  /** Puts a message taken with shiftReady back in its place, unchanged. */
  putBack(entry: QueueEntry): void {
    this.backlog.returnEntry(entry);
    this.dispatch();
  }

  /** Deletes the stored copy of a message taken with shiftReady, which has gone elsewhere. */
  drop(entry: QueueEntry): void {
    this.outcomes.forget(entry);
  }

  /** Resolves once the next page of paged-out messages is in RAM. */
  pageIn(): Promise<void> {
    return this.backlog.pageIn();
  }

  /** Marks the queue deleted and cancels its consumers; the vhost removes its record. */
  markDeleted(): number {
    const count = this.backlog.count;
    this.deleted = true;
    this.limits.stop();
    this.cancelExpiry?.();
    this.leases.stop();
    for (const consumer of this.consumers.splice(0)) {
      consumer.active = false;
      consumer.sink.cancelled(consumer, 'queue_deleted', `queue '${this.name}' was deleted`);
    }
    return count;
  }

  /** Cancels the queue's timers and leaves its delivery record exact (the broker is stopping). */
  stopTimers(): void {
    this.limits.stop();
    this.cancelExpiry?.();
    this.leases.stop();
    if (this.survivesRestart && !this.deleted) this.deliveryRecord.stop();
  }

  /** Restarts the x-expires clock (a declare, a consumer coming or going). */
  touch(): void {
    this.cancelExpiry?.();
    this.cancelExpiry = undefined;
    const { expires } = this.settings;
    if (expires === undefined || this.consumers.length > 0 || this.deleted) return;
    this.cancelExpiry = this.host.clock.setTimer(expires, () => {
      if (!this.deleted && this.consumers.length === 0) this.host.expired(this);
    });
  }

  /** The gate lets a delivery out: it goes to its consumer, unless the consumer left meanwhile. */
  private readonly handOver = (consumer: Consumer, entry: QueueEntry): void => {
    if (this.deleted) return;
    if (!consumer.options.noAck && !consumer.active) {
      // Never sent: it goes back as it was, and its count on disk stays one high ("at least").
      consumer.unacked--;
      this.unackedCount--;
      entry.deliveryCount--;
      this.backlog.returnEntry(entry);
      this.dispatch();
      return;
    }
    const stats = this.messageStats;
    if (consumer.options.noAck) stats.deliver_no_ack++;
    else stats.deliver++;
    if (entry.redelivered) stats.redeliver++;
    const ms = consumer.options.ackTimeout ?? this.settings.ackTimeout;
    if (!consumer.options.noAck && ms !== undefined && ms > 0) this.leases.grant(entry, consumer, ms);
    consumer.sink.deliver(consumer, entry);
  };

  /** A lease ran out: the message comes back as if nacked (retried when the queue retries); the consumer stays. */
  private readonly expireLease = (lease: Lease): void => {
    const { entry, consumer } = lease;
    consumer.sink.revoked(consumer, entry);
    consumer.unacked--;
    if (this.deleted) return;
    this.unackedCount--;
    const failure = failureOf(consumer, 'ack_timeout', `not settled within its ${lease.ms} ms ack lease`);
    this.outcomes.settle(entry, this.settings.retry === undefined ? 'requeue' : 'drop', undefined, failure);
    this.dispatch();
  };

  /** A page of messages is back in RAM: the oldest go first if the queue is over its length, then deliveries. */
  private pagedIn(): void {
    if (this.deleted) return;
    this.limits.enforceMaxLength();
    this.dispatch();
  }

  private nextConsumer(): Consumer | undefined {
    const consumers = this.consumers;
    const n = consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (this.roundRobin + i) % n;
      const consumer = consumers[index] as Consumer;
      if (consumer.hasCredit) {
        this.roundRobin = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }
}
