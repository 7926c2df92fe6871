import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message, ScheduledRecord } from '@warren/core';
import { decodeMessage, decodeScheduled, encodeMessage, encodeScheduled } from './message-codec.js';

function scheduled(publishedAt: number): ScheduledRecord {
  const message: Message = {
    id: 'm-1',
    exchange: '',
    routingKey: 'jobs',
    properties: { message_id: 'order-17', content_type: 'application/json' },
    headers: { 'x-warren-attempt': 2, 'x-warren-attempts': [{ attempt: 1, time: 5, reason: 'nack', error: 'ünïcode “quotes”' }] },
    body: Buffer.from('{"n":1}'),
    persistent: true,
    publishedAt,
  };
  return { id: 's-1', due: publishedAt + 1_000, vhost: '/', kind: 'retry', queue: 'jobs', queueId: 'q-1', message, durable: true };
}

/** What a fresh encode of the same fields gives: a copy the codec has never seen. */
function fresh(message: Message): Buffer {
  return encodeMessage({ ...message, properties: { ...message.properties } });
}

describe('message codec', () => {
  it('gives a due retry, read back or not, the same bytes as a fresh encode, with its new time', () => {
    const record = scheduled(1_700_000_000_123);
    for (const waiting of [record, decodeScheduled(encodeScheduled(record))]) {
      const due = { ...waiting.message, publishedAt: 1_700_000_999_999 };
      const value = encodeMessage(due);
      expect(value.equals(fresh(due))).toBe(true);
      expect(decodeMessage(value)).toEqual({ ...due, body: Buffer.from(due.body) });
    }
  });

  it('encodes afresh a copy that changed more than its time, or whose time changed width', () => {
    const waiting = decodeScheduled(encodeScheduled(scheduled(1_700_000_000_123))).message;
    const copies: Message[] = [
      { ...waiting, publishedAt: 99 },
      { ...waiting, publishedAt: 1.5 },
      { ...waiting, headers: { ...waiting.headers, extra: true }, publishedAt: 1_700_000_000_124 },
      { ...waiting, routingKey: 'other', publishedAt: 1_700_000_000_124 },
      { ...waiting, body: Buffer.from('{"n":2}'), publishedAt: 1_700_000_000_124 },
    ];
    for (const copy of copies) {
      expect(encodeMessage(copy).equals(fresh(copy))).toBe(true);
      expect(decodeMessage(encodeMessage(copy))).toEqual({ ...copy, body: Buffer.from(copy.body) });
    }
  });

  it('writes exactly what JSON.stringify writes of the fields, then the body', () => {
    const text = fc.string({ unit: 'binary' });
    const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined), fc.constant(null), fc.array(fc.integer()));
    fc.assert(
      fc.property(
        fc.record({
          id: text,
          exchange: text,
          routingKey: text,
          properties: fc.dictionary(text, value),
          headers: fc.option(fc.dictionary(text, fc.jsonValue()), { nil: undefined }),
          persistent: fc.boolean(),
          publishedAt: fc.oneof(fc.integer(), fc.double()),
          body: fc.uint8Array({ maxLength: 16 }),
        }),
        (message) => {
          const { body, ...fields } = message;
          const json = Buffer.from(JSON.stringify(fields));
          const head = Buffer.alloc(4);
          head.writeUInt32BE(json.length, 0);
          expect(encodeMessage(message as Message).equals(Buffer.concat([head, json, body]))).toBe(true);
        },
      ),
    );
  });
});
