import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicRouter } from './topic.js';

function route(router: TopicRouter<number>, key: string): number[] {
  const out = new Set<number>();
  router.route(key, undefined, out);
  return [...out].sort((a, b) => a - b);
}

/** Words as RabbitMQ splits them: '' has none, otherwise every '.' splits, empty words kept. */
function words(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/** The obvious word-by-word matcher: exponential, and trusted because it is short. */
function referenceMatch(pattern: readonly string[], key: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return key.length === 0;
  if (head === '#') return referenceMatch(rest, key) || (key.length > 0 && referenceMatch(pattern, key.slice(1)));
  if (key.length === 0) return false;
  return (head === '*' || head === key[0]) && referenceMatch(rest, key.slice(1));
}

// Each expectation follows RabbitMQ's rabbit_db_topic_exchange.erl: split_topic_key/1 gives ''
// zero words and keeps empty words elsewhere; trie_match/5 lets '#' take zero or more words.
const EDGE_CASES: [binding: string, routingKey: string, matches: boolean][] = [
  ['#', '', true],
  ['#', 'a', true],
  ['#', 'a.b', true],
  ['#', '.', true],
  ['#.#', '', true],
  ['#.#', 'a', true],
  ['#.#', 'a.b.c', true],
  ['a.#.b', 'a.b', true],
  ['a.#.b', 'a.x.b', true],
  ['a.#.b', 'a.x.y.b', true],
  ['a.#.b', 'a..b', true],
  ['a.#.b', 'a', false],
  ['a.#.b', 'b', false],
  ['a.#.b', 'a.b.c', false],
  ['*', 'a', true],
  ['*', '', false],
  ['*', '.', false],
  ['*', 'a.b', false],
  ['*.*', 'a.b', true],
  ['*.*', '.', true],
  ['*.*', 'a.', true],
  ['*.*', '.a', true],
  ['*.*', 'a', false],
  ['*.*', '', false],
  ['a.*.#', 'a.b', true],
  ['a.*.#', 'a.b.c.d', true],
  ['a.*.#', 'a.', true],
  ['a.*.#', 'a', false],
  ['', '', true],
  ['', 'a', false],
  ['', '.', false],
  ['a..b', 'a..b', true],
  ['a..b', 'a.b', false],
  ['a.*.b', 'a..b', true],
  ['.a', '.a', true],
  ['.a', 'a', false],
  ['*.a', '.a', true],
  ['#.a', '.a', true],
  ['#.a', 'a', true],
  ['a.', 'a.', true],
  ['a.', 'a', false],
  ['a.*', 'a.', true],
  ['a.#', 'a', true],
  ['a.#', 'a.', true],
  ['a#', 'a#', true],
  ['a#', 'ab', false],
  ['a*', 'ab', false],
  ['a', '*', false],
  ['*', '*', true],
  ['a.#', '#', false],
];

describe('TopicRouter edge cases (RabbitMQ behaviour)', () => {
  it.each(EDGE_CASES)('binding %j, routing key %j: %s', (binding, routingKey, matches) => {
    const router = new TopicRouter<number>();
    router.bind(binding, {}, 1);
    expect(route(router, routingKey)).toEqual(matches ? [1] : []);
    expect(referenceMatch(words(binding), words(routingKey))).toBe(matches);
  });
});

describe('TopicRouter against the reference matcher', () => {
  const word = fc.constantFrom('', 'a', 'b', '*', '#');
  const key = (maxLength: number) => fc.array(word, { maxLength }).map((w) => w.join('.'));
  const binding = fc.record({ key: key(5), destination: fc.integer({ min: 0, max: 3 }), kept: fc.boolean() });

  it('routes exactly where the reference says, after binds and unbinds', () => {
    expect.hasAssertions();
    fc.assert(
      fc.property(fc.array(binding, { maxLength: 12 }), fc.array(key(6), { minLength: 1, maxLength: 4 }), (bindings, keys) => {
        const router = new TopicRouter<number>();
        // Distinct arguments make every entry its own binding, so two may share key and destination.
        bindings.forEach((b, i) => router.bind(b.key, { i }, b.destination));
        bindings.forEach((b, i) => b.kept || router.unbind(b.key, { i }, b.destination));
        for (const routingKey of keys) {
          const expected = new Set(
            bindings.filter((b) => b.kept && referenceMatch(words(b.key), words(routingKey))).map((b) => b.destination),
          );
          expect(route(router, routingKey)).toEqual([...expected].sort((a, b) => a - b));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('TopicRouter bindings', () => {
  it('keeps one binding per triple, whatever the argument order', () => {
    const router = new TopicRouter<number>();
    expect(router.bind('a.*', { x: 1, y: 2 }, 1)).toBe(true);
    expect(router.bind('a.*', { y: 2, x: 1 }, 1)).toBe(false);
    expect(router.bind('a.*', {}, 1)).toBe(true);
    expect(router.size).toBe(2);
    expect(router.unbind('a.*', {}, 1)).toBe(true);
    expect(route(router, 'a.b')).toEqual([1]);
    expect(router.unbind('a.*', { x: 1, y: 2 }, 1)).toBe(true);
    expect(router.unbind('a.*', { x: 1, y: 2 }, 1)).toBe(false);
    expect(route(router, 'a.b')).toEqual([]);
  });

  it('unbindAll removes every binding of one destination and counts them', () => {
    const router = new TopicRouter<number>();
    router.bind('a.#', {}, 1);
    router.bind('*.b', {}, 1);
    router.bind('a.b', {}, 2);
    expect(router.unbindAll(1)).toBe(2);
    expect(router.size).toBe(1);
    expect(route(router, 'a.b')).toEqual([2]);
    expect([...router.bindings()]).toEqual([{ routingKey: 'a.b', arguments: {}, destination: 2 }]);
  });

  it('routes a destination once when several bindings match', () => {
    const router = new TopicRouter<number>();
    router.bind('#', {}, 1);
    router.bind('a.*', {}, 1);
    router.bind('a.b', {}, 1);
    expect(route(router, 'a.b')).toEqual([1]);
  });
});

describe('pathological patterns (issue 12, part 7)', () => {
  it('routes a 255-byte key against 10,000 bindings full of # in bounded work', () => {
    const router = new TopicRouter<number>();
    const patterns = ['#.#.#.#.a', '#.a.#.a.#', 'a.#.#.#', '*.#.*.#.*', '#.*.#.*.#.*.#'];
    for (let i = 0; i < 10_000; i++) {
      const base = patterns[i % patterns.length]!;
      router.bind(i < patterns.length ? base : `${base}.w${i}`, {}, i);
    }
    const key = Array.from({ length: 127 }, () => 'a').join('.'); // 253 bytes, 127 words
    expect(key.length).toBeLessThanOrEqual(255);
    const out = new Set<number>();
    router.route(key, undefined, out);
    expect([...out].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4]);
    // Without the memo on `#` nodes this grows exponentially with the words; with it, it is
    // bounded by trie nodes × (words + 1).
    expect(router.lastVisitCount).toBeLessThan(200_000);
  });
});
