/**
 * The JSON header of a `deliver` frame, built from parts instead of JSON.stringify of a frame
 * object (json-text.ts in @warren/protocol). The part that depends only on the message
 * (exchange, routing key, properties, headers) is kept for the message delivered last, which
 * serves a message fanned out to several queues: each queue delivers it as it arrives, one after
 * the other. The result is exactly what JSON.stringify of the frame object gives
 * (docs/protocol.md).
 */
import type { Consumer, Message, QueueEntry } from '@warren/core';
import { flatObjectJson, jsonString } from '@warren/protocol';

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

/** A stream of messages mostly repeats its exchange and routing key: their JSON is kept for the last one seen. */
let lastRoute = '';
let lastExchange = '';
let lastRoutingKey = '';

function messagePart(message: Message): string {
  if (message.exchange !== lastExchange || message.routingKey !== lastRoutingKey) {
    lastExchange = message.exchange;
    lastRoutingKey = message.routingKey;
    lastRoute = `"exchange":${jsonString(lastExchange)},"routing_key":${jsonString(lastRoutingKey)}`;
  }
  const headers = message.headers === undefined ? '' : `,"headers":${JSON.stringify(message.headers)}`;
  return `${lastRoute},"properties":${flatObjectJson(message.properties)}${headers}}`;
}
