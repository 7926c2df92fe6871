import { describe, expect, it } from 'vitest';
import { BindingSet, bindingId } from './binding-key.js';

describe('bindingId', () => {
  it('ignores argument key order at every depth', () => {
    expect(bindingId('k', { b: 1, a: { y: [1, { q: 1, p: 2 }], x: 'x' } })).toBe(
      bindingId('k', { a: { x: 'x', y: [1, { p: 2, q: 1 }] }, b: 1 }),
    );
  });

  it('keeps array order and value types apart', () => {
    expect(bindingId('k', { a: [1, 2] })).not.toBe(bindingId('k', { a: [2, 1] }));
    expect(bindingId('k', { a: 1 })).not.toBe(bindingId('k', { a: '1' }));
  });

  it('drops undefined arguments as JSON does', () => {
    expect(bindingId('k', { a: 1, b: undefined })).toBe(bindingId('k', { a: 1 }));
  });

  it('cannot confuse where the routing key ends and the arguments begin', () => {
    expect(bindingId('a{}', {})).not.toBe(bindingId('a', {}));
    expect(bindingId('', { a: 1 })).not.toBe(bindingId('{"a":1}', {}));
  });
});

describe('BindingSet', () => {
  it('keeps one binding per (routing key, arguments, destination)', () => {
    const set = new BindingSet<string>();
    expect(set.add({ routingKey: 'k', arguments: { a: 1, b: 2 }, destination: 'q' })).toBe(true);
    expect(set.add({ routingKey: 'k', arguments: { b: 2, a: 1 }, destination: 'q' })).toBe(false);
    expect(set.add({ routingKey: 'k', arguments: { a: 1 }, destination: 'q' })).toBe(true);
    expect(set.add({ routingKey: 'k', arguments: { a: 1 }, destination: 'r' })).toBe(true);
    expect(set.size).toBe(3);
    expect([...set.byDestination.keys()]).toEqual(['q', 'r']);
  });

  it('removes one binding, then a whole destination', () => {
    const set = new BindingSet<string>();
    set.add({ routingKey: 'k', arguments: {}, destination: 'q' });
    set.add({ routingKey: 'l', arguments: {}, destination: 'q' });
    set.add({ routingKey: 'k', arguments: {}, destination: 'r' });
    expect(set.remove('k', {}, 'q')?.routingKey).toBe('k');
    expect(set.remove('k', {}, 'q')).toBeUndefined();
    expect(set.removeDestination('q').map((b) => b.routingKey)).toEqual(['l']);
    expect(set.removeDestination('q')).toEqual([]);
    expect(set.size).toBe(1);
    expect([...set.values()]).toEqual([{ routingKey: 'k', arguments: {}, destination: 'r' }]);
  });
});
