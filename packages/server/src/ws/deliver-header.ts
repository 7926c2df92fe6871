/**
 * The JSON header of a `deliver` frame, built from parts instead of JSON.stringify of a frame
 * object (json-text.ts in @warren/protocol). The part that depends only on the message
 * (exchange, routing key, properties, headers) is kept for the message delivered last, which
 * serves a message fanned out to several queues: each queue delivers it as it arrives, one after
 * the other. The result is exactly what JSON.stringify of the frame object gives
 * (docs/protocol.md).
 */
import type { Consumer, Message, QueueEntry } from '@warren/core';
import { flatObjectJson, routeJson } from '@warren/protocol';

const consumerPart = new WeakMap<Consumer, string>();
let lastMessage: Message | undefined;
let lastMessagePart = '';

export function deliverHeader(consumer: Consumer, entry: QueueEntry, deliveryTag: number): string {
  const message = entry.message;
  if (message !== lastMessage) {
    lastMessage = message;
    lastMessagePart = messagePart(message);
  }
  let head = consumerPart.get(consumer);
  if (head === undefined) {
    head = `{"type":"deliver","consumer_tag":${JSON.stringify(consumer.tag)},"delivery_tag":`;
    consumerPart.set(consumer, head);
  }
  return `${head}${deliveryTag},"redelivered":${entry.redelivered},"delivery_count":${entry.deliveryCount},${lastMessagePart}`;
}

function messagePart(message: Message): string {
  const headers = message.headers === undefined ? '' : `,"headers":${JSON.stringify(message.headers)}`;
  return `${routeJson(message.exchange, message.routingKey)},"properties":${flatObjectJson(message.properties)}${headers}}`;
}
