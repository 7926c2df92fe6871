/**
 * The facade the server calls: it owns the vhosts, recovers the topology and the durable
 * queues from the store at boot, and exposes the store's commit handles so that replies and
 * confirms can wait for the disk. It knows nothing of WebSocket or HTTP.
 */
import type { Commit } from './commit.js';
import { nanoid } from 'nanoid';
import { MessageIds } from './message-ids.js';
import { WarrenError } from '@warren/protocol';
import { DEFAULT_BACKLOG_LIMITS, type BacklogLimits } from './queue/backlog.js';
import { DEFAULT_FLOW_MARKS, type FlowMarks } from './queue/queue-flow.js';
import { silentLogger, type Clock, type Logger, type ScheduledRecord, type Store } from './ports.js';
import { Scheduler } from './scheduler.js';
import { AuditLog, type AuditRetention } from './audit.js';
import { BrokerCounters } from './broker-counters.js';
import { RedriveJobs } from './redrive-jobs.js';
import { checkVHostName, emptyVHost, loadVHostRecords, putVHostRecord, type VHostMetadata } from './vhost-records.js';
import { VHost, type QueueFactory } from './vhost.js';

export interface BrokerOptions {
  store: Store;
  /** Time for TTLs, back-offs and delays (the server passes Node's; tests a fake one). */
  clock: Clock;
  logger?: Logger;
  limits?: Partial<BacklogLimits>;
  /** Where credit flow holds publishers (queue/queue-flow.ts); DEFAULT_FLOW_MARKS by default. */
  flowMarks?: FlowMarks;
  /** Id generator for queues, messages and consumer tags; nanoid by default. */
  newId?: () => string;
  /** Id generator for messages published without one; MessageIds by default. */
  newMessageId?: () => string;
  /** Queues in all vhosts at most; 0 (the default) means no limit. */
  maxQueues?: number;
  /** Queues in one vhost at most; 0 (the default) means no limit. */
  maxQueuesPerVhost?: number;
  /** How much of the audit log to keep (default: the newest 10,000 entries). */
  auditRetention?: AuditRetention;
  /** Builds queues of other types than classic (the cluster's replicated queues). */
  createQueue?: QueueFactory;
}

export const DEFAULT_VHOST = '/';

export class Broker {
  readonly vhosts = new Map<string, VHost>();
  readonly store: Store;
  readonly newId: () => string;
  readonly newMessageId: () => string;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly redrives: RedriveJobs;
  /** Totals of messages, queues and connections, for metrics (broker-counters.ts). */
  readonly counters = new BrokerCounters();
  private readonly logger: Logger;
  private readonly limits: BacklogLimits;
  private readonly flowMarks: FlowMarks;
  private readonly maxQueues: number;
  private readonly maxQueuesPerVhost: number;
  private readonly createQueue: QueueFactory | undefined;

  constructor(options: BrokerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.limits = { ...DEFAULT_BACKLOG_LIMITS, ...options.limits };
    this.flowMarks = options.flowMarks ?? DEFAULT_FLOW_MARKS;
    this.newId = options.newId ?? (() => nanoid());
    this.newMessageId = options.newMessageId ?? new MessageIds().next;
    this.maxQueues = options.maxQueues ?? 0;
    this.maxQueuesPerVhost = options.maxQueuesPerVhost ?? 0;
    this.createQueue = options.createQueue;
    this.scheduler = new Scheduler(this.store, this.clock, this.logger, (record) => this.fireScheduled(record));
    this.audit = new AuditLog(this.store, this.clock, this.logger, options.auditRetention);
    const { store, clock, logger, newId } = this;
    this.redrives = new RedriveJobs({ store, clock, logger, newId, vhost: (name) => this.vhosts.get(name), ended: (job) => this.audit.recordRedriveEnd(job) });
  }

