/**
 * A replicated queue's snapshot: what it holds now, not the commands that led there, so that its
 * Raft log is truncated behind it and a restarted or lagging member starts from it.
 *
 * Layout (little-endian): a format byte (SNAPSHOT_V1); a uint32 length and the outline as JSON
 * (counters, consumers, timers, the seen and dedup windows, and every entry, delivery, retry and
 * dead-letter naming its message by number); then each message once, in that numbering: a
 * uint32 length and its fields as JSON, a uint32 length and its body as raw bytes. Decoding
 * copies no body: each is a view of the snapshot, as a log entry's body is.
 */
import type { Consumer, DeathReason, Message, PolicyRecord, QueueEntry, QueueImage, QueueTimer } from '@warren/core';

const SNAPSHOT_V1 = 1;

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
  readonly seen: readonly (readonly [string, number])[];
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

function fieldsOf({ id, exchange, routingKey, properties, headers, persistent, publishedAt }: Message): string {
  return JSON.stringify({ id, exchange, routingKey, properties, headers, persistent, publishedAt });
}

export function encodeSnapshot(outline: QueueOutline, messages: readonly Message[]): Uint8Array {
  const head = Buffer.from(JSON.stringify(outline));
  const fields = messages.map((m) => Buffer.from(fieldsOf(m)));
  let size = 5 + head.length;
  for (let i = 0; i < messages.length; i++) size += 8 + fields[i]!.length + messages[i]!.body.byteLength;
  const out = Buffer.allocUnsafe(size);
  out[0] = SNAPSHOT_V1;
  out.writeUInt32LE(head.length, 1);
  out.set(head, 5);
  let at = 5 + head.length;
  for (let i = 0; i < messages.length; i++) {
    const f = fields[i]!;
    const body = messages[i]!.body;
    out.writeUInt32LE(f.length, at);
    out.set(f, at + 4);
    at += 4 + f.length;
    out.writeUInt32LE(body.byteLength, at);
    out.set(body, at + 4);
    at += 4 + body.byteLength;
  }
  return out;
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

export function decodeSnapshot(data: Uint8Array): { outline: QueueOutline; messages: Message[] } {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes[0] !== SNAPSHOT_V1) throw new RangeError(`a replicated queue snapshot in an unknown format (${String(bytes[0])}): written by a newer Warren?`);
  const reader = new SnapshotReader(bytes);
  reader.at = 1;
  const outline = JSON.parse(reader.part().toString('utf8')) as QueueOutline;
  const messages: Message[] = [];
  while (reader.at < bytes.length) {
    const { id, exchange, routingKey, properties, headers, persistent, publishedAt } = JSON.parse(reader.part().toString('utf8')) as Omit<Message, 'body'>;
    // The fields in the order a publish makes them (replicated-queue.ts messageOf).
    messages.push({ id, exchange, routingKey, properties, headers, body: reader.part(), persistent, publishedAt });
  }
  return { outline, messages };
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
