/**
 * Every way a message enters queues after the exchange it was published to: a publish (now or
 * after a delay), a dead-lettering, a retry coming back, a redrive. All go through enqueue(), so
 * persistence, paging, overflow and confirms work the same whichever way a message came.
 */
import { WarrenError } from '@warren/protocol';
import type { BrokerCounters } from './broker-counters.js';
import { bothCommitted, type Commit } from './commit.js';
import { deadLettered, deathsOf, isCycle, type DeathReason } from './dead-letter.js';
import { Deduplication, Held } from './dedup.js';
import type { Message } from './message.js';
import type { Clock, Logger, ScheduledRecord, Store } from './ports.js';
import { Enqueued, type Queue } from './queue/queue.js';
import type { MessageRouter, RoutingScope } from './routing.js';

/** How long after a replicated queue failed to commit a classic queue's dead-letter it is enqueued again, ms. */
const REENQUEUE_MS = 1_000;

/** publish(): some queue took the message (or held it as a duplicate), or it waits for its delay. */
export const ROUTED = 0;
/** publish(): no queue took the message. */
export const UNROUTED = -1;
/** publish(): a queue refused it (x-overflow reject-publish); the publisher gets a nack. */
export const REJECTED = -2;

/** What became of a publish: what its confirm waits for, and what its receipt says (docs/protocol.md, "Publish receipts"). */
export interface PublishOutcome {
  /** ROUTED, UNROUTED or REJECTED. */
  route: number;
  /**
   * What the confirm waits for: the commit handle of the writes that hold the message (the
   * store's batch for a classic queue); undefined when it may be confirmed now.
   */
  commit: Commit | undefined;
  /** Every queue it was routed to already held its message id in its dedup window, so none took it. */
  duplicate: boolean;
  /**
   * On disk once the commit settles: a persistent message that a queue surviving restarts
   * took now, or a persistent duplicate of a persistent copy such a queue took earlier, or a
   * delayed one a durable exchange keeps.
   */
  durable: boolean;
  /** Nodes that hold the message once the commit settles, when more than this one: every queue that took it is replicated. */
  replicas?: number;
  /** The part of `commit` made elsewhere than the store: replicated queues' logs. */
  elsewhere?: Commit;
  /**
   * A queue that took the message and holds its publishers (credit flow, queue/queue-flow.ts):
   * the publisher's connection waits for it before it reads more. Undefined: nobody holds.
   */
  held?: Queue;
}

const UNROUTED_OUTCOME: PublishOutcome = Object.freeze({ route: UNROUTED, commit: undefined, duplicate: false, durable: false });
const REJECTED_OUTCOME: PublishOutcome = Object.freeze({ route: REJECTED, commit: undefined, duplicate: false, durable: false });

export interface PathsContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  newId(): string;
  counters: BrokerCounters;
  schedule(record: ScheduledRecord): void;
}

export class MessagePaths {
  private readonly routed = new Set<Queue>();
  readonly dedup: Deduplication;

  constructor(
    private readonly vhost: string,
    private readonly scope: RoutingScope,
    private readonly router: MessageRouter,
    private readonly context: PathsContext,
  ) {
    this.dedup = new Deduplication(context.store, context.clock);
  }

  /**
   * A publish: routes and enqueues, or with a delay stores it until due. `publisherId` says the
   * message id came from the publisher: only such a publish, routed at once, is checked against
   * the dedup windows of its queues (a delayed one is not: docs/dedup.md).
   */
  publish(exchangeName: string, message: Message, delay = 0, publisherId = false): PublishOutcome {
    const exchange = this.scope.exchange(exchangeName);
    if (exchange === undefined) throw new WarrenError('exchange_not_found', `no exchange '${exchangeName}' in vhost '${this.vhost}'`);
    if (exchange.record.internal) throw new WarrenError('access_refused', `exchange '${exchangeName}' is internal`);
    this.context.counters.published(message.body.length);
    if (delay > 0) {
      const durable = message.persistent && exchange.durable;
      this.context.schedule({
        id: this.context.newId(),
        due: this.context.clock.now() + delay,
        vhost: this.vhost,
        kind: 'delay',
        exchange: exchangeName,
        message,
        durable,
      });
      return { route: ROUTED, commit: durable ? this.context.store.commit() : undefined, duplicate: false, durable };
    }
    return this.counted(this.toQueues(exchangeName, message, publisherId));
  }

