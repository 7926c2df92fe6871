import { describe, expect, it } from 'vitest';
import { decodeDeliveryHeader, encodeDeliveryHeader, type DeliveryHeader } from './delivery-header.js';

describe('delivery header', () => {
  it('reads back what was written, headers or none, and never starts like JSON', () => {
    const plain: DeliveryHeader = { group: 'q:/:orders:7', consumer: 'V1St.n2', id: 'n1.abc', redelivered: false, deliveryCount: 1, exchange: '', routingKey: 'orders', properties: {} };
    const full: DeliveryHeader = { ...plain, redelivered: true, deliveryCount: 70_000, exchange: 'échange', properties: { content_type: 'text/plain', priority: 3 }, headers: { 'x-death': [{ count: 2 }], flag: true } };
    for (const header of [plain, full]) {
      const bytes = encodeDeliveryHeader(header);
      expect(bytes[0]).not.toBe('{'.charCodeAt(0));
      expect(decodeDeliveryHeader(bytes)).toStrictEqual(header);
    }
  });

  it('refuses bytes in another format or cut short', () => {
    const bytes = encodeDeliveryHeader({ group: 'g', consumer: 'c', id: 'm', redelivered: false, deliveryCount: 1, exchange: '', routingKey: 'k', properties: {} });
    expect(() => decodeDeliveryHeader(Uint8Array.from([9, ...bytes.subarray(1)]))).toThrow(/unknown format \(9\)/);
    expect(() => decodeDeliveryHeader(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
  });
});
