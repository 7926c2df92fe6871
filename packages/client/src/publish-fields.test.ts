import { describe, expect, it } from 'vitest';
import { publishFieldsJson } from './publish-fields.js';

describe('publishFieldsJson', () => {
  it('writes what JSON.stringify writes, for repeated and changing routes', () => {
    const cases = [
      { exchange: '', routing_key: 'q', properties: { persistent: true } },
      { exchange: '', routing_key: 'q', properties: { persistent: false, content_type: 'text/plain' } },
      { exchange: 'ex"1', routing_key: 'k\\é\u0001', properties: { message_id: 'm', timestamp: 5, priority: 3, persistent: true } },
      { exchange: 'ex', routing_key: 'k', properties: { persistent: true }, mandatory: true, headers: { a: [1, { b: null }] }, delay: 250 },
    ];
    for (const { exchange, routing_key, ...rest } of cases) {
      expect(publishFieldsJson({ exchange, routingKey: routing_key, ...rest })).toBe(JSON.stringify({ exchange, routing_key, ...rest }));
    }
  });
});
