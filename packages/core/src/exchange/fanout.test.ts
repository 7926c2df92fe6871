import { describe, expect, it } from 'vitest';
import { FanoutRouter } from './fanout.js';

function route(router: FanoutRouter<string>, key: string): string[] {
  const out = new Set<string>();
  router.route(key, undefined, out);
  return [...out].sort();
}

describe('FanoutRouter', () => {
  it('routes to every destination whatever the routing key', () => {
    const router = new FanoutRouter<string>();
    router.bind('x', {}, 'q1');
    router.bind('', {}, 'q2');
    expect(route(router, 'anything')).toEqual(['q1', 'q2']);
    expect(route(router, '')).toEqual(['q1', 'q2']);
  });

  it('routes nowhere without bindings', () => {
    expect(route(new FanoutRouter<string>(), 'k')).toEqual([]);
  });

  it('keeps one binding per triple and counts the rest apart', () => {
    const router = new FanoutRouter<string>();
    expect(router.bind('k', { a: 1, b: 2 }, 'q')).toBe(true);
    expect(router.bind('k', { b: 2, a: 1 }, 'q')).toBe(false);
    expect(router.bind('other', {}, 'q')).toBe(true);
    expect(router.size).toBe(2);
    expect(route(router, 'k')).toEqual(['q']);
  });

  it('stops routing to a destination when its last binding goes', () => {
    const router = new FanoutRouter<string>();
    router.bind('a', {}, 'q');
    router.bind('b', {}, 'q');
    router.bind('a', {}, 'r');
    expect(router.unbind('a', {}, 'q')).toBe(true);
    expect(router.unbind('a', {}, 'q')).toBe(false);
    expect(route(router, 'k')).toEqual(['q', 'r']);
    expect(router.unbind('b', {}, 'q')).toBe(true);
    expect(route(router, 'k')).toEqual(['r']);
  });

  it('unbindAll removes every binding of one destination and counts them', () => {
    const router = new FanoutRouter<string>();
    router.bind('a', {}, 'q');
    router.bind('b', {}, 'q');
    router.bind('a', {}, 'r');
    expect(router.unbindAll('q')).toBe(2);
    expect(router.size).toBe(1);
    expect(route(router, 'k')).toEqual(['r']);
    expect([...router.bindings()]).toEqual([{ routingKey: 'a', arguments: {}, destination: 'r' }]);
  });
});
