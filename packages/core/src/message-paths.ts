/**
 * Every way a message enters queues after the exchange it was published to: a publish (now or
 * after a delay), a dead-lettering, a retry coming back, a redrive. All go through enqueue(), so
 * persistence, paging, overflow and confirms work the same whichever way a message came.
 */
import { WarrenError } from '@warren/protocol';
import { deadLettered, deathsOf, isCycle, type DeathReason } from './dead-letter.js';
import type { Message } from './message.js';
import type { Clock, Logger, ScheduledRecord, Store } from './ports.js';
import { Enqueued, type Queue } from './queue/queue.js';
import type { MessageRouter, RoutingScope } from './routing.js';

/** publish(): no queue took the message. */
export const UNROUTED = -1;
/** publish(): a queue refused it (x-overflow reject-publish); the publisher gets a nack. */
export const REJECTED = -2;

export interface PathsContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  newId(): string;
  schedule(record: ScheduledRecord): void;
}

export class MessagePaths {
  private readonly routed = new Set<Queue>();

  constructor(
    private readonly vhost: string,
    private readonly scope: RoutingScope,
    private readonly router: MessageRouter,
    private readonly context: PathsContext,
  ) {}

  /**
   * A publish: routes and enqueues, or with a delay stores it until due. Returns UNROUTED,
   * REJECTED, 0 when it may be confirmed now, or the store ticket to wait for.
   */
  publish(exchangeName: string, message: Message, delay = 0): number {
    const exchange = this.scope.exchange(exchangeName);
    if (exchange === undefined) throw new WarrenError('exchange_not_found', `no exchange '${exchangeName}' in vhost '${this.vhost}'`);
    if (exchange.record.internal) throw new WarrenError('access_refused', `exchange '${exchangeName}' is internal`);
    if (delay > 0) {
      this.context.schedule({
        id: this.context.newId(),
        due: this.context.clock.now() + delay,
        vhost: this.vhost,
        kind: 'delay',
        exchange: exchangeName,
        message,
        durable: message.persistent && exchange.durable,
      });
      return message.persistent && exchange.durable ? this.context.store.ticket() : 0;
    }
    return this.toQueues(exchangeName, message);
  }

  /** A delayed publish that came due: routed now, as if published now. */
  publishDue(record: ScheduledRecord): void {
    if (this.scope.exchange(record.exchange ?? '') === undefined) {
      this.context.logger.warn({ exchange: record.exchange, id: record.id }, 'delayed message dropped: its exchange is gone');
      return;
    }
    this.toQueues(record.exchange as string, { ...record.message, publishedAt: this.context.clock.now() });
  }

  /** A retry that came due: back to the tail of its queue, if that same queue still exists. */
  retryDue(record: ScheduledRecord): void {
    const queue = this.scope.queue(record.queue ?? '');
    if (queue === undefined || queue.record.id !== record.queueId) return;
    queue.enqueue({ ...record.message, publishedAt: this.context.clock.now() });
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
    if (deadLetterExchange === undefined) return;
    const exchange = this.scope.exchange(deadLetterExchange);
    if (exchange === undefined) {
      this.context.logger.warn({ queue: queue.name, exchange: deadLetterExchange, reason }, 'dead-letter exchange missing; message dropped');
      return;
    }
    const dead = deadLettered(message, queue.name, reason, deadLetterExchange, deadLetterRoutingKey, this.context.clock.now());
    const routed = new Set<Queue>();
    this.router.route(exchange, dead.routingKey, dead.headers, routed);
    for (const target of routed) {
      if (isCycle(dead, reason, target.name)) {
        this.context.logger.warn({ queue: queue.name, target: target.name, reason }, 'dead-letter cycle: message dropped for that queue');
        continue;
      }
      target.enqueue(dead);
    }
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
      return this.toQueues(to.exchange, moved) !== UNROUTED;
    }
    const death = deathsOf(message)[0];
    const origin = death === undefined ? undefined : this.scope.queue(death.queue);
    if (death === undefined || origin === undefined) return false;
    origin.enqueue({ ...message, exchange: death.exchange, routingKey: death['routing-keys'][0] ?? message.routingKey, publishedAt: now });
    return true;
  }

  private toQueues(exchangeName: string, message: Message): number {
    const exchange = this.scope.exchange(exchangeName)!;
    const routed = this.routed;
    this.router.route(exchange, message.routingKey, message.headers, routed);
    if (routed.size === 0) return UNROUTED;
    let stored = false;
    let rejected = false;
    for (const queue of routed) {
      const result = queue.enqueue(message);
      if (result === Enqueued.Stored) stored = true;
      else if (result === Enqueued.Rejected) rejected = true;
    }
    routed.clear();
    if (rejected) return REJECTED;
    return stored ? this.context.store.ticket() : 0;
  }
}
