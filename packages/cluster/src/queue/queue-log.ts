/**
 * What a replicated queue's Raft log holds, and what applying it asks of the member that leads.
 * Core's queue commands (`@warren/core` QueueCommand) hold object references (a Consumer, a
 * QueueEntry, a Message) that exist in one process only; a log entry must mean the same on every
 * member, so it names consumers and messages by id and carries a message's content as data. The
 * time and the retry jitter's random number travel inside, as core's commands require: the
 * member that proposes reads its clock and draws, the members that apply read neither.
 */
import type { DeathReason, Message, PolicyRecord, QueueEntry, QueueTimer, Settlement, Table } from '@warren/core';

/**
 * A message as the log carries it (queue-log-codec.ts writes a publish as binary, its body as is). `id` is
 * the log's name for this copy (unique per publish, kept across a publisher's retries); the
 * id the publisher gave is in the properties.
 */
export interface LoggedMessage {
  readonly id: string;
  readonly body: Uint8Array;
  readonly headers?: Table;
  readonly exchange?: string;
  readonly routingKey?: string;
  readonly properties?: Message['properties'];
}

/** One publish of an `enqueues` command: an `enqueue` without its client and time. */
export type EnqueueItem = LoggedMessage & { readonly dedup?: string };

/** One settle of a `settles` command: a `settle` without its time. */
export interface SettleItem {
  readonly consumer: string;
  readonly id: string;
  readonly outcome: Settlement;
  readonly random: number;
  readonly delay?: number;
}

export type QueueLogCommand =
  /**
   * A publish: enqueued once per message id (a publisher retries until confirmed), confirmed every
   * time. `dedup`: the publisher's message id, checked against the queue's dedup window.
   */
  | (LoggedMessage & { readonly t: 'enqueue'; readonly client: string; readonly now: number; readonly dedup?: string })
  /**
   * Many publishes at once, gathered on the publishers' node within one event-loop turn: applied
   * as each of them would be, in order, as an `enqueue` from `client` at `now`.
   */
  | { readonly t: 'enqueues'; readonly client: string; readonly now: number; readonly messages: readonly EnqueueItem[] }
  /** A retry's back-off ran out (a `retry` effect): the pending retry of message `id` comes back, once. */
  | { readonly t: 'retry-due'; readonly id: string; readonly now: number }
  /** `ackTimeout`: the consumer's own ack lease, ms. */
  | { readonly t: 'subscribe'; readonly consumer: string; readonly prefetch: number; readonly now: number; readonly ackTimeout?: number }
  /** ack, nack with requeue, reject (drop: retried or dead-lettered), retry (after `delay`) of the delivery of message `id`. */
  | {
      readonly t: 'settle';
      readonly consumer: string;
      readonly id: string;
      readonly outcome: Settlement;
      readonly now: number;
      readonly random: number;
      readonly delay?: number;
    }
  /**
   * Many settles at once, gathered on a consumer's node within one event-loop turn: applied as
   * each of them would be, in order, as a `settle` at `now` (the same effects, the same queue).
   */
  | { readonly t: 'settles'; readonly now: number; readonly settles: readonly SettleItem[] }
  /** Renews the consumer's ack lease on message `id` to `ms` from now. */
  | { readonly t: 'extend'; readonly consumer: string; readonly id: string; readonly ms: number; readonly now: number }
  /**
   * The queue's effective policy (null: none) as the metadata log had it at index `at`; one from
   * an older index than the last applied changes nothing (every node proposes each change).
   */
  | { readonly t: 'policy'; readonly at: number; readonly policy: PolicyRecord | null; readonly now: number }
  /** Removes the ready messages (queue.purge); answered by a `purged` effect naming `ref`. */
  | { readonly t: 'purge'; readonly ref: string; readonly now: number }
  /** Takes up to `count` ready messages from the head (a get, acked); answered by a `removed` effect naming `ref`. */
  | { readonly t: 'take'; readonly ref: string; readonly count: number; readonly now: number }
  /** Removes these ready messages, by seq and id, where still ready (a redrive moved them); answered by `removed`. */
  | { readonly t: 'remove'; readonly ref: string; readonly entries: readonly { readonly seq: number; readonly id: string }[]; readonly now: number }
  /** Every target of message `id`'s pending dead-letter has it: the queue lets it go. */
  | { readonly t: 'dead-lettered'; readonly id: string; readonly now: number }
  /** The queue was declared again: its x-expires clock restarts. */
  | { readonly t: 'touch'; readonly now: number }
  /** The consumer stops receiving; what it holds stays with it until settled or it goes down. */
  | { readonly t: 'cancel'; readonly consumer: string; readonly now: number }
  /** The consumer's connection is gone: it is cancelled and what it held is requeued, redelivered. */
  | { readonly t: 'down'; readonly consumer: string; readonly now: number }
  /** One of the queue's timers (a `set-timer` effect) came due on the leader's clock. */
  | { readonly t: 'timer'; readonly timer: QueueTimer; readonly now: number; readonly random: number }
  /** Goes on with a dispatch round cut at the consumers' share (a `dispatch-later` effect). */
  | { readonly t: 'dispatch'; readonly now: number };

