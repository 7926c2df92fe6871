import { describe, expect, it } from 'vitest';
import { parseJsonPath, valueAtPath } from './json-path.js';

describe('parseJsonPath', () => {
  it('reads member, quoted-member and index steps', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.order.customer.id')).toEqual(['order', 'customer', 'id']);
    expect(parseJsonPath("$.items[0]['odd key'][\"x\\\"y\"][12]")).toEqual(['items', 0, 'odd key', 'x"y', 12]);
    expect(parseJsonPath('$.a_b-c')).toEqual(['a_b-c']);
  });

  it('refuses what it cannot read, saying where', () => {
    const reason = (path: string) => {
      try {
        parseJsonPath(path);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(reason('order')).toBe("json_path 'order' at character 1: a path starts with '$'");
    expect(reason('$.')).toContain('at character 3: expected a member name');
    expect(reason('$.a[-1]')).toContain("at character 5: expected an array index");
    expect(reason('$.a[*]')).toContain('expected an array index');
    expect(reason('$.a b')).toContain("at character 4: expected '.', '[' or the end of the path");
    expect(reason("$['a\\n']")).toContain('only');
    expect(reason('$' + '.a'.repeat(33))).toContain('at most 32 steps');
    expect(reason('$.' + 'a'.repeat(300))).toContain('longer than 255');
  });
});

describe('valueAtPath', () => {
  it('walks own properties and array indexes only', () => {
    const doc = { a: { b: [10, { c: 'x' }] }, n: null };
    expect(valueAtPath(doc, ['a', 'b', 1, 'c'])).toBe('x');
    expect(valueAtPath(doc, ['n'])).toBeNull();
    expect(valueAtPath(doc, ['a', 'b', 5])).toBeUndefined();
    expect(valueAtPath(doc, ['a', 'b', 'length'])).toBeUndefined();
    expect(valueAtPath(doc, ['a', 'constructor'])).toBeUndefined();
    expect(valueAtPath(doc, ['__proto__'])).toBeUndefined();
    expect(valueAtPath('text', [0])).toBeUndefined();
  });
});
