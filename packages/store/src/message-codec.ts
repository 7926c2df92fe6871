/**
 * A stored message's value: a u32 (big-endian) byte length, that many bytes of JSON holding
 * every field but the body, then the body's raw bytes. The body is never base64'd or parsed.
 */
import type { Message } from '@warren/core';

type MessageHeader = Omit<Message, 'body'>;

export function encodeMessage(message: Message): Buffer {
  const header: MessageHeader = {
    id: message.id,
    exchange: message.exchange,
    routingKey: message.routingKey,
    properties: message.properties,
    headers: message.headers,
    persistent: message.persistent,
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
  };
}
