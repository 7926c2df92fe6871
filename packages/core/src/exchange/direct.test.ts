import { describe, expect, it } from 'vitest';
import { DirectRouter } from './direct.js';

function route(router: DirectRouter<string>, key: string): string[] {
  const out = new Set<string>();
  router.route(key, undefined, out);
  return [...out].sort();
}

describe('DirectRouter', () => {
  it('routes only on an exactly equal routing key', () => {
    const router = new DirectRouter<string>();
    router.bind('orders', {}, 'q1');
    router.bind('orders', {}, 'q2');
    router.bind('', {}, 'q3');
    expect(route(router, 'orders')).toEqual(['q1', 'q2']);
    expect(route(router, 'order')).toEqual([]);
    expect(route(router, 'orders.eu')).toEqual([]);
    expect(route(router, '')).toEqual(['q3']);
  });

  it('treats a repeated binding as the same one, whatever the argument order', () => {
    const router = new DirectRouter<string>();
    expect(router.bind('k', { a: 1, b: 2 }, 'q')).toBe(true);
    expect(router.bind('k', { b: 2, a: 1 }, 'q')).toBe(false);
    expect(router.size).toBe(1);
    expect(router.unbind('k', { a: 1, b: 2 }, 'q')).toBe(true);
    expect(route(router, 'k')).toEqual([]);
  });

  it('keeps routing while another binding with other arguments joins the same pair', () => {
    const router = new DirectRouter<string>();
    router.bind('k', { v: 1 }, 'q');
    router.bind('k', { v: 2 }, 'q');
    expect(router.size).toBe(2);
    expect(route(router, 'k')).toEqual(['q']);
    router.unbind('k', { v: 1 }, 'q');
    expect(route(router, 'k')).toEqual(['q']);
    router.unbind('k', { v: 2 }, 'q');
    expect(route(router, 'k')).toEqual([]);
  });

  it('answers false when unbinding what was never bound', () => {
    const router = new DirectRouter<string>();
    router.bind('k', {}, 'q');
    expect(router.unbind('k', { v: 1 }, 'q')).toBe(false);
    expect(router.unbind('other', {}, 'q')).toBe(false);
    expect(router.unbind('k', {}, 'r')).toBe(false);
    expect(router.size).toBe(1);
  });

  it('unbindAll removes every binding of one destination and counts them', () => {
    const router = new DirectRouter<string>();
    router.bind('a', {}, 'q');
    router.bind('b', {}, 'q');
    router.bind('a', { v: 1 }, 'q');
    router.bind('a', {}, 'r');
    expect(router.unbindAll('q')).toBe(3);
    expect(router.unbindAll('q')).toBe(0);
    expect(route(router, 'a')).toEqual(['r']);
    expect(route(router, 'b')).toEqual([]);
    expect([...router.bindings()]).toEqual([{ routingKey: 'a', arguments: {}, destination: 'r' }]);
  });

  it('lists its bindings with their arguments', () => {
    const router = new DirectRouter<string>();
    router.bind('a', { v: 1 }, 'q');
    router.bind('b', {}, 'r');
    expect([...router.bindings()]).toEqual([
      { routingKey: 'a', arguments: { v: 1 }, destination: 'q' },
      { routingKey: 'b', arguments: {}, destination: 'r' },
    ]);
  });
});