  /**
   * A delayed publish that came due: routed now, as if published now. Answers the commit of the
   * replicated queues that took it, if any: the scheduler keeps the record until it settles.
   */
  publishDue(record: ScheduledRecord): Commit | undefined {
    if (this.scope.exchange(record.exchange ?? '') === undefined) {
      this.context.logger.warn({ exchange: record.exchange, id: record.id }, 'delayed message dropped: its exchange is gone');
      return undefined;
    }
    return this.counted(this.toQueues(record.exchange as string, { ...record.message, publishedAt: this.context.clock.now() }, false)).elsewhere;
  }

  private counted(outcome: PublishOutcome): PublishOutcome {
    if (outcome.route === UNROUTED) this.context.counters.unroutable++;
    else this.context.counters.routed++;
    return outcome;
  }

  /** A retry that came due: back to the tail of its queue, if that same queue still exists. */
  retryDue(record: ScheduledRecord): void {
    const queue = this.scope.queue(record.queue ?? '');
    if (queue === undefined || queue.record.id !== record.queueId) return;
    queue.retryDue({ ...record.message, publishedAt: this.context.clock.now() });
  }

  scheduleRetry(queue: Queue, message: Message, delay: number): void {
    this.context.schedule({
      id: this.context.newId(),
      due: this.context.clock.now() + delay,
      vhost: this.vhost,
      kind: 'retry',
      queue: queue.name,
      queueId: queue.record.id,
      message,
      durable: queue.survivesRestart && message.persistent,
    });
  }

  /** Republishes a message leaving `queue` to its dead-letter exchange; without one, it is dropped. */
  deadLetter(queue: Queue, message: Message, reason: DeathReason): void {
    const { deadLetterExchange, deadLetterRoutingKey } = queue.settings;
    this.context.counters.deadLettered[reason][deadLetterExchange === undefined ? 'disabled' : 'at_most_once']++;
    if (deadLetterExchange === undefined) return;
    const exchange = this.scope.exchange(deadLetterExchange);
    if (exchange === undefined) {
      this.context.logger.warn({ queue: queue.name, exchange: deadLetterExchange, reason }, 'dead-letter exchange missing; message dropped');
      return;
    }
    const dead = deadLettered(message, queue.name, reason, deadLetterExchange, deadLetterRoutingKey, this.context.clock.now());
    const routed = new Set<Queue>();
    this.router.route(exchange, dead.routingKey, dead.headers, routed);
    exchange.messageStats.publish_in++;
    if (routed.size === 0) exchange.messageStats.drop_unroutable++;
    else exchange.messageStats.publish_out++;
    for (const target of routed) {
      if (isCycle(dead, reason, target.name)) {
        this.context.logger.warn({ queue: queue.name, target: target.name, reason }, 'dead-letter cycle: message dropped for that queue');
        continue;
      }
      this.enqueueUntilCommitted(target, dead);
    }
  }

  /**
   * A classic queue's dead-letter into a replicated queue: one its log could not commit (no
   * majority of its replicas) is enqueued again a second later, until it is. In memory only: the
   * source already let it go, so a crash of this node meanwhile loses it (at-most-once).
   */
  private enqueueUntilCommitted(target: Queue, message: Message): void {
    target.enqueue(message);
    target.enqueueCommit()?.onSettled((error) => {
      if (error === undefined || target.deleted || (error as WarrenError).code !== 'cluster_unavailable') return;
      this.context.logger.warn({ queue: target.name, err: error }, 'a replicated queue did not commit a dead-letter; it is enqueued again');
      this.context.clock.setTimer(REENQUEUE_MS, () => {
        if (!target.deleted) this.enqueueUntilCommitted(target, message);
      });
    });
  }

  /**
   * A replicated queue's dead-letter, already marked (x-death) in its log: routed like
   * deadLetter(), but its sender keeps it until every target has it (at-least-once), so this
   * answers what to wait for: the targets' commit, undefined when nothing waits (no target, or
   * classic targets whose writes are in the store's commit, returned then), or null when its
   * dead-letter exchange is gone (the message is dropped, as deadLetter() drops it).
   */
  routeDeadLetter(queue: Queue, dead: Message, reason: DeathReason): Commit | undefined | null {
    this.context.counters.deadLettered[reason].at_least_once++;
    const exchange = this.scope.exchange(dead.exchange);
    if (exchange === undefined) {
      this.context.logger.warn({ queue: queue.name, exchange: dead.exchange, reason }, 'dead-letter exchange missing; message dropped');
      return null;
    }
    const routed = new Set<Queue>();
    this.router.route(exchange, dead.routingKey, dead.headers, routed);
    exchange.messageStats.publish_in++;
    if (routed.size === 0) exchange.messageStats.drop_unroutable++;
    else exchange.messageStats.publish_out++;
    let commit: Commit | undefined;
    let stored = false;
    for (const target of routed) {
      if (isCycle(dead, reason, target.name)) {
        this.context.logger.warn({ queue: queue.name, target: target.name, reason }, 'dead-letter cycle: message dropped for that queue');
        continue;
      }
      if (target.enqueue(dead) === Enqueued.Stored) stored = true;
      const its = target.enqueueCommit();
      if (its !== undefined) commit = commit === undefined ? its : bothCommitted(commit, its);
    }
    if (stored) commit = commit === undefined ? this.context.store.commit() : bothCommitted(commit, this.context.store.commit());
    return commit;
  }

