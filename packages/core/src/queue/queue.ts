/**
 * A classic queue: the queue machine (queue-machine.ts) with its local shell
 * (local-queue-shell.ts). Each call the vhost, the connections and the management API make is
 * turned here into one command, stamped with its time (and, where a retry may be drawn,
 * Math.random's number for its jitter), and applied; the machine itself reads neither. Reads
 * that change nothing (stats, browsing, paging a page in) go to the state as they are.
 *
 * Reading the clock costs as much as the rest of a delivery on some machines, so the per-message
 * commands do not read it when the queue's rules will not look at the time: an enqueue happens
 * at its message's publish time (stamped by whoever published it, just before), and a settle or
 * a hand-over with no TTL, no ack lease and no message with its own expiration in sight carries
 * the last command's time, which nothing then reads.
 */
import type { Commit } from '../commit.js';
import type { Message, QueueEntry } from '../message.js';
import { MessageStats } from '../message-stats.js';
import type { Clock, Logger, QueueRecord, Store } from '../ports.js';
import type { DeathReason } from '../dead-letter.js';
import type { Policy } from '../policy/policy.js';
import { activeConsumer } from './active-consumer.js';
import type { AttemptReason } from './attempt-log.js';
import { Backlog, type BacklogLimits } from './backlog.js';
import { Consumer, type ConsumerOptions, type DeliverySink } from './consumer.js';
import { LocalQueueShell } from './local-queue-shell.js';
import { DEFAULT_FLOW_MARKS, QueueFlow, type FlowMarks } from './queue-flow.js';
import type { QueueCommand, Settlement } from './queue-command.js';
import { Enqueued, QueueMachine } from './queue-machine.js';

export type { Settlement };
export { Enqueued, type QueueStats } from './queue-machine.js';

/** How a consumer settled: a retry's delay, and for a failure what it was and why (the attempt log). */
export interface SettleOptions {
  delay?: number;
  reason?: AttemptReason;
  error?: string;
}

export interface QueueHost {
  store: Store;
  limits: BacklogLimits;
  logger: Logger;
  clock: Clock;
  /** Republishes a message leaving `queue` to its dead-letter exchange, if it has one. */
  deadLetter(queue: Queue, message: Message, reason: DeathReason): void;
  /** A replicated queue's dead-letter, marked already: routed now; what to wait for (message-paths.ts routeDeadLetter). */
  routeDeadLetter?(queue: Queue, dead: Message, reason: DeathReason): Commit | undefined | null;
  /** Brings a message back to `queue` after `delay` ms. */
  scheduleRetry(queue: Queue, message: Message, delay: number): void;
  /** The queue went unused for its x-expires. */
  expired(queue: Queue): void;
  /** Where credit flow holds publishers (queue-flow.ts); DEFAULT_FLOW_MARKS without it. */
  readonly flowMarks?: FlowMarks;
}

type Enqueue = Extract<QueueCommand, { kind: 'enqueue' }>;
type Settle = Extract<QueueCommand, { kind: 'settle' }>;

export class Queue extends QueueMachine {
  private readonly shell: LocalQueueShell;
  /** RabbitMQ's message_stats of this queue (the management API's rates); counted by the shell, not the machine. */
  readonly messageStats: MessageStats;
  /** Credit flow back to the connections publishing into this queue (queue-flow.ts). */
  readonly flow: QueueFlow;
  private readonly clock: Clock;
  /** Consumers with an ack lease of their own: their deliveries need the time. */
  private leasedConsumers = 0;
  /** A message with its own expiration was enqueued: deliveries may need the time from then on. */
  private expiringMessages = false;
  /** Reused for the per-message commands; the machine reads a command's fields before anything else runs. */
  private readonly enqueueCommand: Enqueue = { kind: 'enqueue', now: 0, message: undefined as unknown as Message };
  private readonly settleCommand: Settle = {
    kind: 'settle',
    now: 0,
    random: 0,
    entry: undefined as unknown as QueueEntry,
    consumer: undefined as unknown as Consumer,
    outcome: 'ack',
    delay: undefined,
    reason: undefined,
    error: undefined,
  };

  constructor(record: QueueRecord, host: QueueHost) {
    const shell = new LocalQueueShell(record, host);
    super(record, shell, new Backlog(record.id, host.store, host.limits, host.logger, shell.readPage));
    this.shell = shell;
    this.clock = host.clock;
    this.messageStats = new MessageStats(host.clock.now());
    this.flow = new QueueFlow(host.clock, host.flowMarks ?? DEFAULT_FLOW_MARKS);
    shell.bind(this);
  }

