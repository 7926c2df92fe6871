import { WarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import { readDeliverHeader } from './deliver-frame.js';

const encoder = new TextEncoder();
/** Reads `text` placed inside a larger message, as decodeFrames hands headers over. */
function read(text: string) {
  const bytes = encoder.encode(text);
  const data = new Uint8Array(bytes.length + 10);
  data.set(bytes, 5);
  return readDeliverHeader(data, 5, 5 + bytes.length);
}
const BROKER_WRITES =
  '{"type":"deliver","consumer_tag":"amq.ctag-1","delivery_tag":42,"redelivered":true,"delivery_count":2,"exchange":"ex","routing_key":"k","properties":{"message_id":"m1","persistent":true},"headers":{"h":[1]}}';

describe('readDeliverHeader', () => {
  it('reads the tags at once and the rest, as JSON.parse gives it, when asked', () => {
    const frame = read(BROKER_WRITES);
    expect(frame).toBeDefined();
    expect([frame!.consumer_tag, frame!.delivery_tag]).toEqual(['amq.ctag-1', 42]);
    const whole = JSON.parse(BROKER_WRITES) as Record<string, unknown>;
    for (const key of ['type', 'exchange', 'routing_key', 'redelivered', 'delivery_count', 'properties', 'headers'] as const) {
      expect(frame![key], key).toEqual(whole[key]);
    }
  });

  it('leaves to JSON.parse a header not written the broker’s way', () => {
    for (const text of [
      '{"type":"deliver","delivery_tag":1,"consumer_tag":"c"}',
      '{"type":"deliver","consumer_tag":"c\\"d","delivery_tag":1,"exchange":""}',
      '{"type":"deliver","consumer_tag":"c","delivery_tag":01,"exchange":""}',
      '{"type":"deliver","consumer_tag":"c","delivery_tag":1.5,"exchange":""}',
      '{"type":"deliver","consumer_tag":"c","delivery_tag":1}',
      '{"type":"deliver","consumer_tag":"c","delivery_tag":1234567890123456,"exchange":""}',
      '{"type":"publish.ack","seq":1}',
    ]) {
      expect(read(text), text).toBeUndefined();
    }
  });

  it('reports frame_malformed where the metadata is read, for a header that is not JSON or names a tag twice', () => {
    const broken = read('{"type":"deliver","consumer_tag":"c","delivery_tag":1,"exchange":');
    expect(() => broken!.exchange).toThrow(WarrenError);
    const twice = read('{"type":"deliver","consumer_tag":"c","delivery_tag":1,"exchange":"","delivery_tag":2}');
    expect(() => twice!.routing_key).toThrow(/twice/);
  });
});
