/**
 * A stored message's value: a u32 (big-endian) byte length, that many bytes of JSON holding
 * every field but the body, then the body's raw bytes. The body is never base64'd or parsed.
 */
import type { Message, ScheduledRecord } from '@warren/core';

type MessageHeader = Omit<Message, 'body'>;

export function encodeMessage(message: Message): Buffer {
  const header: MessageHeader = {
    id: message.id,
    exchange: message.exchange,
    routingKey: message.routingKey,
    properties: message.properties,
    headers: message.headers,
    persistent: message.persistent,
    publishedAt: message.publishedAt,
  };
  const json = JSON.stringify(header);
  const jsonLength = Buffer.byteLength(json);
  const value = Buffer.allocUnsafe(4 + jsonLength + message.body.length);
  value.writeUInt32BE(jsonLength, 0);
  value.write(json, 4, 'utf8');
  value.set(message.body, 4 + jsonLength);
  return value;
}

export function decodeMessage(value: Buffer): Message {
  const jsonEnd = 4 + value.readUInt32BE(0);
  const header = JSON.parse(value.toString('utf8', 4, jsonEnd)) as MessageHeader;
  return {
    id: header.id,
    exchange: header.exchange,
    routingKey: header.routingKey,
    properties: header.properties,
    headers: header.headers,
    body: value.subarray(jsonEnd),
    persistent: header.persistent,
    publishedAt: header.publishedAt ?? 0,
  };
}

/** A scheduled message's value: its record's fields as JSON, then the message as above. */
export function encodeScheduled(record: ScheduledRecord): Buffer {
  const { message, ...fields } = record;
  const json = Buffer.from(JSON.stringify(fields));
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(json.length, 0);
  return Buffer.concat([head, json, encodeMessage(message)]);
}

export function decodeScheduled(value: Buffer): ScheduledRecord {
  const jsonEnd = 4 + value.readUInt32BE(0);
  const fields = JSON.parse(value.toString('utf8', 4, jsonEnd)) as Omit<ScheduledRecord, 'message'>;
  return { ...fields, message: decodeMessage(value.subarray(jsonEnd)) };
}
