/**
 * A stored message's value: a u32 (big-endian) byte length, that many bytes of JSON holding
 * every field but the body, then the body's raw bytes. The body is never base64'd or parsed.
 */
import type { Message, ScheduledRecord } from '@warren/core';
import { flatObjectJson, jsonString } from '@warren/core';

type MessageHeader = Omit<Message, 'body'>;

/**
 * The encoded form of each scheduled record's message, keyed by its properties object. A due
 * retry comes back as a copy of that message differing only in `publishedAt` (messages are never
 * changed in place, only copied), so its value is the stored one with the time's digits
 * rewritten: JSON.stringify of the headers and attempt log was a third of a fire's cost.
 */
const scheduledMessages = new WeakMap<object, { message: Message; value: Buffer }>();

export function encodeMessage(message: Message): Buffer {
  return restamped(message) ?? encodeFresh(message);
}

/** The message's value from its scheduled record's, when only `publishedAt` differs and keeps its width. */
function restamped(message: Message): Buffer | undefined {
  const known = scheduledMessages.get(message.properties);
  if (known === undefined) return undefined;
  const was = known.message;
  const digits = String(message.publishedAt);
  if (
    was.headers !== message.headers ||
    was.body !== message.body ||
    was.id !== message.id ||
    was.exchange !== message.exchange ||
    was.routingKey !== message.routingKey ||
    was.persistent !== message.persistent ||
    !Number.isSafeInteger(message.publishedAt) ||
    digits.length !== String(was.publishedAt).length
  ) {
    return undefined;
  }
  const value = Buffer.allocUnsafe(known.value.length);
  known.value.copy(value);
  value.write(digits, 4 + value.readUInt32BE(0) - 1 - digits.length, 'latin1');
  return value;
}

/**
 * Remembers a scheduled message's value for `restamped`, if its JSON ends with its integer
 * `publishedAt` as encodeFresh writes it (a value from an older version may not).
 */
function remember(message: Message, value: Buffer): void {
  if (!Number.isSafeInteger(message.publishedAt)) return;
  const jsonEnd = 4 + value.readUInt32BE(0);
  const tail = `"publishedAt":${message.publishedAt}}`;
  if (value.toString('latin1', jsonEnd - tail.length, jsonEnd) === tail) scheduledMessages.set(message.properties, { message, value });
}

/** Exactly JSON.stringify of the message's fields but the body, `publishedAt` last; written from parts. */
function encodeFresh(message: Message): Buffer {
  const headers = message.headers === undefined ? '' : `,"headers":${JSON.stringify(message.headers)}`;
  const publishedAt = Number.isFinite(message.publishedAt) ? String(message.publishedAt) : 'null';
  const json =
    `{"id":${jsonString(message.id)},"exchange":${jsonString(message.exchange)},"routingKey":${jsonString(message.routingKey)},` +
    `"properties":${flatObjectJson(message.properties)}${headers},"persistent":${message.persistent},"publishedAt":${publishedAt}}`;
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
  const encoded = encodeMessage(message);
  remember(message, encoded);
  return Buffer.concat([head, json, encoded]);
}

export function decodeScheduled(value: Buffer): ScheduledRecord {
  const jsonEnd = 4 + value.readUInt32BE(0);
  const fields = JSON.parse(value.toString('utf8', 4, jsonEnd)) as Omit<ScheduledRecord, 'message'>;
  const encoded = value.subarray(jsonEnd);
  const message = decodeMessage(encoded);
  remember(message, encoded);
  return { ...fields, message };
}