  /** A command's time: the clock's when the queue's rules may look at it, else the last command's (see the header). */
  timeOfDelivery(): number {
    const { messageTtl, ackTimeout } = this.settings;
    if (messageTtl !== undefined || ackTimeout !== undefined || this.leasedConsumers > 0 || this.expiringMessages) return this.clock.now();
    return this.now;
  }

  /** The random number of a command that may draw a retry's jitter; 0 when the queue's retry has none. */
  draw(): number {
    return this.settings.retry !== undefined && this.settings.retry.jitter > 0 ? Math.random() : 0;
  }

  /*
   * Every command first lets the shell tell the machine which consumers' connections filled up
   * during the last one (credit commands), so the machine never reads a connection itself.
   */

  override apply(command: QueueCommand): number | QueueEntry | undefined {
    this.shell.hearFull();
    return super.apply(command);
  }

  override applyEnqueue(command: Enqueue): Enqueued {
    this.shell.hearFull();
    return super.applyEnqueue(command);
  }

  override applySettle(command: Settle): void {
    this.shell.hearFull();
    super.applySettle(command);
  }

  /**
   * Adds a message (overflow and length limits apply); see Enqueued. `dedup`: the publisher gave
   * its id and the queue has a dedup window; a classic queue leaves that to message-paths.ts
   * (dedup.ts), a queue that deduplicates in its own log (`deduplicatesItself`) checks it there.
   */
  enqueue(message: Message, _dedup = false): Enqueued {
    const command = this.enqueueCommand;
    command.now = message.publishedAt;
    command.message = message;
    if (message.properties.expiration !== undefined) this.expiringMessages = true;
    const result = this.applyEnqueue(command);
    command.message = undefined as unknown as Message;
    if (result !== Enqueued.Rejected) this.messageStats.publish++;
    this.flow.enqueued(this.backlog.count, this.backlog.bytes, this.consumers.length);
    return result;
  }

  /**
   * Where the last enqueue is made durable when that is not the store's batch: a replicated
   * queue's handle settles once a majority of its replicas committed the message. A classic
   * queue has none (its writes are in the store's commit).
   */
  enqueueCommit(): Commit | undefined {
    return undefined;
  }

  /**
   * The consumer that gets the messages under x-single-active-consumer (active-consumer.ts);
   * undefined when it is off, none is attached, or (a replicated queue) it runs on another node.
   */
  get singleActiveConsumer(): Consumer | undefined {
    return activeConsumer(this.settings, this.consumers);
  }

  /** True for a queue whose dedup window lives in its own log (a replicated queue): message-paths.ts leaves the check to it. */
  get deduplicatesItself(): boolean {
    return false;
  }

  /** A retry's back-off fired: the message comes back to the tail. */
  retryDue(message: Message): void {
    this.apply({ kind: 'retry-due', now: message.publishedAt, message });
  }

  addConsumer(options: ConsumerOptions, sink: DeliverySink): Consumer {
    const consumer = new Consumer(this, options, sink);
    consumer.blocked = !sink.writable;
    if (options.ackTimeout !== undefined) this.leasedConsumers++;
    this.apply({ kind: 'attach', now: this.clock.now(), consumer });
    return consumer;
  }

  /** Stops deliveries to the consumer; its unacked deliveries stay with its connection. */
  removeConsumer(consumer: Consumer): void {
    if (consumer.options.ackTimeout !== undefined && consumer.active) this.leasedConsumers--;
    this.apply({ kind: 'cancel', now: this.clock.now(), consumer });
    this.flowDrained();
  }

  /** Delivers what can be delivered (a consumer's connection can take more again, or a round was cut). */
  dispatch(): void {
    this.shell.hearAll();
    this.apply({ kind: 'dispatch', now: this.timeOfDelivery() });
    this.flowDrained();
  }

  /** Renews a delivery's ack lease to `ms` from now; false when it holds none. */
  extendLease(entry: QueueEntry, ms: number): boolean {
    return this.apply({ kind: 'extend-lease', now: this.clock.now(), entry, ms }) === 1;
  }

