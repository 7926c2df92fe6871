import type { ExchangeType } from '@warren/protocol';
import { describe, expect, it } from 'vitest';
import { createRouter } from './create-router.js';

/** One binding ('a.*', {x-match: any, h: 1}) and three messages tell the four rules apart. */
function routed(type: ExchangeType): string[] {
  const router = createRouter<string>(type);
  router.bind('a.*', { 'x-match': 'any', h: 1 }, 'q');
  const hits: string[] = [];
  for (const [key, headers] of [['a.*', undefined], ['a.b', undefined], ['z', { h: 1 }]] as const) {
    const out = new Set<string>();
    router.route(key, headers, out);
    if (out.has('q')) hits.push(key);
  }
  return hits;
}

describe('createRouter', () => {
  it.each<[ExchangeType, string[]]>([
    ['direct', ['a.*']],
    ['fanout', ['a.*', 'a.b', 'z']],
    ['topic', ['a.*', 'a.b']],
    ['headers', ['z']],
  ])('gives a %s exchange its routing rule', (type, expected) => {
    expect(routed(type)).toEqual(expected);
  });
});
