import { isWarrenError } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import type { Table } from '../message.js';
import { HeadersRouter } from './headers.js';

function routes(args: Table, headers: Table | undefined): boolean {
  const router = new HeadersRouter<string>();
  router.bind('', args, 'q');
  const out = new Set<string>();
  router.route('ignored', headers, out);
  return out.has('q');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('HeadersRouter matching', () => {
  it.each<[string, Table, Table | undefined, boolean]>([
    ['all (default): every argument present and equal', { a: 1, b: 'x' }, { a: 1, b: 'x', c: true }, true],
    ['all (default): one argument missing', { a: 1, b: 'x' }, { a: 1 }, false],
    ['all (default): one argument differs', { a: 1, b: 'x' }, { a: 1, b: 'y' }, false],
    ['all: no headers at all', { 'x-match': 'all', a: 1 }, undefined, false],
    ['all: values compare with their type', { a: 1 }, { a: '1' }, false],
    ['any: one argument suffices', { 'x-match': 'any', a: 1, b: 2 }, { b: 2 }, true],
    ['any: none present', { 'x-match': 'any', a: 1, b: 2 }, { c: 3 }, false],
    ['any: present with another value', { 'x-match': 'any', a: 1 }, { a: 2 }, false],
    ['all: x- arguments are not compared', { 'x-match': 'all', 'x-tag': 't', a: 1 }, { a: 1 }, true],
    ['any: x- arguments are not compared', { 'x-match': 'any', 'x-tag': 't' }, { 'x-tag': 't' }, false],
    ['all-with-x: x- arguments are compared', { 'x-match': 'all-with-x', 'x-tag': 't', a: 1 }, { a: 1 }, false],
    ['all-with-x: all present', { 'x-match': 'all-with-x', 'x-tag': 't', a: 1 }, { a: 1, 'x-tag': 't' }, true],
    ['any-with-x: an x- argument suffices', { 'x-match': 'any-with-x', 'x-tag': 't', a: 1 }, { 'x-tag': 't' }, true],
    ['all-with-x: x-match itself is never compared', { 'x-match': 'all-with-x', a: 1 }, { a: 1 }, true],
    ['all with nothing to compare: matches everything', {}, undefined, true],
    ['all with only x- arguments: matches everything', { 'x-tag': 't' }, {}, true],
    ['any with nothing to compare: matches nothing', { 'x-match': 'any' }, { a: 1 }, false],
    ['deep equality for arrays', { a: [1, [2, 'x']] }, { a: [1, [2, 'x']] }, true],
    ['arrays keep their order', { a: [1, 2] }, { a: [2, 1] }, false],
    ['deep equality for objects, key order aside', { a: { x: 1, y: [true] } }, { a: { y: [true], x: 1 } }, true],
    ['objects with an extra key differ', { a: { x: 1 } }, { a: { x: 1, y: 2 } }, false],
    ['null matches only null', { a: null }, { a: 0 }, false],
    ['null matches null', { a: null }, { a: null }, true],
  ])('%s', (_name, args, headers, expected) => {
    expect(routes(args, headers)).toBe(expected);
  });

  it('ignores the routing key', () => {
    const router = new HeadersRouter<string>();
    router.bind('only-this', { a: 1 }, 'q');
    const out = new Set<string>();
    router.route('something-else', { a: 1 }, out);
    expect([...out]).toEqual(['q']);
  });

  it('routes to a destination once, when several of its bindings match', () => {
    const router = new HeadersRouter<string>();
    router.bind('', { a: 1 }, 'q');
    router.bind('', { b: 1 }, 'q');
    router.bind('', { c: 1 }, 'r');
    const out = new Set<string>();
    router.route('', { a: 1, b: 1 }, out);
    expect([...out]).toEqual(['q']);
  });
});

describe('HeadersRouter bindings', () => {
  it.each<[unknown]>([['none'], [''], ['ALL'], [1], [true], [null]])('rejects x-match %j', (value) => {
    const router = new HeadersRouter<string>();
    const error = thrown(() => router.bind('', { 'x-match': value, a: 1 }, 'q'));
    expect(isWarrenError(error) && error.code).toBe('invalid_argument');
    expect(isWarrenError(error) && error.message).toContain('x-match');
    expect(router.size).toBe(0);
  });

  it('keeps one binding per triple, whatever the argument order', () => {
    const router = new HeadersRouter<string>();
    expect(router.bind('', { 'x-match': 'any', a: 1, b: 2 }, 'q')).toBe(true);
    expect(router.bind('', { b: 2, a: 1, 'x-match': 'any' }, 'q')).toBe(false);
    expect(router.bind('', { 'x-match': 'all', a: 1, b: 2 }, 'q')).toBe(true);
    expect(router.size).toBe(2);
  });

  it('stops routing once unbound', () => {
    const router = new HeadersRouter<string>();
    router.bind('', { a: 1 }, 'q');
    expect(router.unbind('', { a: 1 }, 'q')).toBe(true);
    expect(router.unbind('', { a: 1 }, 'q')).toBe(false);
    const out = new Set<string>();
    router.route('', { a: 1 }, out);
    expect(out.size).toBe(0);
  });

  it('unbindAll removes every binding of one destination and counts them', () => {
    const router = new HeadersRouter<string>();
    router.bind('', { a: 1 }, 'q');
    router.bind('', { b: 1 }, 'q');
    router.bind('', { a: 1 }, 'r');
    expect(router.unbindAll('q')).toBe(2);
    const out = new Set<string>();
    router.route('', { a: 1, b: 1 }, out);
    expect([...out]).toEqual(['r']);
    expect([...router.bindings()]).toEqual([{ routingKey: '', arguments: { a: 1 }, destination: 'r' }]);
  });
});
