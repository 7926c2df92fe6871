/**
 * What a replicated queue's Raft log holds, and what applying it asks of the member that leads.
 * Core's queue commands (`@warren/core` QueueCommand) hold object references (a Consumer, a
 * QueueEntry, a Message) that exist in one process only; a log entry must mean the same on every
 * member, so it names consumers and messages by id and carries a message's content as data. The
 * time and the retry jitter's random number travel inside, as core's commands require: the
 * member that proposes reads its clock and draws, the members that apply read neither.
 */
import type { Message, QueueTimer, Settlement, Table } from '@warren/core';

/**
 * A message as the log carries it; the body as base64, so a command is one JSON text. `id` is
 * the log's name for this copy (unique per publish, kept across a publisher's retries); the
 * id the publisher gave is in the properties.
 */
export interface LoggedMessage {
  readonly id: string;
  readonly body: string;
  readonly headers?: Table;
  readonly exchange?: string;
  readonly routingKey?: string;
  readonly properties?: Message['properties'];
}

export type QueueLogCommand =
  /** A publish: enqueued once per message id (a publisher retries until confirmed), confirmed every time. */
  | (LoggedMessage & { readonly t: 'enqueue'; readonly client: string; readonly now: number })
  /** A retry's back-off ran out (a `retry` effect): the message, with its attempt header, comes back. */
  | (LoggedMessage & { readonly t: 'retry-due'; readonly now: number })
  | { readonly t: 'subscribe'; readonly consumer: string; readonly prefetch: number; readonly now: number }
  /** ack, nack with requeue, reject (drop: retried or dead-lettered) of the delivery of message `id`. */
  | {
      readonly t: 'settle';
      readonly consumer: string;
      readonly id: string;
      readonly outcome: Exclude<Settlement, 'retry'>;
      readonly now: number;
      readonly random: number;
    }
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
  /** The message left the queue dead-lettered (without a dead-letter exchange: dropped). */
  | { readonly kind: 'dead-letter'; readonly id: string; readonly reason: string }
  /** Propose `retry-due` with this message after `delay` ms. */
  | (LoggedMessage & { readonly kind: 'retry'; readonly delay: number })
  /** Propose `timer` when the leader's clock reaches `due`; Infinity disarms. */
  | { readonly kind: 'set-timer'; readonly timer: QueueTimer; readonly due: number }
  /** Propose `dispatch` soon. */
  | { readonly kind: 'dispatch-later' }
  /** The queue went unused for its x-expires. */
  | { readonly kind: 'expired' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeQueueCommand(command: QueueLogCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

export function decodeQueueCommand(data: Uint8Array): QueueLogCommand {
  return JSON.parse(decoder.decode(data)) as QueueLogCommand;
}

export function bodyOf(message: LoggedMessage): Uint8Array {
  return Buffer.from(message.body, 'base64');
}

export function loggedBody(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
}
