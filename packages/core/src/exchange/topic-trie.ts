/**
 * The word trie behind the topic exchange: binding keys are stored word by word, and a routing
 * key walks only the branches its words can match, so routing cost follows the number of
 * matching paths, not the number of bindings. Binding identity (arguments, duplicates) is left
 * to topic.ts; this trie only counts how many bindings join a key to a destination.
 *
 * Words follow RabbitMQ exactly (rabbit_db_topic_exchange.erl, split_topic_key/1 and
 * split_topic_key_binary/1): the empty key has zero words, any other key is split on every '.',
 * keeping empty words. So '' is [], 'a..b' is ['a', '', 'b'], '.a' is ['', 'a'], 'a.' is
 * ['a', ''], and no key is a single empty word. Hence '*' never matches '' while '#' does.
 * Only a whole binding word '*' or '#' is a wildcard; 'a#' is a plain word. In a routing key
 * '*' and '#' are plain words; RabbitMQ also follows the wildcard edge of that name for them,
 * which only reaches what the '*' and '#' branches reach anyway, so this trie skips it.
 */

class TrieNode<T> {
  /** Children under plain words; '*' and '#' never appear here. */
  readonly words = new Map<string, TrieNode<T>>();
  star: TrieNode<T> | undefined;
  hash: TrieNode<T> | undefined;
  /** Destinations of bindings whose key ends here, each with its number of bindings. */
  readonly destinations = new Map<T, number>();
  /**
   * Memo for '#' nodes: the lowest word index this node was entered at during route number
   * `epoch`. Matching from a node depends only on (node, index), and entering a '#' at index i
   * covers every later index too, so a second entry only needs the indexes below `from`.
   */
  epoch = 0;
  from = 0;

  isEmpty(): boolean {
    return this.destinations.size === 0 && this.words.size === 0 && this.star === undefined && this.hash === undefined;
  }

  child(word: string): TrieNode<T> | undefined {
    if (word === '*') return this.star;
    if (word === '#') return this.hash;
    return this.words.get(word);
  }

  addChild(word: string): TrieNode<T> {
    const node = new TrieNode<T>();
    if (word === '*') this.star = node;
    else if (word === '#') this.hash = node;
    else this.words.set(word, node);
    return node;
  }

  removeChild(word: string): void {
    if (word === '*') this.star = undefined;
    else if (word === '#') this.hash = undefined;
    else this.words.delete(word);
  }
}

/** A topic key as words, per RabbitMQ's split_topic_key (see the file header). */
export function topicWords(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

export class TopicTrie<T> {
  private readonly root = new TrieNode<T>();
  private epoch = 0;
  /**
   * Trie nodes the last match() visited. Tests use it to show that routing never scans all
   * bindings; it costs one increment per visited node.
   */
  lastVisitCount = 0;

  /** Adds one binding of `bindingKey` to `destination` (call once per binding). */
  add(bindingKey: string, destination: T): void {
    let node = this.root;
    for (const word of topicWords(bindingKey)) node = node.child(word) ?? node.addChild(word);
    node.destinations.set(destination, (node.destinations.get(destination) ?? 0) + 1);
  }

  /** Removes one binding added by add(); nodes left empty are dropped, so unbinding leaks nothing. */
  remove(bindingKey: string, destination: T): void {
    this.removeBelow(this.root, topicWords(bindingKey), 0, destination);
  }

  /** Adds to `out` the destination of every binding whose key matches `routingKey`. */
  match(routingKey: string, out: Set<T>): void {
    this.epoch += 1;
    this.lastVisitCount = 0;
    this.visit(this.root, topicWords(routingKey), 0, out);
  }

  /**
   * Matches the words from index `at` on against the subtree of `node`. This is RabbitMQ's
   * trie_match/5: at the end of the key collect the node's bindings, otherwise follow the plain
   * word and '*' one word on; in both cases '#' may swallow any number of the remaining words.
   */
  private visit(node: TrieNode<T>, words: readonly string[], at: number, out: Set<T>): void {
    this.lastVisitCount += 1;
    const word = words[at];
    if (word === undefined) {
      for (const destination of node.destinations.keys()) out.add(destination);
    } else {
      const plain = node.words.get(word);
      if (plain !== undefined) this.visit(plain, words, at + 1, out);
      if (node.star !== undefined) this.visit(node.star, words, at + 1, out);
    }
    if (node.hash !== undefined) this.skip(node.hash, words, at, out);
  }

  /** '#' at index `at`: continue after swallowing 0, 1, … words, each (node, index) once per route. */
  private skip(hash: TrieNode<T>, words: readonly string[], at: number, out: Set<T>): void {
    const end = hash.epoch === this.epoch ? hash.from : words.length + 1;
    if (at >= end) return;
    hash.epoch = this.epoch;
    hash.from = at;
    for (let i = at; i < end; i++) this.visit(hash, words, i, out);
  }

  /** Returns whether a binding went; prunes each child it leaves empty on the way back up. */
  private removeBelow(node: TrieNode<T>, words: readonly string[], at: number, destination: T): boolean {
    const word = words[at];
    if (word === undefined) {
      const count = node.destinations.get(destination);
      if (count === undefined) return false;
      if (count > 1) node.destinations.set(destination, count - 1);
      else node.destinations.delete(destination);
      return true;
    }
    const child = node.child(word);
    if (child === undefined || !this.removeBelow(child, words, at + 1, destination)) return false;
    if (child.isEmpty()) node.removeChild(word);
    return true;
  }
}
