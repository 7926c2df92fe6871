/**
 * The worst case for a topic router (issue 12, part 7): 255-byte routing keys of 127 words
 * against 10,000 bindings full of `#` and `*`, such as `#.#.#.#.a`. A backtracking matcher
 * explores exponentially many ways to split such a key among the `#`s; a bounded one (Warren's
 * memoised trie walk) does work proportional to key words × trie nodes. Every key matches many
 * bindings, so each message lands in most of the 10 queues: the figure is deliveries/s.
 */
import type { FlowScenario } from '../scenario.js';

const BINDINGS = 10_000;
const KEYS = 64;
const WORDS = ['a', 'b', 'c', 'd'] as const;
const exchange = 'bench.topic.worst';
const queues = Array.from({ length: 10 }, (_, i) => `bench.topic.worst.${i}`);

/** A fixed sequence, so the orchestrator and every worker build the same keys and bindings. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state;
  };
}

/** Binding i: its base-6 digits over `#`, `*` and the four words, wrapped in `#` so it can match anywhere. */
function bindingPattern(i: number): string {
  const alphabet = ['#', '*', ...WORDS];
  const words: string[] = [];
  for (let n = i + 1; n > 0; n = Math.floor(n / alphabet.length)) words.push(alphabet[n % alphabet.length] as string);
  return ['#', ...words, '#', WORDS[i % WORDS.length]].join('.');
}

/** 125 one-letter words and two two-letter ones, joined by dots: 255 bytes, 127 words. */
function routingKey(next: () => number): string {
  const words = Array.from({ length: 127 }, (_, w) => {
    const word = WORDS[next() % WORDS.length] as string;
    return w < 2 ? word + word : word;
  });
  return words.join('.');
}

const next = lcg(0x5eed);
const keys = Array.from({ length: KEYS }, () => routingKey(next));

export const pathologicalTopic: FlowScenario = {
  kind: 'flow',
  name: 'topic-pathological',
  summary: '255-byte, 127-word routing keys against 10,000 topic bindings like `#.#.#.#.a` over 10 queues, transient, unbounded, 10 consumers with auto-ack',
  unit: 'deliveries/s',
  bodyBytes: 100,
  exchange,
  routingKeys: keys,
  persistent: false,
  pace: { kind: 'unbounded' },
  consume: { queues, noAck: true, prefetch: 0 },
  topology: {
    exchanges: [{ name: exchange, type: 'topic', durable: false }],
    queues: queues.map((name) => ({ name, durable: false })),
    bindings: Array.from({ length: BINDINGS }, (_, i) => ({ queue: queues[i % queues.length] as string, exchange, routingKey: bindingPattern(i) })),
  },
  ratioOf: 'msgs/s',
};
