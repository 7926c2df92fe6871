/**
 * One queue: its backlog of ready messages, its consumers (served round-robin, each within its
 * prefetch), the settlement of deliveries, and what its settings make of a message that fails,
 * expires or overflows (dead-lettering, retry, TTL, max-length, delivery-limit: RabbitMQ's
 * semantics, docs/dead-lettering.md). Where a message goes next (a dead-letter exchange, the
 * scheduler) is the QueueHost's business; what to store is decided here, through the Store port.
 * It runs past the 400-line ceiling because dispatch, settlement and the paths of a failed
 * attempt share the queue's private state (backlog, unacked counts); every part that stands
 * alone lives beside it: backlog.ts, ack-lease.ts, attempt-log.ts, delivery-gate.ts,
 * delivery-record.ts.
 */
import type { DeathReason } from '../dead-letter.js';
import type { Message, QueueEntry } from '../message.js';
import type { Clock, Logger, QueueRecord, Store } from '../ports.js';
import type { Policy } from '../policy/policy.js';
import { AckLeases, type Lease } from './ack-lease.js';
import { DEFAULT_ATTEMPT_LOG_LIMIT, withAttempt, type AttemptFailure, type AttemptReason } from './attempt-log.js';
import { Backlog, type BacklogLimits } from './backlog.js';
import { Consumer, type ConsumerOptions, type DeliverySink } from './consumer.js';
import { DeliveryGate } from './delivery-gate.js';
import { DeliveryRecord } from './delivery-record.js';
import { DEFAULT_RETRY, queueSettings, retryDelay, type QueueSettings, type RetrySettings } from './settings.js';
import { isFull, isOver } from './max-length.js';
import { expiryOf, hasExpired, mayExpire } from './ttl.js';

export type Settlement = 'ack' | 'requeue' | 'drop' | 'retry';

/** How a consumer settled: a retry's delay, and for a failure what it was and why (the attempt log). */
export interface SettleOptions {
  delay?: number;
  reason?: AttemptReason;
  error?: string;
}

/** What enqueue() did with a message. */
export const Enqueued = { Rejected: -1, InRam: 0, Stored: 1 } as const;
export type Enqueued = (typeof Enqueued)[keyof typeof Enqueued];