  /**
   * Settles one delivery of `consumer`: acked, back to the queue, dropped (dead-lettered or
   * retried) or retried. Anything but an ack is a failed attempt, logged in the message.
   */
  settle(entry: QueueEntry, consumer: Consumer, outcome: Settlement, options: SettleOptions = {}): void {
    const command = this.settleCommand;
    // A failure is written in the message's attempt log with its time.
    command.now = outcome === 'ack' ? this.timeOfDelivery() : this.clock.now();
    command.random = outcome === 'ack' ? 0 : this.draw();
    command.entry = entry;
    command.consumer = consumer;
    command.outcome = outcome;
    command.delay = options.delay;
    command.reason = options.reason;
    command.error = options.error;
    this.applySettle(command);
    if (this.flow.holding) this.flowDrained();
    if (outcome === 'ack') this.messageStats.ack++;
    command.entry = undefined as unknown as QueueEntry;
    command.consumer = undefined as unknown as Consumer;
  }

  /** Returns many deliveries at once (a closed connection's), then dispatches once. */
  requeueAll(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    this.apply({ kind: 'connection-lost', now: this.clock.now(), deliveries });
  }

  /** Removes the ready messages; returns how many. Unacked deliveries are not touched (AMQP queue.purge). */
  purge(): number {
    const purged = this.apply({ kind: 'purge', now: this.clock.now() }) as number;
    this.flowDrained();
    return purged;
  }

  /**
   * Purges and resolves with the count once the purge is durable where the queue decides: at
   * once for a classic queue; a replicated queue's resolves once its log committed the purge.
   */
  purgeCommitted(): Promise<number> {
    return Promise.resolve(this.purge());
  }

  /** Applies a new policy (or none); the queue's arguments stay. */
  applyPolicy(policy: Policy | undefined): void {
    this.apply({ kind: 'policy', now: this.clock.now(), policy });
  }

  /** Restarts the x-expires clock (the queue was declared again). */
  touch(): void {
    this.apply({ kind: 'touch', now: this.clock.now() });
  }

  /** Called once at boot with what the store holds for this durable queue. */
  recover(count: number, lastSeq: number, deliveredUpTo = 0): void {
    const mark = this.shell.deliveryRecord.recover(deliveredUpTo, lastSeq);
    this.apply({ kind: 'recover', now: this.clock.now(), count, lastSeq, deliveredUpTo: mark });
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
      const entry = this.shiftReady();
      if (entry === undefined) {
        const before = this.backlog.ramCount;
        await this.pageIn();
        if (this.backlog.ramCount === before) break;
        continue;
      }
      this.drop(entry);
      taken.push(entry);
      this.messageStats.get++;
      if (entry.redelivered) this.messageStats.redeliver++;
    }
    return taken;
  }

  /** Removes the given ready entries (found by peek) wherever they are in the queue. */
  remove(entries: QueueEntry[]): void {
    this.apply({ kind: 'remove', now: this.clock.now(), entries });
  }

  /** Takes the head ready message out, in RAM only (undefined when the head is paged out: see pageIn). */
  shiftReady(): QueueEntry | undefined {
    return this.apply({ kind: 'take-head', now: this.clock.now() }) as QueueEntry | undefined;
  }

  /** Puts a message taken with shiftReady back in its place, unchanged. */
  putBack(entry: QueueEntry): void {
    this.apply({ kind: 'put-back', now: this.clock.now(), entry });
  }

  /** Deletes the stored copy of a message taken with shiftReady, which has gone elsewhere. */
  drop(entry: QueueEntry): void {
    this.apply({ kind: 'drop', now: this.clock.now(), entry });
  }

  /** The backlog may have shrunk: credit flow lets its publishers go once it is low. */
  private flowDrained(): void {
    this.flow.drained(this.backlog.count, this.backlog.bytes, this.consumers.length);
  }

  /** Resolves once the next page of paged-out messages is in RAM (or could not be read). */
  pageIn(): Promise<void> {
    const arrived = this.backlog.nextPage();
    this.apply({ kind: 'want-page', now: this.clock.now() });
    return arrived;
  }

  /** Marks the queue deleted and cancels its consumers; the vhost removes its record. */
  markDeleted(): number {
    const count = this.apply({ kind: 'delete', now: this.clock.now() }) as number;
    this.flow.release();
    return count;
  }

  /** Cancels the queue's timers and leaves its delivery record exact (the broker is stopping). */
  stopTimers(): void {
    this.apply({ kind: 'stop', now: this.clock.now() });
    this.flow.release();
  }
}