/** A settle's answer: what was done, or `stale` when the consumer did not hold that delivery (a retried or late settle). */
export type SettledOutcome = 'acked' | 'requeued' | 'dropped' | 'stale';

/**
 * Effects of applying one command, named by ids. Every member computes them alike; only the
 * leader carries them out. `index` is the log index of the command that caused it, which
 * orders deliveries and acks across leaders.
 */
export type QueueLogEffect =
  | { readonly kind: 'confirm'; readonly client: string; readonly id: string }
  /** The queue is full and its overflow mode rejects publishes: the publish is nacked. */
  | { readonly kind: 'rejected'; readonly client: string; readonly id: string }
  | { readonly kind: 'subscribed'; readonly consumer: string }
  | { readonly kind: 'down'; readonly consumer: string }
  | { readonly kind: 'deliver'; readonly consumer: string; readonly id: string; readonly redelivered: boolean; readonly deliveryCount: number; readonly index: number }
  | { readonly kind: 'settled'; readonly consumer: string; readonly id: string; readonly outcome: SettledOutcome; readonly index: number }
  /** The queue took a delivery back (its ack lease ran out). */
  | { readonly kind: 'revoked'; readonly consumer: string; readonly id: string }
  /** The consumer is cancelled: at its request (`cancel`), or because the queue is being deleted. */
  | { readonly kind: 'cancelled'; readonly consumer: string }
  /**
   * The message left the queue dead-lettered: without a dead-letter exchange it is dropped; with
   * one it stays pending in the queue's state until the leader routed it and proposed `dead-lettered`.
   */
  | { readonly kind: 'dead-letter'; readonly id: string; readonly reason: DeathReason }
  /** A retry is pending: the leader proposes `retry-due` for it once `due` (the queue's clock) passes. */
  | { readonly kind: 'retry'; readonly id: string; readonly delay: number; readonly due: number }
  | { readonly kind: 'purged'; readonly ref: string; readonly count: number }
  /** What a take or remove took out of the queue (the messages, for the member that asked). */
  | { readonly kind: 'removed'; readonly ref: string; readonly entries: readonly QueueEntry[] }
  /** Propose `timer` when the leader's clock reaches `due`; Infinity disarms. */
  | { readonly kind: 'set-timer'; readonly timer: QueueTimer; readonly due: number }
  /** Propose `dispatch` soon. */
  | { readonly kind: 'dispatch-later' }
  /** The queue went unused for its x-expires. */
  | { readonly kind: 'expired' };

export { encodeQueueCommand, decodeQueueCommand } from './queue-log-codec.js';
