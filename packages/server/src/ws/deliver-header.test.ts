import { describe, expect, it } from 'vitest';
import type { Consumer, Message, QueueEntry } from '@warren/core';
import { deliverHeader } from './deliver-header.js';

const message: Message = {
  id: 'm1',
  exchange: 'orders',
  routingKey: 'a."quoted".key',
  properties: { message_id: 'm1', persistent: true, content_type: 'application/json' },
  headers: { tenant: 'acme', 'x-death': [{ count: 1 }] },
  body: new Uint8Array(),
  persistent: true,
  publishedAt: 0,
};

const consumer = { tag: 'ctag-"1"' } as Consumer;

describe('deliverHeader', () => {
  it('is exactly the JSON of the deliver frame, also when reused', () => {
    for (const [tag, redelivered, count] of [
      [1, false, 1],
      [2, true, 2],
    ] as const) {
      const entry: QueueEntry = { seq: 1, message, redelivered, deliveryCount: count, stored: false };
      expect(JSON.parse(deliverHeader(consumer, entry, tag))).toEqual({
        type: 'deliver',
        consumer_tag: 'ctag-"1"',
        delivery_tag: tag,
        redelivered,
        delivery_count: count,
        exchange: 'orders',
        routing_key: 'a."quoted".key',
        properties: message.properties,
        headers: message.headers,
      });
    }
  });

  it('leaves out headers the message does not have', () => {
    const bare = { ...message, headers: undefined };
    const header = JSON.parse(deliverHeader(consumer, { seq: 1, message: bare, redelivered: false, deliveryCount: 1, stored: false }, 9));
    expect('headers' in header).toBe(false);
  });
});
