/**
 * The header of a delivery a replicated queue's leader posts to its consumer's node, as bytes
 * (one per delivered message: JSON here cost a stringify on the leader and a parse on the
 * consumer's node per message). The body travels as the post's payload.
 *
 *   u8 1, u8 flags (1: redelivered, 2: headers follow), u32 delivery count, then the group, the
 *   consumer, the message id, its exchange, its routing key, its properties as JSON [and its
 *   headers as JSON], each after its u32 length, UTF-8
 *
 * The first byte is never `{`: the cluster port reads it back as bytes, not JSON (cluster-frames.ts).
 */
import type { Message } from '@warren/core';

export const DELIVERY_V1 = 1;

const REDELIVERED = 1;
const HAS_HEADERS = 2;

export interface DeliveryHeader {
  readonly group: string;
  readonly consumer: string;
  readonly id: string;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: Message['properties'];
  readonly headers?: Message['headers'];
}

export function encodeDeliveryHeader(header: DeliveryHeader): Uint8Array {
  const fields = [header.group, header.consumer, header.id, header.exchange, header.routingKey, JSON.stringify(header.properties)];
  if (header.headers !== undefined) fields.push(JSON.stringify(header.headers));
  const lengths = fields.map((f) => Buffer.byteLength(f));
  let size = 6;
  for (const length of lengths) size += 4 + length;
  const out = Buffer.allocUnsafe(size);
  out[0] = DELIVERY_V1;
  out[1] = (header.redelivered ? REDELIVERED : 0) | (header.headers === undefined ? 0 : HAS_HEADERS);
  out.writeUInt32LE(header.deliveryCount, 2);
  let at = 6;
  for (let i = 0; i < fields.length; i++) {
    out.writeUInt32LE(lengths[i]!, at);
    out.write(fields[i]!, at + 4, lengths[i]!, 'utf8');
    at += 4 + lengths[i]!;
  }
  return out;
}

export function decodeDeliveryHeader(data: Uint8Array): DeliveryHeader {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes[0] !== DELIVERY_V1 || bytes.length < 6) throw new RangeError(`a delivery header in an unknown format (${String(bytes[0])})`);
  let at = 6;
  const text = (): string => {
    if (at + 4 > bytes.length) throw new RangeError('a delivery header ends inside a field');
    const end = at + 4 + bytes.readUInt32LE(at);
    if (end > bytes.length) throw new RangeError('a delivery header ends inside a field');
    const value = bytes.toString('utf8', at + 4, end);
    at = end;
    return value;
  };
  const flags = bytes[1]!;
  const header: DeliveryHeader = {
    group: text(),
    consumer: text(),
    id: text(),
    redelivered: (flags & REDELIVERED) !== 0,
    deliveryCount: bytes.readUInt32LE(2),
    exchange: text(),
    routingKey: text(),
    properties: JSON.parse(text()) as Message['properties'],
  };
  return flags & HAS_HEADERS ? { ...header, headers: JSON.parse(text()) as Message['headers'] } : header;
}
