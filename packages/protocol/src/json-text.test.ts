import { describe, expect, it } from 'vitest';
import { flatObjectJson, jsonString, routeJson } from './json-text.js';

describe('jsonString', () => {
  it('writes what JSON.stringify writes, escapes included', () => {
    for (const text of ['', 'orders.eu', 'a"b', 'back\\slash', 'tab\there', '\u0001', 'é ü 漢', '😀', '\ud800 lone', 'x\udc00']) {
      expect(jsonString(text)).toBe(JSON.stringify(text));
    }
  });
});

describe('flatObjectJson', () => {
  it('writes what JSON.stringify writes, key order included', () => {
    const objects: object[] = [
      {},
      { persistent: false, message_id: 'V1StGXR8_Z5jdHi6B-myT' },
      { content_type: 'application/json', priority: 5, timestamp: 1_700_000_000_000, expiration: '60000', persistent: true },
      { 'odd "key"': 'v', nested: { a: [1, 2] }, list: ['x'], nothing: null, gone: undefined },
      { big: 1e21, negative: -0, fraction: 0.1, nan: Number.NaN, infinite: Number.POSITIVE_INFINITY },
    ];
    for (const object of objects) expect(flatObjectJson(object)).toBe(JSON.stringify(object));
  });
});

describe('routeJson', () => {
  it('writes the two fields as JSON.stringify does, for repeated and changing pairs', () => {
    const pairs = [['', 'q'], ['', 'q'], ['ex"1', 'k\\é\u0001'], ['ex"1', 'k\\é\u0001'], ['', 'q']] as const;
    for (const [exchange, routing_key] of pairs) {
      expect(`{${routeJson(exchange, routing_key)}}`).toBe(JSON.stringify({ exchange, routing_key }));
    }
  });
});
