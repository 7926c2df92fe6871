/**
 * The direct routing rule (AMQP 0-9-1 §3.1.3.1): a message goes to every binding whose key equals
 * its routing key. One map lookup per message, however many bindings the exchange has.
 */
import type { Table } from '../message.js';
import { BindingSet } from './binding-key.js';
import type { Router, RouterBinding } from './router.js';

export class DirectRouter<T> implements Router<T> {
  private readonly all = new BindingSet<T>();
  /** Routing key → destination → how many bindings (differing only in arguments) join them. */
  private readonly byKey = new Map<string, Map<T, number>>();

  get size(): number {
    return this.all.size;
  }

  bind(routingKey: string, args: Table, destination: T): boolean {
    if (!this.all.add({ routingKey, arguments: args, destination })) return false;
    let destinations = this.byKey.get(routingKey);
    if (destinations === undefined) {
      destinations = new Map();
      this.byKey.set(routingKey, destinations);
    }
    destinations.set(destination, (destinations.get(destination) ?? 0) + 1);
    return true;
  }

  unbind(routingKey: string, args: Table, destination: T): boolean {
    if (this.all.remove(routingKey, args, destination) === undefined) return false;
    this.forget(routingKey, destination);
    return true;
  }

  unbindAll(destination: T): number {
    const removed = this.all.removeDestination(destination);
    for (const binding of removed) this.forget(binding.routingKey, destination);
    return removed.length;
  }

  route(routingKey: string, _headers: Table | undefined, out: Set<T>): void {
    const destinations = this.byKey.get(routingKey);
    if (destinations === undefined) return;
    for (const destination of destinations.keys()) out.add(destination);
  }

  bindings(): Iterable<RouterBinding<T>> {
    return this.all.values();
  }

  private forget(routingKey: string, destination: T): void {
    const destinations = this.byKey.get(routingKey);
    const count = destinations?.get(destination);
    if (destinations === undefined || count === undefined) return;
    if (count > 1) destinations.set(destination, count - 1);
    else if (destinations.delete(destination) && destinations.size === 0) this.byKey.delete(routingKey);
  }
}