  /**
   * Redrive of one message: to the queue it last died in (from x-death, restoring the routing
   * key it had there), or published to a chosen exchange. Returns false when there is nowhere to go.
   */
  redrive(message: Message, to: { exchange: string; routingKey?: string } | undefined): boolean {
    const now = this.context.clock.now();
    if (to !== undefined) {
      if (this.scope.exchange(to.exchange) === undefined) return false;
      const moved = { ...message, exchange: to.exchange, routingKey: to.routingKey ?? message.routingKey, publishedAt: now };
      return this.toQueues(to.exchange, moved, false).route !== UNROUTED;
    }
    const death = deathsOf(message)[0];
    const origin = death === undefined ? undefined : this.scope.queue(death.queue);
    if (death === undefined || origin === undefined) return false;
    origin.enqueue({ ...message, exchange: death.exchange, routingKey: death['routing-keys'][0] ?? message.routingKey, publishedAt: now });
    return true;
  }

  /**
   * Enqueues in every queue the exchange routes to, except those whose dedup window holds the
   * message's id (only when `deduplicate`). A message some queues took and others held is no
   * duplicate: its receipt says duplicate only when no queue took it.
   */
  private toQueues(exchangeName: string, message: Message, deduplicate: boolean): PublishOutcome {
    const exchange = this.scope.exchange(exchangeName)!;
    const routed = this.routed;
    this.router.route(exchange, message.routingKey, message.headers, routed);
    const stats = exchange.messageStats;
    stats.publish_in++;
    if (routed.size === 0) {
      stats.drop_unroutable++;
      return UNROUTED_OUTCOME;
    }
    stats.publish_out++;
    let stored = false;
    let rejected = false;
    let durable = false;
    let held = 0;
    let heldOnDisk = false;
    let holding: Queue | undefined;
    /** Commits made elsewhere than the store (replicated queues' logs), and on how many nodes at least, over every queue that took it. */
    let elsewhere: Commit | undefined;
    let replicas = Number.POSITIVE_INFINITY;
    for (const queue of routed) {
      const window = deduplicate ? queue.settings.dedupWindow : undefined;
      const checked = window !== undefined && window > 0;
      const own = checked && queue.deduplicatesItself;
      const copy = checked && !own ? this.dedup.holds(queue, window, message.id) : Held.No;
      if (copy !== Held.No) {
        held++;
        if (copy === Held.OnDisk) heldOnDisk = true;
        continue;
      }
      const result = queue.enqueue(message, own);
      if (result === Enqueued.Rejected) {
        rejected = true;
        continue;
      }
      if (result === Enqueued.Stored) stored = true;
      const its = queue.enqueueCommit();
      if (its !== undefined) elsewhere = elsewhere === undefined ? its : bothCommitted(elsewhere, its);
      replicas = Math.min(replicas, its?.replicas ?? 1);
      if (queue.flow.holding) holding = queue;
      if (message.persistent && queue.survivesRestart) durable = true;
      if (checked && !own) this.dedup.remember(queue, message.id, message.persistent);
    }
    const duplicate = held === routed.size;
    routed.clear();
    if (rejected) return REJECTED_OUTCOME;
    // A repeat waits for the batch that holds the first copy and its id, if that is still being written.
    const onDisk = stored || heldOnDisk ? this.context.store.commit() : undefined;
    if (elsewhere === undefined) return { route: ROUTED, commit: onDisk, duplicate, durable: durable || (heldOnDisk && message.persistent), held: holding };
    return {
      route: ROUTED,
      commit: onDisk === undefined ? elsewhere : bothCommitted(onDisk, elsewhere),
      duplicate,
      durable: durable || (heldOnDisk && message.persistent),
      held: holding,
      elsewhere,
      ...(replicas > 1 && held === 0 ? { replicas } : {}),
    };
  }
}
