/**
 * Binding identity, shared by the four routers. AMQP 0-9-1 (queue.bind, exchange.bind) names a
 * binding by the triple (routing key, arguments, destination); binding the same triple twice
 * keeps one binding. Two argument tables with the same entries in another order are the same
 * arguments, so tables are compared through a canonical JSON text. Which messages a binding
 * matches is each router's business; this file only knows which bindings exist.
 */
import { canonicalJson } from '../canonical.js';
import type { Table } from '../message.js';
import type { RouterBinding } from './router.js';

/**
 * The (routing key, arguments) half of a binding's identity. A JSON string literal ends
 * unambiguously, so no routing key can run into the arguments that follow it.
 */
export function bindingId(routingKey: string, args: Table): string {
  return JSON.stringify(routingKey) + canonicalJson(args);
}

/**
 * The bindings of one exchange, grouped by destination so that unbindAll is one map lookup.
 * `B` lets a router keep what it precomputed for a binding (headers keeps its match list).
 */
export class BindingSet<T, B extends RouterBinding<T> = RouterBinding<T>> {
  private readonly byDest = new Map<T, Map<string, B>>();
  private count = 0;

  /** Destination → (binding id → binding); a destination is present only while it has a binding. */
  get byDestination(): ReadonlyMap<T, ReadonlyMap<string, B>> {
    return this.byDest;
  }

  get size(): number {
    return this.count;
  }

  /** Returns false when an identical binding exists already. */
  add(binding: B): boolean {
    const id = bindingId(binding.routingKey, binding.arguments);
    let bindings = this.byDest.get(binding.destination);
    if (bindings === undefined) {
      bindings = new Map();
      this.byDest.set(binding.destination, bindings);
    } else if (bindings.has(id)) {
      return false;
    }
    bindings.set(id, binding);
    this.count += 1;
    return true;
  }

  /** Returns the binding removed, or undefined when there was none. */
  remove(routingKey: string, args: Table, destination: T): B | undefined {
    const bindings = this.byDest.get(destination);
    if (bindings === undefined) return undefined;
    const id = bindingId(routingKey, args);
    const binding = bindings.get(id);
    if (binding === undefined) return undefined;
    bindings.delete(id);
    if (bindings.size === 0) this.byDest.delete(destination);
    this.count -= 1;
    return binding;
  }

  /** Removes and returns every binding to `destination`. */
  removeDestination(destination: T): B[] {
    const bindings = this.byDest.get(destination);
    if (bindings === undefined) return [];
    this.byDest.delete(destination);
    this.count -= bindings.size;
    return [...bindings.values()];
  }

  *values(): IterableIterator<B> {
    for (const bindings of this.byDest.values()) yield* bindings.values();
  }
}
