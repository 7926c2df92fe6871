/**
 * One queue as a deterministic state machine: its backlog of ready messages, its consumers
 * (served round-robin, each within its prefetch) and the settlement of their deliveries, changed
 * only by `apply(command)` (queue-command.ts). Time and the jitter's random number come inside
 * the command: the timers of ack-lease.ts and head-limits.ts run on the machine's clock, which
 * reads the command's time and arms timers as effects. Everything outside (store writes,
 * deliveries, dead-letters, retries, timers) goes out through QueueEffects, which the shell
 * carries out (queue.ts is the local one). What becomes of a failed message is outcomes.ts's,
 * what the head's TTL and drop-head do is head-limits.ts's.
 *
 * Nothing outside is read while a command is applied. Whether a consumer's connection can take
 * more is the shell's to read: it tells the machine with a credit command, and a dispatch round
 * gives each consumer at most its share (ROUND_SHARE) so that a connection that filled up is
 * heard before it gets much more. Paged-out messages come back the same way: the backlog asks
 * for a page, and the shell applies a paged-in command that carries it.
 */
import type { Message, QueueEntry } from '../message.js';
import type { Clock, QueueRecord } from '../ports.js';
import type { Policy } from '../policy/policy.js';
import { AckLeases, type Lease } from './ack-lease.js';
import type { AttemptReason } from './attempt-log.js';
import { servedCount, takesOverAtOnce } from './active-consumer.js';
import type { Backlog } from './backlog.js';
import type { Consumer } from './consumer.js';
import { HeadLimits } from './head-limits.js';
import { isFull } from './max-length.js';
import { failureOf, Outcomes } from './outcomes.js';
import type { QueueCommand, QueueTimer, Settlement } from './queue-command.js';
import type { QueueEffects } from './queue-effects.js';
import type { MachineImageParts } from './queue-image.js';
import { queueSettings, type QueueSettings } from './settings.js';

/**
 * The most deliveries, and body bytes, one consumer gets in one dispatch round; the round then
 * stops and the shell dispatches again once it has heard the connections (dispatchLater).
 */
export const ROUND_SHARE = { count: 256, bytes: 1024 * 1024 } as const;
/** What enqueue did with a message. */
export const Enqueued = { Rejected: -1, InRam: 0, Stored: 1 } as const;
export type Enqueued = (typeof Enqueued)[keyof typeof Enqueued];
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

export class QueueMachine {
  readonly consumers: Consumer[] = [];
  settings: QueueSettings;
  policy: Policy | undefined;
  deleted = false;
  /** Auto-delete applies only once the queue has had a consumer (AMQP 0-9-1 queue.declare auto-delete). */
  hadConsumer = false;
  /** The time of the command being applied (the last one applied, between commands). */
  now = 0;
  /** The random number of the command being applied, for a retry's jitter. */
  random = 0;
  private nextSeq = 1;
  private roundRobin = 0;
  private unackedCount = 0;
  private dispatching = false;
  /** Dispatch rounds so far, to tell a consumer's share in this round from an earlier one's. */
  private rounds = 0;
  /** A consumer with credit was passed over this round because it had its share. */
  private shareSpent = false;
  private cancelExpiry: (() => void) | undefined;
  private readonly fires: Record<QueueTimer, (() => void) | undefined> = { ttl: undefined, lease: undefined, expires: undefined };
  /** When each timer is armed for (infinity: not armed): a snapshot arms them again for the same times. */
  private readonly dues: Record<QueueTimer, number> = { ttl: Infinity, lease: Infinity, expires: Infinity };
  private readonly leases: AckLeases;
  private readonly outcomes: Outcomes;
  private readonly limits: HeadLimits;
  private readonly expiresClock: Clock;

