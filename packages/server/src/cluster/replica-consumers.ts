/**
 * The consumers of replicated queues connected to this node: what each holds, and the log
 * commands their sessions' acts become (docs/cluster.md, "Replicated queues").
 *
 *   consume  -> subscribe {consumer: "<id>.<node>"}
 *   ack/nack -> settle, those of one turn as one `settles` (settle-batches.ts);
 *   cancel -> cancel, then down once it holds nothing unsettled
 *   connection closed -> down: what it held goes back, redelivered
 *
 * A node keeps the deliveries its consumers hold, by log id: a delivery handed out again (a new
 * leader hands out every unacked delivery when it takes over) that a consumer already holds, or
 * is settling, is dropped here, so a leader change gives no consumer a message twice. The log
 * gives a consumer more credit than its prefetch; what exceeds the prefetch waits here and goes
 * to the client as its acks free room (consumer-credit.ts).
 */
import type { Consumer, Message, QueueEntry, Settlement } from '@warren/core';
import type { ClusterLogger, QueueLogCommand, SettleItem } from '@warren/cluster';
import type { ReplicatedQueue } from './replicated-queue.js';
import { ConsumerCredit, machinePrefetch } from './consumer-credit.js';
import { SettleBatches } from './settle-batches.js';

/** Settles, subscribes and downs are retried long: no client waits on them, and a lost one holds messages. */
export const CONTROL_DEADLINE_MS = 30_000;

export type Propose = (queue: ReplicatedQueue, command: QueueLogCommand, deadlineMs: number) => Promise<number>;

interface LocalConsumer {
  /** Its id in the queue's log. */
  readonly id: string;
  readonly queue: ReplicatedQueue;
  readonly consumer: Consumer;
  /** Deliveries its client holds, and those waiting here for its prefetch. */
  readonly credit: ConsumerCredit;
  /** Log ids of its settles on their way to the leader. */
  readonly settling: Set<string>;
  cancelled: boolean;
}

/** Consumer ids are `<unique id>.<node id>`: the unique part has no dot. */
export function nodeOfConsumer(consumer: string): string {
  return consumer.slice(consumer.indexOf('.') + 1);
}

export class ReplicaConsumers {
  readonly #consumers = new Map<string, LocalConsumer>();
  readonly #ids = new WeakMap<Consumer, string>();
  /** Downs on their way, by consumer id. */
  readonly #downing = new Set<string>();
  /** Commands of consumers on their way (a stopping node lets them finish). */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Settles of this turn, by queue; each tagged with its consumer when it is one of its `settling`. */
  readonly #settles = new SettleBatches<ReplicatedQueue, LocalConsumer>((queue, command, settles, settlers) => this.#proposeSettles(queue, command, settles, settlers));

  constructor(
    private readonly node: string,
    private readonly newId: () => string,
    private readonly logger: ClusterLogger,
    private readonly propose: Propose,
  ) {}