  /** Opens the store and rebuilds every durable exchange, queue and binding with its messages. */
  async start(): Promise<void> {
    await this.store.open();
    this.ensureVHost(DEFAULT_VHOST);
    for (const { name, metadata } of await loadVHostRecords(this.store)) this.ensureVHost(name).metadata = metadata;
    const topology = await this.store.loadTopology();
    for (const record of topology.policies) this.ensureVHost(record.vhost).restorePolicy(record);
    for (const record of topology.exchanges) this.ensureVHost(record.vhost).restoreExchange(record);
    const kept = new Set<string>();
    let messages = 0;
    const recoveries: (() => void)[] = [];
    for (const record of topology.queues) {
      const vhost = this.ensureVHost(record.vhost);
      const queue = vhost.restoreQueue(record);
      const { count, lastSeq, deliveredUpTo } = await this.store.recoverQueue(record);
      recoveries.push(() => queue.recover(count, lastSeq, deliveredUpTo));
      vhost.paths.dedup.restore(queue, await this.store.loadDedupIds(record.id));
      kept.add(record.id);
      messages += count;
    }
    for (const record of topology.bindings) this.ensureVHost(record.vhost).restoreBinding(record);
    // Queues start reading their messages back only now: one that expires or is dropped as its
    // page arrives must find its dead-letter queue recovered (seqs included) and bound.
    for (const recover of recoveries) recover();
    await this.store.dropQueuesExcept(kept);
    const scheduled = await this.store.loadScheduled();
    this.scheduler.restore(scheduled);
    await this.audit.restore();
    await this.redrives.restore();
    this.logger.info(
      {
        exchanges: topology.exchanges.length,
        queues: topology.queues.length,
        bindings: topology.bindings.length,
        policies: topology.policies.length,
        messages,
        scheduled: scheduled.length,
      },
      'recovered from the store',
    );
  }

  async stop(): Promise<void> {
    await this.redrives.halt();
    this.scheduler.stop();
    for (const vhost of this.vhosts.values()) for (const queue of vhost.queues.values()) queue.stopTimers();
    await this.store.close();
  }

  private checkQueueLimit(vhost: VHost): void {
    const perVhost = this.maxQueuesPerVhost;
    if (perVhost > 0 && vhost.queues.size >= perVhost) {
      throw new WarrenError('queue_limit', `vhost '${vhost.name}' already has ${vhost.queues.size} queues (maxQueuesPerVhost ${perVhost})`);
    }
    const limit = this.maxQueues;
    if (limit === 0) return;
    let total = 0;
    for (const vhost of this.vhosts.values()) total += vhost.queues.size;
    if (total >= limit) throw new WarrenError('queue_limit', `the broker already has ${total} queues (maxQueues ${limit})`);
  }

  private fireScheduled(record: ScheduledRecord): Commit | undefined {
    const vhost = this.vhosts.get(record.vhost);
    if (vhost === undefined) return undefined;
    if (record.kind === 'retry') {
      vhost.paths.retryDue(record);
      return undefined;
    }
    return vhost.paths.publishDue(record);
  }

  vhost(name: string): VHost | undefined {
    return this.vhosts.get(name);
  }

  /** Calls back once every write requested so far is applied (and synced where it asked to be). */
  afterWrites(done: (error?: Error) => void): void {
    this.store.commit().onSettled(done);
  }

  /** The vhost with this name, created and stored if missing (definitions import, `PUT /api/vhosts/{name}`). */
  declareVHost(name: string, metadata?: VHostMetadata): VHost {
    checkVHostName(name);
    const existed = this.vhosts.has(name);
    const vhost = this.ensureVHost(name);
    if (metadata !== undefined) vhost.metadata = metadata;
    if (!existed || metadata !== undefined) putVHostRecord(this.store, vhost);
    return vhost;
  }

  /** Deletes a vhost and all it holds; returns the messages its queues held. */
  deleteVHost(name: string): number {
    const vhost = this.vhosts.get(name);
    if (vhost === undefined) throw new WarrenError('vhost_not_found', `no vhost '${name}'`);
    const messages = emptyVHost(this.store, vhost);
    // Its delayed publishes and retries would otherwise fire into a vhost of the same name created later.
    const waiting = [...this.scheduler.inDueOrder()].filter((r) => r.vhost === name).map((r) => r.id);
    for (const id of waiting) this.scheduler.cancel(id);
    this.vhosts.delete(name);
    return messages;
  }


  private ensureVHost(name: string): VHost {
    let vhost = this.vhosts.get(name);
    if (vhost === undefined) {
      const created: VHost = new VHost(name, {
        store: this.store,
        logger: this.logger,
        limits: this.limits,
        flowMarks: this.flowMarks,
        clock: this.clock,
        newId: this.newId,
        counters: this.counters,
        schedule: (record) => this.scheduler.schedule(record),
        scheduler: this.scheduler,
        beforeNewQueue: () => this.checkQueueLimit(created),
        createQueue: this.createQueue,
      });
      vhost = created;
      this.vhosts.set(name, vhost);
    }
    return vhost;
  }
}