  constructor(
    readonly record: QueueRecord,
    protected readonly effects: QueueEffects,
    protected readonly backlog: Backlog,
  ) {
    this.settings = queueSettings(record.arguments, undefined);
    this.leases = new AckLeases(this.clockFor('lease'), this.expireLease);
    this.outcomes = new Outcomes(this, effects, backlog);
    this.limits = new HeadLimits(this, this.clockFor('ttl'), backlog, this.outcomes, () => this.deliverReady());
    this.expiresClock = this.clockFor('expires');
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

  /** Ready messages in order from `offset`, without changing anything (browsing). */
  peek(offset: number, count: number): Promise<QueueEntry[]> {
    return this.backlog.peek(offset, count);
  }

  /** Changes when the set of ready messages changes (not when they page in or out): equal values, same messages. */
  get readyVersion(): number {
    return this.backlog.changes;
  }

  /** The ready message `seq` if it is in RAM (a replica, whose backlog never pages, finds any). */
  readyEntry(seq: number): QueueEntry | undefined {
    return this.backlog.inRam(seq);
  }

  /** Ready messages after seq `afterSeq` in order, at most `count`, without changing anything (browsing in pages). */
  readyAfter(afterSeq: number, count: number): Promise<QueueEntry[]> {
    return this.backlog.readyAfter(afterSeq, count);
  }

  /**
   * Applies one command. Returns enqueue's Enqueued, purge's and delete's message counts,
   * extend-lease's 1 (renewed) or 0 (no lease held), take-head's entry; nothing for the rest.
   * Each case reads its command's fields before anything runs, as the shell reuses command objects.
   */
  apply(command: QueueCommand): number | QueueEntry | undefined {
    this.now = command.now;
    switch (command.kind) {
      case 'enqueue':
      case 'retry-due':
        return this.enqueueMessage(command.message);
      case 'dispatch':
        this.deliverReady();
        return undefined;
      case 'credit':
        command.consumer.blocked = !command.writable;
        if (command.writable) this.deliverReady();
        return undefined;
      case 'hand-over':
        this.applyHandOver(command);
        return undefined;
      case 'settle':
        this.applySettle(command);
        return undefined;
      case 'extend-lease':
        return this.leases.extend(command.entry, command.ms) ? 1 : 0;
      case 'connection-lost':
        this.connectionLost(command.deliveries);
        return undefined;
      case 'attach':
        this.attachConsumer(command.consumer);
        return undefined;
      case 'cancel':
        this.cancelConsumer(command.consumer);
        return undefined;
      case 'timer':
        this.random = command.random;
        this.fireTimer(command.timer);
        return undefined;
      case 'want-page':
        this.backlog.maybePageIn(true);
        return undefined;
      case 'paged-in':
        if (!this.backlog.pagedIn(command.generation, command.messages) || this.deleted) return undefined;
        this.limits.enforceMaxLength();
        this.deliverReady();
        return undefined;
      case 'purge':
        return this.purgeReady();
      case 'policy':
        this.applyPolicySettings(command.policy);
        return undefined;
      case 'touch':
        this.restartExpiry();
        return undefined;
      case 'take-head':
        return this.backlog.shift();
      case 'put-back':
        this.backlog.returnEntry(command.entry);
        this.deliverReady();
        return undefined;
      case 'drop':
        this.outcomes.forget(command.entry);
        return undefined;
      case 'remove':
        this.removeEntries(command.entries);
        return undefined;
      case 'recover':
        this.recoverStored(command.count, command.lastSeq, command.deliveredUpTo);
        return undefined;
      case 'delete':
        return this.deleteQueue();
      case 'stop':
        this.stopAll();
        return undefined;
    }
  }

  /*
   * The per-message commands, for a shell that knows which it applies: apply() with one object
   * shape per kind, so that reading a command's fields stays monomorphic on the hot path.
   */

  applyEnqueue(command: Extract<QueueCommand, { kind: 'enqueue' }>): Enqueued {
    this.now = command.now;
    return this.enqueueMessage(command.message);
  }

  applyHandOver(command: Extract<QueueCommand, { kind: 'hand-over' }>): void {
    this.now = command.now;
    this.handOver(command.consumer, command.entry);
  }

  applySettle(command: Extract<QueueCommand, { kind: 'settle' }>): void {
    this.now = command.now;
    this.random = command.random;
    this.settleDelivery(command.entry, command.consumer, command.outcome, command.delay, command.reason, command.error);
  }

  /**
   * Adds a message; says whether it was written to the store (then the confirm must wait for
   * that write, synced for a persistent message in a durable queue), kept in RAM only, or
   * rejected by the overflow mode. Waiting for paged-out writes too is what bounds a fast
   * publisher by the disk instead of by RAM.
   */
  private enqueueMessage(message: Message): Enqueued {
    const { overflow } = this.settings;
    if (overflow !== 'drop-head' && isFull(this.settings, this.backlog.count, this.backlog.bytes + message.body.length)) {
      if (overflow === 'reject-publish-dlx') this.effects.deadLetter(message, 'maxlen');
      return Enqueued.Rejected;
    }
    const seq = this.nextSeq++;
    const persist = this.survivesRestart && message.persistent;
    let result: Enqueued = persist ? Enqueued.Stored : Enqueued.InRam;
    if (this.backlog.mustPageOut) {
      this.effects.writes.putMessage(this.record.id, seq, message, persist, persist);
      this.backlog.pushPagedOut(seq, message.body.length);
      result = Enqueued.Stored;
    } else {
      if (persist) this.effects.writes.putMessage(this.record.id, seq, message, true, true);
      this.backlog.push({ seq, message, redelivered: false, deliveryCount: 0, stored: persist });
      this.deliverReady();
    }
    this.limits.enforceMaxLength();
    return result;
  }

  /** Delivers while there are ready messages and consumers with credit; expires what is due first. */
  private deliverReady(): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    const round = ++this.rounds;
    this.shareSpent = false;
    try {
      this.limits.expireHead();
      while (this.backlog.ramCount > 0) {
        const consumer = this.nextConsumer(round);
        if (consumer === undefined) break;
        const entry = this.backlog.shift() as QueueEntry;
        if (this.limits.hasExpired(entry)) {
          this.outcomes.deadLetter(entry, 'expired');
          continue;
        }
        if (this.outcomes.overDeliveryLimit(entry)) continue;
        consumer.roundCount++;
        consumer.roundBytes += entry.message.body.length;
        entry.deliveryCount++;
        let durableCount = false;
        if (consumer.options.noAck) {
          this.outcomes.forget(entry);
        } else {
          consumer.unacked++;
          this.unackedCount++;
          durableCount = entry.stored && entry.message.persistent && this.survivesRestart;
        }
        if (this.effects.send(consumer, entry, durableCount)) this.handOver(consumer, entry);
      }
    } finally {
      this.dispatching = false;
      this.effects.endRound();
    }
    if (this.shareSpent && this.backlog.ramCount > 0) this.effects.dispatchLater();
    this.limits.armTtlTimer();
  }

