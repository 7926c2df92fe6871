import { describe, expect, it } from 'vitest';
import type { Message } from './message.js';
import { compileFilter } from './message-filter.js';

function message(routingKey: string, body: string, headers?: Record<string, unknown>): Message {
  return { id: 'm', exchange: 'x', routingKey, properties: {}, headers, body: new TextEncoder().encode(body), persistent: true, publishedAt: 0 };
}

describe('compileFilter', () => {
  it('matches everything without a filter', () => {
    expect(compileFilter(undefined)(message('a', ''))).toBe(true);
    expect(compileFilter({})(message('a', ''))).toBe(true);
  });

  it('matches routing keys as the topic exchange does', () => {
    const eu = compileFilter({ routing_key: 'order.*.eu' });
    expect([eu(message('order.new.eu', '')), eu(message('order.eu', '')), eu(message('order.new.eu.x', ''))]).toEqual([true, false, false]);
    const all = compileFilter({ routing_key: '#' });
    expect(all(message('', ''))).toBe(true);
    const exact = compileFilter({ routing_key: 'a..b' });
    expect([exact(message('a..b', '')), exact(message('a.b', ''))]).toEqual([true, false]);
  });

  it('compares headers as JSON, key order aside, and needs every one', () => {
    const filter = compileFilter({ headers: { region: 'eu', meta: { a: 1, b: [1, 2] } } });
    expect(filter(message('k', '', { region: 'eu', meta: { b: [1, 2], a: 1 }, other: true }))).toBe(true);
    expect(filter(message('k', '', { region: 'eu' }))).toBe(false);
    expect(filter(message('k', ''))).toBe(false);
    expect(compileFilter({ headers: { gone: null } })(message('k', '', {}))).toBe(false);
  });

  it('finds text in the body and values at a JSON path; a body that is no JSON matches no path', () => {
    expect(compileFilter({ body_contains: 'déjà' })(message('k', 'il y a déjà vu'))).toBe(true);
    const path = compileFilter({ json_path: '$.a[1].b', equals: { c: 2 } });
    expect(path(message('k', '{"a":[0,{"b":{"c":2}}]}'))).toBe(true);
    expect(path(message('k', '{"a":[0,{"b":{"c":3}}]}'))).toBe(false);
    expect(path(message('k', 'not json'))).toBe(false);
    expect(compileFilter({ json_path: '$.n', equals: null })(message('k', '{"n":null}'))).toBe(true);
  });

  it('reads the reason and the queue of the newest x-death entry', () => {
    const deaths = [
      { reason: 'expired', queue: 'retry' },
      { reason: 'rejected', queue: 'orders' },
    ];
    const dead = message('k', '', { 'x-death': deaths });
    expect(compileFilter({ reason: 'expired', source_queue: 'retry' })(dead)).toBe(true);
    expect(compileFilter({ reason: 'rejected' })(dead)).toBe(false);
    expect(compileFilter({ source_queue: 'orders' })(dead)).toBe(false);
    expect(compileFilter({ reason: 'rejected' })(message('k', ''))).toBe(false);
  });

  it("compares last_error with the error of the newest attempt-log entry; null matches one without an error, or no log", () => {
    const attempt = (error: string | null) => ({ attempt: 1, time: 0, queue: 'orders', consumer_tag: null, connection: null, reason: 'nack', error });
    const timedOut = message('k', '', { 'x-warren-attempts': [attempt('bad json'), attempt('timeout')] });
    const silent = message('k', '', { 'x-warren-attempts': [attempt('timeout'), attempt(null)] });
    expect(compileFilter({ last_error: 'timeout' })(timedOut)).toBe(true);
    expect(compileFilter({ last_error: 'bad json' })(timedOut)).toBe(false);
    expect(compileFilter({ last_error: 'timeout' })(silent)).toBe(false);
    expect(compileFilter({ last_error: null })(silent)).toBe(true);
    expect(compileFilter({ last_error: null })(message('k', ''))).toBe(true);
    expect(compileFilter({ last_error: null })(timedOut)).toBe(false);
  });

  it('refuses a malformed JSON path when compiled', () => {
    expect(() => compileFilter({ json_path: '$.a.', equals: 1 })).toThrow(/json_path '\$\.a\.' at character 5/);
  });
});
