import { describe, expect, it } from 'vitest';
import { TopicTrie, topicWords } from './topic-trie.js';

function match(trie: TopicTrie<number>, key: string): number[] {
  const out = new Set<number>();
  trie.match(key, out);
  return [...out].sort((a, b) => a - b);
}

describe('topicWords', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['a', ['a']],
    ['a.b', ['a', 'b']],
    ['a..b', ['a', '', 'b']],
    ['.a', ['', 'a']],
    ['a.', ['a', '']],
    ['.', ['', '']],
  ])('splits %j like RabbitMQ', (key, expected) => {
    expect(topicWords(key)).toEqual(expected);
  });
});

describe('TopicTrie cost', () => {
  it('visits a handful of nodes among 10,000 bindings', () => {
    const trie = new TopicTrie<number>();
    for (let i = 0; i < 10_000; i++) trie.add(`service.${i}.event.*`, i);
    trie.add('#.created', -1);
    expect(match(trie, 'service.4242.event.created')).toEqual([-1, 4242]);
    expect(trie.lastVisitCount).toBeLessThan(100);
    expect(match(trie, 'service.4242.log.created')).toEqual([-1]);
    expect(trie.lastVisitCount).toBeLessThan(100);
  });

  it("visits each ('#' node, word) pair once, however many '#' follow each other", () => {
    const trie = new TopicTrie<number>();
    trie.add('#.#.#.#.#.#.#.#', 1);
    trie.add('#.a.#.a.#.a.#.b', 2);
    const key = Array.from({ length: 40 }, () => 'a').join('.');
    expect(match(trie, key)).toEqual([1]);
    // 16 trie nodes times 41 word positions; without the memo this takes millions of visits.
    expect(trie.lastVisitCount).toBeLessThanOrEqual(16 * 41);
  });
});

describe('TopicTrie removal', () => {
  it('drops the nodes a removed binding leaves empty', () => {
    const trie = new TopicTrie<number>();
    trie.add('a.b.c', 1);
    trie.add('a.b', 2);
    match(trie, 'a.b.c');
    expect(trie.lastVisitCount).toBe(4);
    trie.remove('a.b.c', 1);
    expect(match(trie, 'a.b.c')).toEqual([]);
    expect(trie.lastVisitCount).toBe(3);
    trie.remove('a.b', 2);
    match(trie, 'a.b.c');
    expect(trie.lastVisitCount).toBe(1);
  });

  it("drops emptied '*' and '#' nodes too", () => {
    const trie = new TopicTrie<number>();
    trie.add('*.#', 1);
    trie.remove('*.#', 1);
    match(trie, 'a.b');
    expect(trie.lastVisitCount).toBe(1);
  });

  it('counts bindings that share a key and destination', () => {
    const trie = new TopicTrie<number>();
    trie.add('a', 1);
    trie.add('a', 1);
    trie.remove('a', 1);
    expect(match(trie, 'a')).toEqual([1]);
    trie.remove('a', 1);
    expect(match(trie, 'a')).toEqual([]);
  });

  it('ignores the removal of a binding it never had', () => {
    const trie = new TopicTrie<number>();
    trie.add('a.b', 1);
    trie.remove('a.c', 1);
    trie.remove('a.b', 2);
    trie.remove('a', 1);
    expect(match(trie, 'a.b')).toEqual([1]);
  });
});