  /** The shell lets a delivery out: it goes to its consumer, unless the consumer left meanwhile. */
  private handOver(consumer: Consumer, entry: QueueEntry): void {
    if (this.deleted) return;
    if (!consumer.options.noAck && !consumer.active) {
      // Never sent: it goes back as it was, and its count on disk stays one high ("at least").
      consumer.unacked--;
      this.unackedCount--;
      entry.deliveryCount--;
      this.backlog.returnEntry(entry);
      this.deliverReady();
      return;
    }
    const ms = consumer.options.ackTimeout ?? this.settings.ackTimeout;
    if (!consumer.options.noAck && ms !== undefined && ms > 0) this.leases.grant(entry, consumer, ms);
    this.effects.deliver(consumer, entry);
  }

  /** Settles one delivery: anything but an ack is a failed attempt, logged in the message. */
  private settleDelivery(
    entry: QueueEntry,
    consumer: Consumer,
    outcome: Settlement,
    delay: number | undefined,
    reason: AttemptReason | undefined,
    error: string | undefined,
  ): void {
    consumer.unacked--;
    this.leases.release(entry);
    if (this.deleted) return;
    this.unackedCount--;
    const failure = outcome === 'ack' ? undefined : failureOf(consumer, reason ?? (outcome === 'retry' ? 'retry' : 'nack'), error);
    this.outcomes.settle(entry, outcome, delay, failure);
    this.deliverReady();
  }

  /** Returns many deliveries at once (a closed connection's), then dispatches once. */
  private connectionLost(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    for (const { entry, consumer } of deliveries) {
      consumer.unacked--;
      this.leases.release(entry);
      if (this.deleted) continue;
      this.unackedCount--;
      this.outcomes.settle(entry, 'requeue', undefined, failureOf(consumer, 'connection_closed'));
    }
    this.deliverReady();
  }