/** The header that carries the attempt number of a retried message (1 for the first delivery). */
export const ATTEMPT_HEADER = 'x-warren-attempt';

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
  settings: QueueSettings;
  policy: Policy | undefined;
  private readonly backlog: Backlog;
  private readonly store: Store;
  private nextSeq = 1;
  private roundRobin = 0;
  private unackedCount = 0;
  private dispatching = false;
  private cancelTtlTimer: (() => void) | undefined;
  private ttlTimerDue = Number.POSITIVE_INFINITY;
  private cancelExpiry: (() => void) | undefined;
  private readonly leases: AckLeases;
  private readonly gate: DeliveryGate;
  private readonly deliveryRecord: DeliveryRecord;
  deleted = false;
  /** Auto-delete applies only once the queue has had a consumer (AMQP 0-9-1 queue.declare auto-delete). */
  hadConsumer = false;

  constructor(
    readonly record: QueueRecord,
    private readonly host: QueueHost,
  ) {
    this.store = host.store;
    this.settings = queueSettings(record.arguments, undefined);
    this.backlog = new Backlog(record.id, host.store, host.limits, host.logger, () => this.pagedIn());
    this.leases = new AckLeases(host.clock, this.expireLease);
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
    this.enforceMaxLength();
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
    this.enforceMaxLength();
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
      this.expireHead();
      while (this.backlog.ramCount > 0) {
        const consumer = this.nextConsumer();
        if (consumer === undefined) break;
        const entry = this.backlog.shift() as QueueEntry;
        if (hasExpired(entry, this.settings, this.host.clock)) {
          this.deadLetterEntry(entry, 'expired');
          continue;
        }
        if (this.overDeliveryLimit(entry)) continue;
        entry.deliveryCount++;
        let mustWait = false;
        if (consumer.options.noAck) {
          this.forget(entry);
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
    this.armTtlTimer();
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
    const failure = outcome === 'ack' ? undefined : failureOf(consumer, options.reason ?? (outcome === 'retry' ? 'retry' : 'nack'), options.error);
    this.settleEntry(entry, outcome, options.delay, failure);
    this.dispatch();
  }

  /** Returns many deliveries at once (a closed connection's), then dispatches once. */
  requeueAll(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    for (const { entry, consumer } of deliveries) {
      consumer.unacked--;
      this.leases.release(entry);
      if (this.deleted) continue;
      this.unackedCount--;
      this.settleEntry(entry, 'requeue', undefined, failureOf(consumer, 'connection_closed'));
    }
    this.dispatch();
  }

  /** Removes the ready messages; returns how many. Unacked deliveries are not touched (AMQP queue.purge). */
  purge(): number {
    const { entries, pagedOut, pagedFrom } = this.backlog.purge();
    for (const entry of entries) this.forget(entry);
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
      this.forget(entry);
      taken.push(entry);
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
      this.forget(entry);
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
    this.forget(entry);
  }

  /** Resolves once the next page of paged-out messages is in RAM. */
  pageIn(): Promise<void> {
    return this.backlog.pageIn();
  }

  /** Marks the queue deleted and cancels its consumers; the vhost removes its record. */
  markDeleted(): number {
    const count = this.backlog.count;
    this.deleted = true;
    this.cancelTtlTimer?.();
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
    this.cancelTtlTimer?.();
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

  /** `failure`: the attempt failed, and the message carries that in its attempt log from here on. */
  private settleEntry(entry: QueueEntry, outcome: Settlement, delay?: number, failure?: AttemptFailure): void {
    const { deliveryLimit, retry } = this.settings;
    if (outcome === 'ack') {
      this.forget(entry);
      return;
    }
    const message = failure === undefined ? entry.message : this.logAttempt(entry.message, failure);
    switch (outcome) {
      case 'requeue':
        if (deliveryLimit !== undefined && entry.deliveryCount > deliveryLimit) {
          this.deadLetterEntry(entry, 'delivery_limit', message);
          return;
        }
        this.backlog.returnEntry(this.requeued(entry, message));
        return;
      case 'drop':
        if (retry !== undefined) this.retry(entry, message, retry);
        else this.deadLetterEntry(entry, 'rejected', message);
        return;
      case 'retry':
        this.retry(entry, message, retry ?? DEFAULT_RETRY, delay);
        return;
    }
  }

  private logAttempt(message: Message, failure: AttemptFailure): Message {
    return withAttempt(message, this.name, failure, this.host.clock.now(), this.settings.attemptLogLimit ?? DEFAULT_ATTEMPT_LOG_LIMIT);
  }

  /**
   * The entry as it goes back to the queue. A longer attempt log makes a new message (the old
   * one may sit in other queues too), rewritten in the store in the next batch.
   */
  private requeued(entry: QueueEntry, message: Message): QueueEntry {
    if (message === entry.message) {
      entry.redelivered = true;
      return entry;
    }
    if (entry.stored) this.store.putMessage(this.record.id, entry.seq, message, this.survivesRestart && message.persistent, false);
    return { ...entry, message, redelivered: true };
  }

  /** Schedules the message's next attempt, or dead-letters it after the last one. */
  private retry(entry: QueueEntry, message: Message, retry: RetrySettings, delay?: number): void {
    const attempt = attemptOf(message);
    if (attempt >= retry.maxAttempts) {
      this.deadLetterEntry(entry, 'retries_exhausted', message);
      return;
    }
    const next: Message = { ...message, headers: { ...message.headers, [ATTEMPT_HEADER]: attempt + 1 } };
    this.host.scheduleRetry(this, next, delay ?? retryDelay(retry, attempt));
    this.forget(entry);
  }

  /** Writes the message to its dead-letter target first, then drops it here: both land in one store batch. */
  private deadLetterEntry(entry: QueueEntry, reason: DeathReason, message: Message = entry.message): void {
    this.host.deadLetter(this, message, reason);
    this.forget(entry);
  }

  /**
   * A message whose stored delivery count already passed the delivery-limit (each of those
   * deliveries crashed the broker before it was settled) is dead-lettered instead of delivered.
   */
  private overDeliveryLimit(entry: QueueEntry): boolean {
    const limit = this.settings.deliveryLimit;
    if (limit === undefined || entry.deliveryCount <= limit) return false;
    const error = `delivered ${entry.deliveryCount} times, none settled`;
    this.deadLetterEntry(entry, 'delivery_limit', this.logAttempt(entry.message, { reason: 'delivery_limit', error }));
    return true;
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
    this.settleEntry(entry, this.settings.retry === undefined ? 'requeue' : 'drop', undefined, failure);
    this.dispatch();
  };

  /** A page of messages is back in RAM: the oldest go first if the queue is over its length, then deliveries. */
  private pagedIn(): void {
    if (this.deleted) return;
    this.enforceMaxLength();
    this.dispatch();
  }

  /** drop-head: the oldest ready messages leave (dead-lettered as maxlen) until the queue fits. */
  private enforceMaxLength(): void {
    const { maxLength, maxLengthBytes, overflow } = this.settings;
    if (overflow !== 'drop-head' || (maxLength === undefined && maxLengthBytes === undefined)) return;
    let dropped = false;
    while (isOver(this.settings, this.backlog.count, this.backlog.bytes)) {
      const head = this.backlog.shift();
      if (head === undefined) {
        // The oldest are paged out: their page drops them when it arrives (their dead letters need them).
        void this.backlog.pageIn();
        break;
      }
      this.deadLetterEntry(head, 'maxlen');
      dropped = true;
    }
    // The new head may have expired already, or expire before the one the TTL timer waits for
    // (RabbitMQ drops expired messages after a drop-head too: rabbit_amqqueue_process).
    if (dropped) {
      this.expireHead();
      this.armTtlTimer();
    }
  }

  /** RabbitMQ classic queues expire messages when they reach the head; so does Warren. */
  private expireHead(): void {
    for (let head = this.backlog.peekHead(); head !== undefined && hasExpired(head, this.settings, this.host.clock); head = this.backlog.peekHead()) {
      this.backlog.shift();
      this.deadLetterEntry(head, 'expired');
    }
  }

  private armTtlTimer(): void {
    const head = this.backlog.peekHead();
    const due = head === undefined || this.deleted || !mayExpire(head, this.settings) ? Number.POSITIVE_INFINITY : expiryOf(head, this.settings);
    if (due === this.ttlTimerDue) return;
    this.cancelTtlTimer?.();
    this.cancelTtlTimer = undefined;
    this.ttlTimerDue = due;
    if (due === Number.POSITIVE_INFINITY) return;
    this.cancelTtlTimer = this.host.clock.setTimer(due - this.host.clock.now(), () => {
      this.ttlTimerDue = Number.POSITIVE_INFINITY;
      this.cancelTtlTimer = undefined;
      this.dispatch();
    });
  }

  private forget(entry: QueueEntry): void {
    if (entry.stored) this.store.deleteMessage(this.record.id, entry.seq);
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

function failureOf(consumer: Consumer, reason: AttemptReason, error?: string): AttemptFailure {
  const failure: AttemptFailure = { reason, consumerTag: consumer.tag, connection: consumer.options.owner };
  if (error !== undefined) failure.error = error;
  return failure;
}

/** The attempt number of a message's current delivery: 1 unless a retry raised it. */
export function attemptOf(message: Message): number {
  const attempt = message.headers?.[ATTEMPT_HEADER];
  return typeof attempt === 'number' && attempt >= 1 ? attempt : 1;
}
