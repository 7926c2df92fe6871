/**
 * The topic routing rule (AMQP 0-9-1 §3.1.3.3): binding keys are dot-separated words where '*'
 * matches exactly one word and '#' zero or more. The matching itself, and the word rules taken
 * from RabbitMQ, live in topic-trie.ts; this file keeps binding identity beside the trie.
 */
import type { Table } from '../message.js';
import { BindingSet } from './binding-key.js';
import type { Router, RouterBinding } from './router.js';
import { TopicTrie } from './topic-trie.js';

export class TopicRouter<T> implements Router<T> {
  private readonly all = new BindingSet<T>();
  private readonly trie = new TopicTrie<T>();

  get size(): number {
    return this.all.size;
  }

  /** Trie nodes the last route() visited; see TopicTrie.lastVisitCount. */
  get lastVisitCount(): number {
    return this.trie.lastVisitCount;
  }

  bind(routingKey: string, args: Table, destination: T): boolean {
    if (!this.all.add({ routingKey, arguments: args, destination })) return false;
    this.trie.add(routingKey, destination);
    return true;
  }

  unbind(routingKey: string, args: Table, destination: T): boolean {
    if (this.all.remove(routingKey, args, destination) === undefined) return false;
    this.trie.remove(routingKey, destination);
    return true;
  }

  unbindAll(destination: T): number {
    const removed = this.all.removeDestination(destination);
    for (const binding of removed) this.trie.remove(binding.routingKey, destination);
    return removed.length;
  }

  route(routingKey: string, _headers: Table | undefined, out: Set<T>): void {
    this.trie.match(routingKey, out);
  }

  bindings(): Iterable<RouterBinding<T>> {
    return this.all.values();
  }
}
