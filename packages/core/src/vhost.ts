/**
 * One virtual host: its exchanges, queues and bindings, and the AMQP rules for declaring,
 * binding and deleting them (AMQP 0-9-1 §1.6 exchange.*, §1.7 queue.*). Every durable change
 * is written through the Store; the caller (the server) waits for the store's commit before it
 * replies, so a reply means the change is on disk.
 */
import { DEFAULT_VHOST_METADATA, type VHostMetadata } from './vhost-records.js';
import { WarrenError, type ExchangeType } from '@warren/protocol';
import type { BrokerCounters } from './broker-counters.js';
import { canonicalJson } from './canonical.js';
import type { Commit } from './commit.js';
import type { DeathReason } from './dead-letter.js';
import { Exchange, type Destination } from './exchange/exchange.js';
import type { Message, Table } from './message.js';
import { MessagePaths, type PublishOutcome } from './message-paths.js';
import { effectivePolicy } from './policy/merge.js';
import { Policy, type PolicyRecord } from './policy/policy.js';
import type { BindingRecord, Clock, ExchangeRecord, Logger, QueueRecord, ScheduledRecord, Store } from './ports.js';
import type { BacklogLimits } from './queue/backlog.js';
import type { FlowMarks } from './queue/queue-flow.js';
import type { Consumer, ConsumerOptions, DeliverySink } from './queue/consumer.js';
import { Queue, type QueueHost } from './queue/queue.js';
import { BUILT_IN, describeExchange, describeQueue } from './declare-rules.js';
import { redrive, type RedriveOptions, type RedriveResult } from './redrive.js';
import { ScheduledMessages } from './scheduled-view.js';
import type { Scheduler } from './scheduler.js';
import { MessageRouter, type RoutingScope } from './routing.js';

export interface VHostContext {
  store: Store;
  logger: Logger;
  limits: BacklogLimits;
  /** Credit flow's marks for every queue of the vhost (queue/queue-flow.ts). */
  flowMarks?: FlowMarks;
  clock: Clock;
  newId(): string;
  counters: BrokerCounters;
  schedule(record: ScheduledRecord): void;
  /** The broker's one scheduler, which this vhost sees a part of through `scheduled`. */
  scheduler: Scheduler;
  /** Throws WarrenError `queue_limit` when the broker may not hold one more queue. */
  beforeNewQueue(): void;
  /** Builds the queues that are not classic (the cluster's replicated queues); see QueueFactory. */
  createQueue?: QueueFactory;
}

/**
 * Builds a queue of another type than classic for `record` (and may complete the record, which is
 * stored after), or throws a WarrenError refusing the declaration; undefined: a classic queue.
 */
export type QueueFactory = (record: QueueRecord, host: QueueHost) => Queue | undefined;

/** What a declare asks for: the record without what the vhost decides. */
export type ExchangeSpec = Omit<ExchangeRecord, 'vhost'>;
export type QueueSpec = Omit<QueueRecord, 'id' | 'vhost' | 'owner'>;

