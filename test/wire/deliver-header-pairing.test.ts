/**
 * The broker writes deliver headers by hand (server's ws/deliver-header.ts) and the client reads
 * their tags straight from the bytes (client's deliver-frame.ts), each relying on the other's
 * layout. Here the broker's writer feeds the client's reader through both ways the broker frames
 * a delivery (batched by FrameWriter, and head and body apart for a large body): every delivery
 * must take the client's fast path and read back exactly as written, so changing one side
 * without the other fails here, not silently in production (a reader that falls back to
 * JSON.parse is correct but slow).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Consumer, Message, QueueEntry } from '@warren/core';
import { decodeFrames, encodeFrameHead, FrameWriter, type DeliverFrame } from '@warren/protocol/wire';
import { LazyDeliverFrame, ServerHeaders } from '@warren/client/internal';
import { deliverHeader } from '@warren/server/internal';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const properties = fc.record(
  { message_id: text, persistent: fc.boolean(), content_type: text, priority: fc.integer({ min: 0, max: 9 }), timestamp: fc.nat() },
  { requiredKeys: ['message_id'] },
);
const headers = fc.option(fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { nil: undefined });
/** Tags as the broker names them (amq.ctag-…) or as clients choose them, quotes and all. */
const consumerTag = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{0,40}$/), text);
const delivery = fc.record({
  consumerTag,
  tag: fc.oneof(fc.integer({ min: 1, max: 999_999_999_999_999 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  redelivered: fc.boolean(),
  count: fc.integer({ min: 1, max: 1_000_000 }),
  exchange: text,
  routingKey: text,
  properties,
  headers,
  body: fc.uint8Array({ maxLength: 64 }),
});
type Delivery = typeof delivery extends fc.Arbitrary<infer T> ? T : never;

function written(d: Delivery): { header: string; body: Uint8Array } {
  const message: Message = {
    id: d.properties.message_id,
    exchange: d.exchange,
    routingKey: d.routingKey,
    properties: d.properties,
    headers: d.headers as Message['headers'],
    body: d.body,
    persistent: d.properties.persistent === true,
    publishedAt: 0,
  };
  const entry: QueueEntry = { seq: 1, message, redelivered: d.redelivered, deliveryCount: d.count, stored: false };
  return { header: deliverHeader({ tag: d.consumerTag } as Consumer, entry, d.tag), body: d.body };
}

/**
 * The client's fast path reads a consumer tag that JSON writes as it is and a delivery tag of at
 * most 15 digits (a connection would take decades to count past that); anything else it leaves,
 * correctly, to JSON.parse.
 */
function readsFast(d: Delivery): boolean {
  return d.tag < 1e15 && JSON.stringify(d.consumerTag) === `"${d.consumerTag}"`;
}

function expectRead(frame: { header: unknown; body: Uint8Array }, d: Delivery): void {
  if (readsFast(d)) expect(frame.header).toBeInstanceOf(LazyDeliverFrame);
  const read = frame.header as DeliverFrame;
  expect([read.consumer_tag, read.delivery_tag]).toEqual([d.consumerTag, d.tag]);
  expect(read.redelivered).toBe(d.redelivered);
  expect(read.delivery_count).toBe(d.count);
  expect(read.exchange).toBe(d.exchange);
  expect(read.routing_key).toBe(d.routingKey);
  expect(read.properties).toEqual(d.properties);
  expect(read.headers).toEqual(d.headers === undefined ? undefined : JSON.parse(JSON.stringify(d.headers)));
  expect([...frame.body]).toEqual([...d.body]);
}

describe("the broker's deliver header writer and the client's reader", () => {
  it('agree on every delivery batched in one WebSocket message', () => {
    fc.assert(
      fc.property(fc.array(delivery, { minLength: 1, maxLength: 8 }), (deliveries) => {
        const writer = new FrameWriter();
        for (const d of deliveries) {
          const { header, body } = written(d);
          writer.add(header, body);
        }
        const frames = decodeFrames(writer.take(), new ServerHeaders());
        expect(frames).toHaveLength(deliveries.length);
        deliveries.forEach((d, i) => expectRead(frames[i]!, d));
      }),
    );
  });

  it('take the fast path for the tags the broker hands out', () => {
    const d: Delivery = {
      consumerTag: 'amq.ctag-V1StGXR8_Z5jdHi6B-myT',
      tag: 123_456_789,
      redelivered: true,
      count: 3,
      exchange: 'orders',
      routingKey: 'eu.created',
      properties: { message_id: 'm-1', persistent: true },
      headers: { tenant: 'acme' },
      body: new Uint8Array([1, 2, 3]),
    };
    const { header, body } = written(d);
    const [frame] = decodeFrames(new Uint8Array(Buffer.concat([encodeFrameHead(header, body.length), body])), new ServerHeaders());
    expect(frame!.header).toBeInstanceOf(LazyDeliverFrame);
    expectRead(frame!, d);
  });

  it('agree on a delivery sent as its head and its body apart (a large body)', () => {
    fc.assert(
      fc.property(delivery, (d) => {
        const { header, body } = written(d);
        const head = encodeFrameHead(header, body.length);
        const joined = new Uint8Array(head.length + body.length);
        joined.set(head);
        joined.set(body, head.length);
        const [frame] = decodeFrames(joined, new ServerHeaders());
        expectRead(frame!, d);
      }),
    );
  });
});