  private attachConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.hadConsumer = true;
    this.restartExpiry();
    this.deliverReady();
  }

  /** Stops deliveries to the consumer; its unacked deliveries stay with its connection. */
  private cancelConsumer(consumer: Consumer): void {
    consumer.active = false;
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
    this.restartExpiry();
    if (takesOverAtOnce(this.settings, index, consumer)) this.deliverReady();
  }

  /** A lease ran out: the message comes back as if nacked (retried when the queue retries); the consumer stays. */
  private readonly expireLease = (lease: Lease): void => {
    const { entry, consumer } = lease;
    this.effects.revoked(consumer, entry);
    consumer.unacked--;
    if (this.deleted) return;
    this.unackedCount--;
    const failure = failureOf(consumer, 'ack_timeout', `not settled within its ${lease.ms} ms ack lease`);
    this.outcomes.settle(entry, this.settings.retry === undefined ? 'requeue' : 'drop', undefined, failure);
    this.deliverReady();
  };

  private applyPolicySettings(policy: Policy | undefined): void {
    this.policy = policy;
    this.settings = queueSettings(this.record.arguments, policy?.record.definition);
    this.restartExpiry();
    this.deliverReady();
    this.limits.enforceMaxLength();
  }

  private recoverStored(count: number, lastSeq: number, deliveredUpTo: number): void {
    this.nextSeq = lastSeq + 1;
    this.backlog.recover(count, deliveredUpTo);
    this.backlog.maybePageIn();
    this.restartExpiry();
  }

  /** Removes the ready messages; returns how many. Unacked deliveries are not touched (AMQP queue.purge). */
  private purgeReady(): number {
    const { entries, pagedOut, pagedFrom } = this.backlog.purge();
    for (const entry of entries) this.outcomes.forget(entry);
    if (pagedOut > 0) this.effects.writes.purgeMessages(this.record.id, pagedFrom);
    return entries.length + pagedOut;
  }

  private removeEntries(entries: QueueEntry[]): void {
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

  private deleteQueue(): number {
    const count = this.backlog.count;
    this.deleted = true;
    this.limits.stop();
    this.cancelExpiry?.();
    this.leases.stop();
    for (const consumer of this.consumers.splice(0)) {
      consumer.active = false;
      this.effects.cancelled(consumer, `queue '${this.name}' was deleted`);
    }
    return count;
  }

  private stopAll(): void {
    this.limits.stop();
    this.cancelExpiry?.();
    this.leases.stop();
    if (this.survivesRestart && !this.deleted) this.effects.stopped();
  }

  /** Restarts the x-expires clock (a declare, a consumer coming or going). */
  private restartExpiry(): void {
    this.cancelExpiry?.();
    this.cancelExpiry = undefined;
    const { expires } = this.settings;
    if (expires === undefined || this.consumers.length > 0 || this.deleted) return;
    this.armExpiry(expires);
  }

  private armExpiry(ms: number): void {
    this.cancelExpiry = this.expiresClock.setTimer(ms, () => {
      if (!this.deleted && this.consumers.length === 0) this.effects.expired();
    });
  }

  /** For queue-image.ts only: the state a snapshot holds beyond the public fields. */
  imageParts(): MachineImageParts {
    const { nextSeq, roundRobin, unackedCount, backlog, leases, limits } = this;
    return { nextSeq, roundRobin, unackedCount, dues: { ...this.dues }, backlog, leases, limits };
  }

  /** For queue-image.ts only: puts back counters and the x-expires timer (the rest it restores through the parts). */
  restoreCounters(counters: Pick<MachineImageParts, 'nextSeq' | 'roundRobin' | 'unackedCount'>, expiresDue: number): void {
    ({ nextSeq: this.nextSeq, roundRobin: this.roundRobin, unackedCount: this.unackedCount } = counters);
    if (expiresDue !== Infinity) this.armExpiry(expiresDue - this.now);
  }

  private fireTimer(timer: QueueTimer): void {
    const fire = this.fires[timer];
    this.fires[timer] = undefined;
    this.dues[timer] = Infinity;
    fire?.();
  }

  /** The clock the queue's timers run on: the command's time, and timers armed as effects. */
  private clockFor(timer: QueueTimer): Clock {
    return {
      now: () => this.now,
      setTimer: (ms, fire) => {
        this.fires[timer] = fire;
        this.dues[timer] = this.now + ms;
        this.effects.setTimer(timer, this.now + ms);
        return () => {
          if (this.fires[timer] !== fire) return;
          this.fires[timer] = undefined;
          this.dues[timer] = Infinity;
          this.effects.setTimer(timer, Number.POSITIVE_INFINITY);
        };
      },
    };
  }

  /** The next consumer round-robin (only the first under single active consumer) with credit and its share of this round left. */
  private nextConsumer(round: number): Consumer | undefined {
    const consumers = this.consumers;
    const n = servedCount(this.settings, consumers.length);
    for (let i = 0; i < n; i++) {
      const index = (this.roundRobin + i) % n;
      const consumer = consumers[index] as Consumer;
      if (!consumer.hasCredit) continue;
      if (consumer.round !== round) {
        consumer.round = round;
        consumer.roundCount = 0;
        consumer.roundBytes = 0;
      } else if (consumer.roundCount >= ROUND_SHARE.count || consumer.roundBytes >= ROUND_SHARE.bytes) {
        this.shareSpent = true;
        continue;
      }
      this.roundRobin = (index + 1) % n;
      return consumer;
    }
    return undefined;
  }
}
