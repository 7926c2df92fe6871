/**
 * A replicated queue's snapshot: what it holds now, not the commands that led there, so that its
 * Raft log is truncated behind it and a restarted or lagging member starts from it.
 *
 * Layout (little-endian), format SNAPSHOT_V2: a format byte, then length-prefixed parts (a uint32
 * length and the bytes): the outline as JSON (counters, consumers, timers, the dedup window,
 * retries and dead-letters naming their message by number, and how many parts of each list and
 * chunks of seen ids follow); the returned, ready and delivered entries as JSON arrays of up to
 * LIST_PART entries each (snapshot-writer.ts); the chunks of the window of seen ids
 * (seen-window.ts); then each message once, in that numbering: its fields as JSON, its body as
 * raw bytes. Decoding copies no body:
 * each is a view of the snapshot, as a log entry's body is. SNAPSHOT_V1 (the seen ids as JSON
 * pairs in the outline, no chunks) is still read; any other format is refused by name.
 */
import type { Consumer, DeathReason, Message, PolicyRecord, QueueEntry, QueueImage, QueueTimer } from '@warren/core';

export const SNAPSHOT_V1 = 1;
export const SNAPSHOT_V2 = 2;

/** A consumer as the snapshot holds it: its subscription and where its deliveries stand. */
export interface ConsumerOutline {
  readonly id: string;
  readonly prefetch: number;
  readonly ackTimeout?: number;
  readonly unacked: number;
  readonly active: boolean;
  readonly blocked: boolean;
}

/** An entry of the queue: its message by number. */
export interface EntryOutline {
  readonly seq: number;
  readonly m: number;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
  readonly stored: boolean;
}

export interface QueueOutline {
  readonly now: number;
  readonly random: number;
  readonly deleted: boolean;
  readonly hadConsumer: boolean;
  readonly policy: PolicyRecord | null;
  readonly policyAt: number;
  readonly nextSeq: number;
  readonly roundRobin: number;
  readonly unackedCount: number;
  /** Every consumer the queue knows (subscribed and not down), in subscription order. */
  readonly consumers: readonly ConsumerOutline[];
  /** The attached ones, by id, in round-robin order. */
  readonly attached: readonly string[];
  readonly gone: readonly string[];
  readonly returned: readonly EntryOutline[];
  readonly ram: readonly EntryOutline[];
  /** Deliveries out, in delivery order: consumer id and entry. */
  readonly unacked: readonly (readonly [string, EntryOutline])[];
  /** Ack leases in expiry order: the unacked message's id, its lease length and end. */
  readonly leases: readonly (readonly [string, number, number])[];
  /** The armed timers and when they are due. */
  readonly timers: readonly (readonly [QueueTimer, number])[];
  readonly retries: readonly (readonly [string, number, number])[];
  readonly deadLetters: readonly (readonly [string, number, DeathReason])[];
  /** Format 1 only: the window of seen ids, oldest first. */
  readonly seen?: readonly (readonly [string, number])[];
  /** Format 2: how many chunks of seen ids follow the outline's lists. */
  readonly seenChunks?: number;
  /** Format 2: how many parts hold returned, ram and unacked, which the outline's JSON leaves out. */
  readonly lists?: readonly [number, number, number];
  readonly dedup: readonly (readonly [string, number])[];
}

/** Numbers each message once, by object: one shared by two places is written once. */
export class MessageTable {
  readonly messages: Message[] = [];
  readonly #numbers = new Map<Message, number>();

  number(message: Message): number {
    let n = this.#numbers.get(message);
    if (n === undefined) {
      n = this.messages.length;
      this.messages.push(message);
      this.#numbers.set(message, n);
    }
    return n;
  }

  entry(entry: QueueEntry): EntryOutline {
    const { seq, redelivered, deliveryCount, stored } = entry;
    return { seq, m: this.number(entry.message), redelivered, deliveryCount, stored };
  }
}

class SnapshotReader {
  at = 0;
  constructor(readonly bytes: Buffer) {}

  /** The next length-prefixed part, a view. */
  part(): Buffer {
    if (this.at + 4 > this.bytes.length) throw new RangeError('a replicated queue snapshot ends inside a length');
    const start = this.at + 4;
    const end = start + this.bytes.readUInt32LE(this.at);
    if (end > this.bytes.length) throw new RangeError('a replicated queue snapshot ends inside a part');
    this.at = end;
    return this.bytes.subarray(start, end);
  }
}

export interface DecodedSnapshot {
  readonly outline: QueueOutline;
  /** The chunks of seen ids (format 2), views of the snapshot. */
  readonly seen: Buffer[];
  readonly messages: Message[];
}

export function decodeSnapshot(data: Uint8Array): DecodedSnapshot {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const format = bytes[0];
  if (format !== SNAPSHOT_V1 && format !== SNAPSHOT_V2) {
    throw new RangeError(`a replicated queue snapshot in an unknown format (${String(format)}): written by a newer Warren?`);
  }
  const reader = new SnapshotReader(bytes);
  reader.at = 1;
  let outline = JSON.parse(reader.part().toString('utf8')) as QueueOutline;
  if (outline.lists !== undefined) {
    const [returned, ram, unacked] = outline.lists.map((parts) => Array.from({ length: parts }, () => JSON.parse(reader.part().toString('utf8')) as unknown[]).flat());
    outline = { ...outline, returned, ram, unacked } as QueueOutline;
  }
  const seen: Buffer[] = [];
  for (let i = 0; i < (outline.seenChunks ?? 0); i++) seen.push(reader.part());
  const messages: Message[] = [];
  while (reader.at < bytes.length) {
    const { id, exchange, routingKey, properties, headers, persistent, publishedAt } = JSON.parse(reader.part().toString('utf8')) as Omit<Message, 'body'>;
    // The fields in the order a publish makes them (replicated-queue.ts messageOf).
    messages.push({ id, exchange, routingKey, properties, headers, body: reader.part(), persistent, publishedAt });
  }
  return { outline, seen, messages };
}

/** The parts of a machine image that are not its objects, as the outline holds them. */
export function imageCounters(image: QueueImage): Pick<QueueOutline, 'now' | 'random' | 'deleted' | 'hadConsumer' | 'nextSeq' | 'roundRobin' | 'unackedCount'> {
  const { now, random, deleted, hadConsumer, nextSeq, roundRobin, unackedCount } = image;
  return { now, random, deleted, hadConsumer, nextSeq, roundRobin, unackedCount };
}

export function consumerOutline(id: string, consumer: Consumer): ConsumerOutline {
  const { prefetch, ackTimeout } = consumer.options;
  const { unacked, active, blocked } = consumer;
  return ackTimeout === undefined ? { id, prefetch, unacked, active, blocked } : { id, prefetch, ackTimeout, unacked, active, blocked };
}
