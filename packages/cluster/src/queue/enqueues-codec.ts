/**
 * An `enqueues` command's bytes (ENQUEUES_V1, format byte 5): the publishes a node gathered for
 * one queue in one event-loop turn. The client and the time are written once; each publish as in
 * ENQUEUE_V1 (queue-log-codec.ts) with its body's length before it, since bodies follow each other.
 *
 *   u8 5, f64 now, u32 client length, client, u32 publish count, per publish: u8 flags (which
 *   optional fields follow: 1 dedup, 2 exchange, 4 routing key, 8 properties, 16 headers),
 *   u32 length + UTF-8 for the id and each field present (properties and headers as JSON),
 *   u32 body length, body
 *
 * Decoding copies no body: each is a view of the entry. Little-endian.
 */
import type { EnqueueItem, QueueLogCommand } from './queue-log.js';
import { HAS_DEDUP, HAS_HEADERS, pushPublishFields, readPublishFields } from './publish-fields.js';

export const ENQUEUES_V1 = 5;

type Enqueues = Extract<QueueLogCommand, { t: 'enqueues' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };


/** The publish's flags and the text fields present, in the order they are written (the id first). */
function fieldsOf(item: EnqueueItem, fields: string[]): number {
  fields.push(item.id);
  return pushPublishFields(item, fields);
}

export function encodeEnqueues(command: Enqueues): Uint8Array {
  const flags: number[] = [];
  const fields: string[] = [command.client];
  for (const item of command.messages) flags.push(fieldsOf(item, fields));
  const lengths = fields.map((f) => Buffer.byteLength(f));
  let size = 1 + 8 + 4 + command.messages.length * 5;
  for (const length of lengths) size += 4 + length;
  for (const item of command.messages) size += item.body.byteLength;
  const out = Buffer.allocUnsafe(size);
  out[0] = ENQUEUES_V1;
  out.writeDoubleLE(command.now, 1);
  let field = 0;
  const text = (at: number): number => {
    const length = lengths[field]!;
    out.writeUInt32LE(length, at);
    out.write(fields[field++]!, at + 4, length, 'utf8');
    return at + 4 + length;
  };
  let at = text(9);
  at = out.writeUInt32LE(command.messages.length, at);
  command.messages.forEach((item, i) => {
    const present = flags[i]!;
    out[at++] = present;
    at = text(at);
    for (let bit = HAS_DEDUP; bit <= HAS_HEADERS; bit <<= 1) if (present & bit) at = text(at);
    at = out.writeUInt32LE(item.body.byteLength, at);
    out.set(item.body, at);
    at += item.body.byteLength;
  });
  return out;
}

class Reader {
  at = 9;

  constructor(readonly bytes: Buffer) {}

  length(): number {
    if (this.at + 4 > this.bytes.length) throw new RangeError('an enqueues entry of the queue log ends inside a field');
    const length = this.bytes.readUInt32LE(this.at);
    this.at += 4;
    if (this.at + length > this.bytes.length) throw new RangeError('an enqueues entry of the queue log ends inside a field');
    return length;
  }

  text(): string {
    const length = this.length();
    this.at += length;
    return this.bytes.toString('utf8', this.at - length, this.at);
  }
}

export function decodeEnqueues(bytes: Buffer): Enqueues {
  if (bytes.length < 9) throw new RangeError('an enqueues entry of the queue log ends inside its header');
  const now = bytes.readDoubleLE(1);
  const reader = new Reader(bytes);
  const client = reader.text();
  if (reader.at + 4 > bytes.length) throw new RangeError('an enqueues entry of the queue log ends inside its header');
  const messages: EnqueueItem[] = new Array<EnqueueItem>(bytes.readUInt32LE(reader.at));
  reader.at += 4;
  for (let i = 0; i < messages.length; i++) {
    if (reader.at >= bytes.length) throw new RangeError('an enqueues entry of the queue log ends inside a publish');
    const flags = bytes[reader.at++]!;
    if (flags > 31) throw new RangeError(`a publish in the queue log with unknown flags (${flags})`);
    const item: Mutable<EnqueueItem> = { id: reader.text(), body: bytes };
    readPublishFields(item, flags, () => reader.text());
    const length = reader.length();
    // A view, not a Buffer: the command holds exactly what was proposed (a Uint8Array).
    item.body = new Uint8Array(bytes.buffer, bytes.byteOffset + reader.at, length);
    reader.at += length;
    messages[i] = item;
  }
  if (reader.at !== bytes.length) throw new RangeError('an enqueues entry of the queue log has bytes past its last publish');
  return { t: 'enqueues', client, now, messages };
}