export class VHost implements RoutingScope, QueueHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly policies = new Map<string, Policy>();
  /** Description, tags, default queue type (vhost-records.ts). */
  metadata: VHostMetadata = { ...DEFAULT_VHOST_METADATA };
  readonly paths: MessagePaths;
  /** The vhost's delayed publishes and retry back-offs: list, cancel, reschedule. */
  readonly scheduled: ScheduledMessages;
  private readonly router = new MessageRouter(this);

  constructor(
    readonly name: string,
    private readonly context: VHostContext,
  ) {
    this.paths = new MessagePaths(name, this, this.router, context);
    this.scheduled = new ScheduledMessages(name, context.scheduler);
    for (const [exchangeName, type] of BUILT_IN) {
      this.addExchange({ vhost: name, name: exchangeName, type, durable: true, autoDelete: false, internal: false, arguments: {} });
    }
  }

  // --- QueueHost: what a queue needs from its vhost ------------------------------------------

  get store(): Store {
    return this.context.store;
  }

  get limits(): BacklogLimits {
    return this.context.limits;
  }

  get flowMarks(): FlowMarks | undefined {
    return this.context.flowMarks;
  }

  get logger(): Logger {
    return this.context.logger;
  }

  get clock(): Clock {
    return this.context.clock;
  }

  deadLetter(queue: Queue, message: Message, reason: DeathReason): void {
    this.paths.deadLetter(queue, message, reason);
  }

  routeDeadLetter(queue: Queue, dead: Message, reason: DeathReason): Commit | undefined | null {
    return this.paths.routeDeadLetter(queue, dead, reason);
  }

  scheduleRetry(queue: Queue, message: Message, delay: number): void {
    this.paths.scheduleRetry(queue, message, delay);
  }

  expired(queue: Queue): void {
    this.context.logger.info({ vhost: this.name, queue: queue.name }, 'queue expired (x-expires)');
    this.removeQueue(queue);
  }

  exchange(name: string): Exchange | undefined {
    return this.exchanges.get(name);
  }

  queue(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  // --- exchanges ---------------------------------------------------------------------------

  declareExchange(spec: ExchangeSpec, passive: boolean): void {
    const existing = this.exchanges.get(spec.name);
    if (passive) {
      if (existing === undefined) throw new WarrenError('exchange_not_found', `no exchange '${spec.name}' in vhost '${this.name}'`);
      return;
    }
    if (existing !== undefined) {
      const same =
        existing.record.type === spec.type &&
        existing.record.durable === spec.durable &&
        existing.record.autoDelete === spec.autoDelete &&
        existing.record.internal === spec.internal &&
        canonicalJson(existing.record.arguments) === canonicalJson(spec.arguments);
      if (!same) {
        throw new WarrenError(
          'exchange_conflict',
          `exchange '${spec.name}' exists as ${describeExchange(existing.record)}; declared as ${describeExchange(spec)}`,
        );
      }
      return;
    }
    if (spec.name === '' || spec.name.startsWith('amq.')) {
      throw new WarrenError('reserved_name', `exchange name '${spec.name}' is reserved (amq.* and the default exchange)`);
    }
    const exchange = this.addExchange({ vhost: this.name, ...spec });
    if (exchange.durable) this.context.store.putExchange(exchange.record);
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    const exchange = this.requireExchange(name);
    if (name === '' || name.startsWith('amq.')) throw new WarrenError('reserved_name', `exchange '${name}' cannot be deleted`);
    if (ifUnused && exchange.router.size > 0) throw new WarrenError('in_use', `exchange '${name}' has bindings`);
    this.removeExchange(exchange);
  }

  // --- bindings ----------------------------------------------------------------------------

  bindQueue(queueName: string, exchangeName: string, routingKey: string, args: Table, owner: string): void {
    const queue = this.requireQueue(queueName, owner);
    const exchange = this.requireBindableSource(exchangeName);
    if (exchange.router.bind(routingKey, args, queue) && exchange.durable && queue.survivesRestart) {
      this.context.store.putBinding(this.bindingRecord(exchange, queue, routingKey, args));
    }
  }

  unbindQueue(queueName: string, exchangeName: string, routingKey: string, args: Table, owner: string): void {
    const queue = this.requireQueue(queueName, owner);
    const exchange = this.requireBindableSource(exchangeName);
    if (exchange.router.unbind(routingKey, args, queue)) this.afterUnbind(exchange, queue, routingKey, args);
  }

  bindExchange(destinationName: string, sourceName: string, routingKey: string, args: Table): void {
    const destination = this.requireExchange(destinationName);
    const source = this.requireBindableSource(sourceName);
    if (destination.name === '') throw new WarrenError('access_refused', 'the default exchange cannot be a binding destination');
    if (source.router.bind(routingKey, args, destination) && source.durable && destination.durable) {
      this.context.store.putBinding(this.bindingRecord(source, destination, routingKey, args));
    }
  }

  unbindExchange(destinationName: string, sourceName: string, routingKey: string, args: Table): void {
    const destination = this.requireExchange(destinationName);
    const source = this.requireBindableSource(sourceName);
    if (source.router.unbind(routingKey, args, destination)) this.afterUnbind(source, destination, routingKey, args);
  }

  // --- queues ------------------------------------------------------------------------------

  declareQueue(spec: QueueSpec, passive: boolean, owner: string): Queue {
    this.context.counters.queuesDeclared++;
    const existing = this.queues.get(spec.name);
    if (existing !== undefined) this.checkOwner(existing, owner);
    if (passive) {
      if (existing === undefined) throw new WarrenError('queue_not_found', `no queue '${spec.name}' in vhost '${this.name}'`);
      return existing;
    }
    if (existing !== undefined) {
      existing.touch();
      const record = existing.record;
      const same =
        record.durable === spec.durable &&
        record.exclusive === spec.exclusive &&
        record.autoDelete === spec.autoDelete &&
        canonicalJson(record.arguments) === canonicalJson(spec.arguments);
      if (!same) {
        throw new WarrenError('queue_conflict', `queue '${spec.name}' exists as ${describeQueue(record)}; declared as ${describeQueue(spec)}`);
      }
      return existing;
    }
    if (spec.name.startsWith('amq.')) throw new WarrenError('reserved_name', `queue name '${spec.name}' is reserved (amq.*)`);
    this.context.beforeNewQueue();
    const name = spec.name === '' ? `amq.gen-${this.context.newId()}` : spec.name;
    const record: QueueRecord = {
      id: this.context.newId(),
      vhost: this.name,
      name,
      durable: spec.durable,
      exclusive: spec.exclusive,
      autoDelete: spec.autoDelete,
      arguments: spec.arguments,
    };
    if (spec.exclusive) record.owner = owner;
    const queue = this.addQueue(record);
    if (queue.survivesRestart) this.context.store.putQueue(record);
    this.context.counters.queuesCreated++;
    return queue;
  }

  deleteQueue(name: string, ifUnused: boolean, ifEmpty: boolean, owner: string): number {
    const queue = this.requireQueue(name, owner);
    if (ifUnused && queue.consumers.length > 0) throw new WarrenError('in_use', `queue '${name}' has ${queue.consumers.length} consumer(s)`);
    if (ifEmpty && queue.messageCount > 0) throw new WarrenError('not_empty', `queue '${name}' has ${queue.messageCount} message(s)`);
    return this.removeQueue(queue);
  }

  purgeQueue(name: string, owner: string): number {
    return this.requireQueue(name, owner).purge();
  }

  /** Purges and resolves with the count once the queue made the purge durable (a replicated queue's log). */
  purgeQueueCommitted(name: string, owner: string): Promise<number> {
    return this.requireQueue(name, owner).purgeCommitted();
  }

  consume(queueName: string, options: ConsumerOptions, sink: DeliverySink): Consumer {
    const queue = this.requireQueue(queueName, options.owner);
    if (queue.consumers.some((c) => c.options.exclusive)) {
      throw new WarrenError('exclusive_consumer', `queue '${queueName}' has an exclusive consumer`);
    }
    if (options.exclusive && queue.consumers.length > 0) {
      throw new WarrenError('exclusive_consumer', `queue '${queueName}' already has consumers; an exclusive consumer must be the only one`);
    }
    return queue.addConsumer(options, sink);
  }

  /** Ends a consumer; an auto-delete queue goes with its last consumer. */
  cancel(consumer: Consumer): void {
    const queue = consumer.queue;
    queue.removeConsumer(consumer);
    if (!queue.deleted && queue.record.autoDelete && queue.hadConsumer && queue.consumers.length === 0) this.removeQueue(queue);
  }

  /** A connection went away: its exclusive queues go with it. */
  connectionClosed(owner: string): void {
    for (const queue of [...this.queues.values()]) {
      if (queue.record.exclusive && queue.record.owner === owner) this.removeQueue(queue);
    }
  }

  // --- publishing --------------------------------------------------------------------------

  /**
   * Routes and enqueues a message (or, with a delay, schedules it). The outcome's route is
   * UNROUTED when no queue took it, REJECTED when a full queue refused it, else ROUTED, and its
   * commit the handle to wait for before confirming (undefined: confirm now). `publisherId`: the message
   * id is the publisher's, so dedup windows apply (message-paths.ts).
   */
  publish(exchangeName: string, message: Message, delay = 0, publisherId = false): PublishOutcome {
    return this.paths.publish(exchangeName, message, delay, publisherId);
  }

  /**
   * Moves ready messages of a (dead-letter) queue back to where they died, or to an exchange:
   * those whose id is in `ids` (redrive.ts; filtered and paced redrives run as jobs, redrive-job.ts).
   */
  redrive(queueName: string, options: RedriveOptions): Promise<RedriveResult> {
    return redrive(this.requireQueue(queueName, 'redrive'), this.paths, options);
  }

  // --- policies ----------------------------------------------------------------------------

  /** Adds or replaces a policy and applies it at once to every queue and exchange it matches. */
  setPolicy(record: PolicyRecord): void {
    const policy = new Policy(record);
    this.policies.set(record.name, policy);
    this.context.store.putPolicy(record);
    this.applyPolicies();
  }

  deletePolicy(name: string): boolean {
    if (!this.policies.delete(name)) return false;
    this.context.store.deletePolicy(this.name, name);
    this.applyPolicies();
    return true;
  }

  restorePolicy(record: PolicyRecord): void {
    try {
      this.policies.set(record.name, new Policy(record));
    } catch (error) {
      this.context.logger.error({ policy: record.name, vhost: this.name, err: error }, 'stored policy refused; it is not applied');
    }
  }

  /** Recomputes the (merged, policy/merge.ts) policy of every queue and exchange. */
  applyPolicies(): void {
    const policies = [...this.policies.values()];
    for (const queue of this.queues.values()) {
      const policy = effectivePolicy(policies, 'queue', queue.name, queue.policy);
      if (policy !== queue.policy) queue.applyPolicy(policy);
    }
    for (const exchange of this.exchanges.values()) exchange.policy = effectivePolicy(policies, 'exchange', exchange.name);
  }

  // --- recovery ----------------------------------------------------------------------------

  restoreExchange(record: ExchangeRecord): void {
    if (!this.exchanges.has(record.name)) this.addExchange(record);
  }

  restoreQueue(record: QueueRecord): Queue {
    return this.addQueue(record);
  }

  restoreBinding(record: BindingRecord): void {
    const source = this.exchanges.get(record.source);
    const destination: Destination | undefined =
      record.destinationType === 'queue' ? this.queues.get(record.destination) : this.exchanges.get(record.destination);
    if (source === undefined || destination === undefined) {
      this.context.logger.warn({ binding: record }, 'dropping a stored binding whose source or destination is gone');
      this.context.store.deleteBinding(record);
      return;
    }
    source.router.bind(record.routingKey, record.arguments, destination);
  }

  // --- internals ---------------------------------------------------------------------------

  private addExchange(record: ExchangeRecord): Exchange {
    const exchange = new Exchange(record);
    exchange.policy = effectivePolicy(this.policies.values(), 'exchange', record.name);
    this.exchanges.set(record.name, exchange);
    return exchange;
  }

  private addQueue(record: QueueRecord): Queue {
    const queue = this.context.createQueue?.(record, this) ?? new Queue(record, this);
    this.queues.set(record.name, queue);
    const policy = effectivePolicy(this.policies.values(), 'queue', record.name);
    queue.applyPolicy(policy);
    return queue;
  }

  private removeQueue(queue: Queue): number {
    const count = queue.markDeleted();
    this.queues.delete(queue.name);
    this.context.counters.queuesDeleted++;
    for (const exchange of [...this.exchanges.values()]) {
      const stored = exchange.durable && queue.survivesRestart ? [...exchange.router.bindings()].filter((b) => b.destination === queue) : [];
      if (exchange.router.unbindAll(queue) === 0) continue;
      for (const b of stored) this.context.store.deleteBinding(this.bindingRecord(exchange, queue, b.routingKey, b.arguments));
      this.maybeAutoDeleteExchange(exchange);
    }
    if (queue.survivesRestart) this.context.store.deleteQueue(queue.record);
    return count;
  }

  private removeExchange(exchange: Exchange): void {
    exchange.deleted = true;
    this.exchanges.delete(exchange.name);
    for (const b of exchange.router.bindings()) {
      if (isStoredBinding(exchange, b.destination)) {
        this.context.store.deleteBinding(this.bindingRecord(exchange, b.destination, b.routingKey, b.arguments));
      }
    }
    for (const source of this.exchanges.values()) {
      const stored = [...source.router.bindings()].filter((b) => b.destination === exchange);
      if (source.router.unbindAll(exchange) === 0) continue;
      for (const b of stored) {
        if (isStoredBinding(source, exchange)) this.context.store.deleteBinding(this.bindingRecord(source, exchange, b.routingKey, b.arguments));
      }
    }
    if (exchange.durable) this.context.store.deleteExchange(this.name, exchange.name);
  }

  private afterUnbind(source: Exchange, destination: Destination, routingKey: string, args: Table): void {
    if (isStoredBinding(source, destination)) {
      this.context.store.deleteBinding(this.bindingRecord(source, destination, routingKey, args));
    }
    this.maybeAutoDeleteExchange(source);
  }

  /** RabbitMQ: an auto-delete exchange goes when its last binding (as a source) is removed. */
  private maybeAutoDeleteExchange(exchange: Exchange): void {
    if (exchange.record.autoDelete && exchange.router.size === 0 && !exchange.deleted) this.removeExchange(exchange);
  }

  private bindingRecord(source: Exchange, destination: Destination, routingKey: string, args: Table): BindingRecord {
    return {
      vhost: this.name,
      source: source.name,
      destination: destination.name,
      destinationType: destination instanceof Exchange ? 'exchange' : 'queue',
      routingKey,
      arguments: args,
    };
  }

  private requireExchange(name: string): Exchange {
    const exchange = this.exchanges.get(name);
    if (exchange === undefined) throw new WarrenError('exchange_not_found', `no exchange '${name}' in vhost '${this.name}'`);
    return exchange;
  }

  private requireBindableSource(name: string): Exchange {
    if (name === '') throw new WarrenError('access_refused', 'the default exchange binds every queue by its name; it takes no other bindings');
    return this.requireExchange(name);
  }

  private requireQueue(name: string, owner: string): Queue {
    const queue = this.queues.get(name);
    if (queue === undefined) throw new WarrenError('queue_not_found', `no queue '${name}' in vhost '${this.name}'`);
    this.checkOwner(queue, owner);
    return queue;
  }

  /** AMQP 0-9-1 §1.7.2.1: an exclusive queue "may only be accessed by the current connection". */
  private checkOwner(queue: Queue, owner: string): void {
    if (queue.record.exclusive && queue.record.owner !== owner) {
      throw new WarrenError('resource_locked', `queue '${queue.name}' is exclusive to another connection`);
    }
  }
}

function isStoredBinding(source: Exchange, destination: Destination): boolean {
  return source.durable && (destination instanceof Exchange ? destination.durable : destination.survivesRestart);
}