  /**
   * Resolves once the commands on their way are done, or after `ms`: a node that stops lets its
   * consumers' downs reach the leader, so what they held is redelivered at once rather than once
   * the node is found gone.
   */
  async quiet(ms: number): Promise<void> {
    this.#settles.flush();
    const until = Date.now() + ms;
    while (this.#inFlight.size > 0 && Date.now() < until) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, until - Date.now())));
      await Promise.race([Promise.allSettled([...this.#inFlight]), late]);
      clearTimeout(timer);
    }
  }

  /** The consumer `id` of the queue's log, if this node runs it (a stand-in's tag is its id). */
  local(id: string): Consumer | undefined {
    return this.#consumers.get(id)?.consumer;
  }

  /** Whether this node runs the consumer (it is not down here). */
  runs(consumer: string): boolean {
    return this.#consumers.has(consumer);
  }

  subscribe(queue: ReplicatedQueue, consumer: Consumer): void {
    const id = `${this.newId()}.${this.node}`;
    this.#ids.set(consumer, id);
    const local: LocalConsumer = { id, queue, consumer, credit: new ConsumerCredit(consumer), settling: new Set(), cancelled: false };
    this.#consumers.set(id, local);
    const { prefetch, ackTimeout } = consumer.options;
    this.propose(queue, { t: 'subscribe', consumer: id, prefetch: machinePrefetch(prefetch), now: Date.now(), ...(ackTimeout === undefined ? {} : { ackTimeout }) }, CONTROL_DEADLINE_MS).catch((error: unknown) => {
      this.logger.warn({ queue: queue.name, consumer: consumer.tag, err: error }, 'a replicated queue could not register a consumer; it is cancelled');
      this.#consumers.delete(id);
      const reason = error instanceof Error ? error.message : String(error);
      if (!local.cancelled) consumer.sink.cancelled(consumer, 'queue_deleted', `replicated queue '${queue.name}' could not register the consumer: ${reason}`);
    });
  }

  cancel(consumer: Consumer): void {
    const [id, local] = this.#of(consumer);
    if (id === undefined || local === undefined || local.cancelled) return;
    local.cancelled = true;
    const held = local.credit.clearHeld();
    // Holding nothing, it goes down at once (what waited here goes back with the down); else it
    // stops receiving, what waited here goes back now, and it goes down once its client holds nothing.
    if (local.credit.given.size === 0 && local.settling.size === 0) {
      this.#downWhenSettled(id, local);
      return;
    }
    // Its settles of this turn go first: a cancel on a single-active-consumer queue hands what it
    // holds to the next consumer, and an ack made before the cancel must not come back there.
    this.#settles.flush();
    this.#send(local.queue, { t: 'cancel', consumer: id, now: Date.now() });
    if (held.length === 0) return;
    // A connection that closes cancels its consumers, then drops what its client held: then the down takes all back at once.
    queueMicrotask(() => {
      if (this.#consumers.get(id) !== local) return;
      for (const logId of held) this.#settles.add(local.queue, { consumer: id, id: logId, outcome: 'requeue', random: 0 });
    });
  }

  /** Consumers of `queue` on this node whose connection drained: what waits for them goes on. */
  resume(queue: ReplicatedQueue): void {
    for (const local of this.#consumers.values()) if (local.queue === queue && !local.cancelled) local.credit.release();
  }

  settle(consumer: Consumer, entry: QueueEntry, outcome: Settlement, delay?: number): void {
    const [id, local] = this.#of(consumer);
    if (id === undefined || local === undefined) return;
    const logId = entry.message.id;
    local.credit.given.delete(logId);
    local.settling.add(logId);
    // The client's prefetch has room now: what waits here goes at once, not once the settle is committed.
    if (!local.cancelled) local.credit.release();
    // An ack draws no jitter: a random number of 0 costs no bytes in the log.
    const random = outcome === 'ack' ? 0 : Math.random();
    this.#settles.add(local.queue, delay === undefined ? { consumer: id, id: logId, outcome, random } : { consumer: id, id: logId, outcome, random, delay }, local);
  }

  /** Proposes a renewal of the lease on the delivery of `entry`, if a consumer of this node holds it. */
  extend(entry: QueueEntry, ms: number): boolean {
    const logId = entry.message.id;
    for (const [id, local] of this.#consumers) {
      if (!local.credit.given.has(logId)) continue;
      this.#send(local.queue, { t: 'extend', consumer: id, id: logId, ms, now: Date.now() });
      return true;
    }
    return false;
  }

  /** The queue took back consumer's delivery of `logId` (its ack lease ran out): its client is told, a late ack is refused. */
  revoke(consumer: string, logId: string): void {
    const local = this.#consumers.get(consumer);
    if (local === undefined) return;
    // One its client never saw is just forgotten.
    if (local.credit.dropHeld(logId)) return;
    const entry = local.credit.given.get(logId);
    if (entry === undefined) return;
    local.credit.given.delete(logId);
    local.consumer.sink.revoked(local.consumer, entry);
    if (!local.cancelled) local.credit.release();
    this.#downWhenSettled(consumer, local);
  }

  /** The connection is gone with these deliveries unsettled (its consumers were cancelled just before). */
  connectionLost(deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }>): void {
    const touched = new Map<string, LocalConsumer>();
    for (const { entry, consumer } of deliveries) {
      const [id, local] = this.#of(consumer);
      if (id === undefined || local === undefined) continue;
      local.credit.given.delete(entry.message.id);
      touched.set(id, local);
    }
    for (const [id, local] of touched) this.#downWhenSettled(id, local);
  }

  /** A delivery for consumer `consumer` of this node, from `queue`'s leader. */
  receive(queue: ReplicatedQueue | undefined, consumer: string, message: Message, redelivered: boolean, deliveryCount: number): void {
    const local = this.#consumers.get(consumer);
    if (local === undefined) {
      // Its connection is gone (or this node restarted): what it was given goes back.
      if (queue !== undefined) this.down(queue, consumer);
      return;
    }
    const id = message.id;
    if (local.credit.has(id) || local.settling.has(id)) return;
    if (local.cancelled) {
      this.#settles.add(local.queue, { consumer, id, outcome: 'requeue', random: 0 });
      return;
    }
    const entry: QueueEntry = { seq: 0, message, redelivered, deliveryCount, stored: false };
    const target = local.consumer;
    if (target.options.noAck) {
      // A no-ack consumer's delivery is settled as it leaves.
      local.settling.add(id);
      target.sink.deliver(target, entry);
      this.settle(target, entry, 'ack');
      return;
    }
    local.credit.take(entry);
  }

  /** Proposes that `consumer` is down (once at a time). */
  down(queue: ReplicatedQueue, consumer: string): void {
    if (this.#downing.has(consumer)) return;
    this.#downing.add(consumer);
    this.#track(
      this.propose(queue, { t: 'down', consumer, now: Date.now() }, CONTROL_DEADLINE_MS)
        .catch((error: unknown) => this.logger.warn({ queue: queue.name, consumer, err: error }, 'a consumer down was not committed'))
        .finally(() => this.#downing.delete(consumer)),
    );
  }

  /** The queue applied a down of `consumer`: if it is still connected here, its client is told. */
  downed(consumer: string): void {
    const local = this.#consumers.get(consumer);
    if (local === undefined) return;
    this.#consumers.delete(consumer);
    if (local.cancelled) return;
    local.consumer.sink.cancelled(local.consumer, 'queue_deleted', `consumer of replicated queue '${local.queue.name}' was cut off from the queue's leader for too long and is down; consume again`);
  }

  /** The queue was deleted: its consumers were cancelled with it, and what they hold is gone. */
  forgetQueue(queue: ReplicatedQueue): void {
    for (const [id, local] of this.#consumers) if (local.queue === queue) this.#consumers.delete(id);
  }

  #of(consumer: Consumer): [string | undefined, LocalConsumer | undefined] {
    const id = this.#ids.get(consumer);
    return [id, id === undefined ? undefined : this.#consumers.get(id)];
  }

  /** A cancelled consumer, or one whose connection closed, holds nothing more: it goes down. */
  #downWhenSettled(id: string, local: LocalConsumer): void {
    if (!local.cancelled || local.credit.given.size > 0 || local.settling.size > 0) return;
    if (this.#consumers.get(id) !== local) return;
    this.#consumers.delete(id);
    this.down(local.queue, id);
  }

  /** One command of a turn's settles; once done, what its consumers were settling is theirs no more. */
  #proposeSettles(queue: ReplicatedQueue, command: QueueLogCommand, settles: readonly SettleItem[], settlers: readonly (LocalConsumer | undefined)[]): void {
    this.#track(
      this.propose(queue, command, CONTROL_DEADLINE_MS)
        .catch((error: unknown) => this.logger.warn({ queue: queue.name, settles: settles.length, err: error }, 'settles of a replicated queue were not committed'))
        .finally(() => {
          const touched = new Set<LocalConsumer>();
          for (let i = 0; i < settles.length; i++) {
            const local = settlers[i];
            if (local === undefined) continue;
            local.settling.delete(settles[i]!.id);
            touched.add(local);
          }
          for (const local of touched) this.#downWhenSettled(local.id, local);
        }),
    );
  }

  /** A command nobody waits for: failures are logged. */
  #send(queue: ReplicatedQueue, command: QueueLogCommand): void {
    this.#track(
      this.propose(queue, command, CONTROL_DEADLINE_MS).catch((error: unknown) =>
        this.logger.warn({ queue: queue.name, command: command.t, err: error }, 'a replicated queue command was not committed'),
      ),
    );
  }

  #track(command: Promise<unknown>): void {
    this.#inFlight.add(command);
    void command.finally(() => this.#inFlight.delete(command));
  }
}
