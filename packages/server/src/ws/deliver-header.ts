/**
 * The JSON header of a `deliver` frame, built without serializing the message's metadata for
 * every delivery: the part that depends only on the message (exchange, routing key, properties,
 * headers) is serialized once and reused, for a message fanned out to ten queues or redelivered.
 * The result is exactly what JSON.stringify of the frame object gives (docs/protocol.md).
 */
import type { Consumer, Message, QueueEntry } from '@warren/core';

const messagePart = new WeakMap<Message, string>();
const consumerPart = new WeakMap<Consumer, string>();

export function deliverHeader(consumer: Consumer, entry: QueueEntry, deliveryTag: number): string {
  const message = entry.message;
  let tail = messagePart.get(message);
  if (tail === undefined) {
    tail = JSON.stringify({ exchange: message.exchange, routing_key: message.routingKey, properties: message.properties, headers: message.headers }).slice(1);
    messagePart.set(message, tail);
  }
  let head = consumerPart.get(consumer);
  if (head === undefined) {
    head = `{"type":"deliver","consumer_tag":${JSON.stringify(consumer.tag)},"delivery_tag":`;
    consumerPart.set(consumer, head);
  }
  return `${head}${deliveryTag},"redelivered":${entry.redelivered},"delivery_count":${entry.deliveryCount},${tail}`;
}
