/**
 * A `settles` command's bytes (SETTLES_V1, format byte 4): the settles a consumer's node gathered
 * in one event-loop turn, usually acks of one consumer, so the consumers are written once in a
 * table and each settle names its consumer by its place there.
 *
 *   u8 4, f64 now, u16 consumer count, per consumer: u32 length, UTF-8;
 *   u32 settle count, per settle: u8 flags (bits 0-1 the outcome, 4: a delay follows,
 *   8: a random number follows), u16 the consumer's place, u32 id length, id, [f64 random], [f64 delay]
 *
 * A random number of 0 is not written (an ack draws none) and reads back as 0. Little-endian, as
 * every queue log entry (queue-log-codec.ts).
 */
import type { QueueLogCommand, SettleItem } from './queue-log.js';

export const SETTLES_V1 = 4;

type Settles = Extract<QueueLogCommand, { t: 'settles' }>;
const OUTCOMES: readonly SettleItem['outcome'][] = ['ack', 'requeue', 'drop', 'retry'];
const HAS_DELAY = 4;
const HAS_RANDOM = 8;
/** Format byte, now, consumer count. */
const HEAD = 11;

export function encodeSettles(command: Settles): Uint8Array {
  const places = new Map<string, number>();
  const consumerLengths: number[] = [];
  const idLengths: number[] = [];
  let size = HEAD + 4;
  for (const item of command.settles) {
    if (!places.has(item.consumer)) {
      places.set(item.consumer, places.size);
      const length = Buffer.byteLength(item.consumer);
      consumerLengths.push(length);
      size += 4 + length;
    }
    const length = Buffer.byteLength(item.id);
    idLengths.push(length);
    size += 7 + length + (Object.is(item.random, 0) ? 0 : 8) + (item.delay === undefined ? 0 : 8);
  }
  if (places.size > 0xffff) throw new RangeError(`a settles command names ${places.size} consumers; at most 65,535 fit`);
  const out = Buffer.allocUnsafe(size);
  out[0] = SETTLES_V1;
  out.writeDoubleLE(command.now, 1);
  out.writeUInt16LE(places.size, 9);
  let at = HEAD;
  let i = 0;
  for (const consumer of places.keys()) {
    out.writeUInt32LE(consumerLengths[i]!, at);
    out.write(consumer, at + 4, consumerLengths[i]!, 'utf8');
    at += 4 + consumerLengths[i++]!;
  }
  out.writeUInt32LE(command.settles.length, at);
  at += 4;
  i = 0;
  for (const item of command.settles) {
    const hasRandom = !Object.is(item.random, 0);
    out[at] = OUTCOMES.indexOf(item.outcome) | (item.delay === undefined ? 0 : HAS_DELAY) | (hasRandom ? HAS_RANDOM : 0);
    out.writeUInt16LE(places.get(item.consumer)!, at + 1);
    const length = idLengths[i++]!;
    out.writeUInt32LE(length, at + 3);
    out.write(item.id, at + 7, length, 'utf8');
    at += 7 + length;
    if (hasRandom) at = out.writeDoubleLE(item.random, at);
    if (item.delay !== undefined) at = out.writeDoubleLE(item.delay, at);
  }
  return out;
}

function cutShort(): never {
  throw new RangeError('a settles entry of the queue log ends inside a field');
}

export function decodeSettles(bytes: Buffer): Settles {
  if (bytes.length < HEAD + 4) cutShort();
  const now = bytes.readDoubleLE(1);
  const consumers: string[] = new Array<string>(bytes.readUInt16LE(9));
  let at = HEAD;
  for (let i = 0; i < consumers.length; i++) {
    if (at + 4 > bytes.length) cutShort();
    const end = at + 4 + bytes.readUInt32LE(at);
    if (end > bytes.length) cutShort();
    consumers[i] = bytes.toString('utf8', at + 4, end);
    at = end;
  }
  if (at + 4 > bytes.length) cutShort();
  const settles: SettleItem[] = new Array<SettleItem>(bytes.readUInt32LE(at));
  at += 4;
  for (let i = 0; i < settles.length; i++) {
    if (at + 7 > bytes.length) cutShort();
    const flags = bytes[at]!;
    if (flags > 15) throw new RangeError(`a settle in the queue log with unknown flags (${flags})`);
    const consumer = consumers[bytes.readUInt16LE(at + 1)];
    if (consumer === undefined) throw new RangeError('a settle in the queue log names a consumer its entry does not list');
    const end = at + 7 + bytes.readUInt32LE(at + 3);
    const tail = end + (flags & HAS_RANDOM ? 8 : 0) + (flags & HAS_DELAY ? 8 : 0);
    if (tail > bytes.length) cutShort();
    const id = bytes.toString('utf8', at + 7, end);
    const outcome = OUTCOMES[flags & 3]!;
    const random = flags & HAS_RANDOM ? bytes.readDoubleLE(end) : 0;
    settles[i] = flags & HAS_DELAY ? { consumer, id, outcome, random, delay: bytes.readDoubleLE(tail - 8) } : { consumer, id, outcome, random };
    at = tail;
  }
  if (at !== bytes.length) throw new RangeError('a settles entry of the queue log has bytes past its last settle');
  return { t: 'settles', now, settles };
}
