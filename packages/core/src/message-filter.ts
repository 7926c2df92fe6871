/**
 * A filter (protocol's MessageFilter / RedriveFilter) compiled once into a predicate over
 * messages, for browsing and redrive. Routing keys match as the topic exchange matches them
 * (the same trie), so `order.*` here means what it means in a binding. A bad JSON path fails
 * at compile time, before any message is looked at.
 */
import type { RedriveFilter } from '@warren/protocol';
import { canonicalJson } from './canonical.js';
import { deathsOf } from './dead-letter.js';
import { attemptsOf } from './queue/attempt-log.js';
import { TopicTrie } from './exchange/topic-trie.js';
import { parseJsonPath, valueAtPath } from './json-path.js';
import type { Message } from './message.js';

export type MessagePredicate = (message: Message) => boolean;

// A global of every runtime Warren runs on (WHATWG Encoding); core's lib has no DOM types, so
// this names the one part it uses.
declare const TextDecoder: new (label: 'utf-8') => { decode(bytes: Uint8Array): string };

const text = new TextDecoder('utf-8');

export function compileFilter(filter: RedriveFilter | undefined): MessagePredicate {
  if (filter === undefined) return () => true;
  const tests: MessagePredicate[] = [];
  if (filter.routing_key !== undefined) tests.push(routingKeyTest(filter.routing_key));
  if (filter.headers !== undefined) {
    const expected = Object.entries(filter.headers).map(([name, value]) => [name, canonicalJson(value)] as const);
    tests.push((m) => expected.every(([name, value]) => m.headers !== undefined && Object.hasOwn(m.headers, name) && canonicalJson(m.headers[name]) === value));
  }
  if (filter.body_contains !== undefined) {
    const needle = filter.body_contains;
    tests.push((m) => text.decode(m.body).includes(needle));
  }
  if (filter.json_path !== undefined) {
    const path = parseJsonPath(filter.json_path);
    const expected = canonicalJson(filter.equals);
    tests.push((m) => {
      const found = valueAtPath(parseJson(m.body), path);
      return found !== undefined && canonicalJson(found) === expected;
    });
  }
  if (filter.reason !== undefined) {
    const reason = filter.reason;
    tests.push((m) => deathsOf(m)[0]?.reason === reason);
  }
  if (filter.source_queue !== undefined) {
    const queue = filter.source_queue;
    tests.push((m) => deathsOf(m)[0]?.queue === queue);
  }
  if (filter.last_error !== undefined) {
    const error = filter.last_error;
    tests.push((m) => lastErrorOf(m) === error);
  }
  return (m) => tests.every((test) => test(m));
}

/** The error of the newest attempt-log entry; null when it gave none or nothing was logged. */
function lastErrorOf(message: Message): string | null {
  const error = attemptsOf(message).at(-1)?.error;
  return typeof error === 'string' ? error : null;
}

function routingKeyTest(pattern: string): MessagePredicate {
  const trie = new TopicTrie<true>();
  trie.add(pattern, true);
  const matched = new Set<true>();
  return (m) => {
    matched.clear();
    trie.match(m.routingKey, matched);
    return matched.size > 0;
  };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(text.decode(body));
  } catch {
    return undefined;
  }
}
