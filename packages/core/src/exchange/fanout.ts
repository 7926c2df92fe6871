/**
 * The fanout routing rule (AMQP 0-9-1 §3.1.3.2): a message goes to every bound destination and
 * the routing key is ignored. The binding set already groups bindings by destination, so routing
 * walks destinations, not bindings.
 */
import type { Table } from '../message.js';
import { BindingSet } from './binding-key.js';
import type { Router, RouterBinding } from './router.js';

export class FanoutRouter<T> implements Router<T> {
  private readonly all = new BindingSet<T>();

  get size(): number {
    return this.all.size;
  }

  bind(routingKey: string, args: Table, destination: T): boolean {
    return this.all.add({ routingKey, arguments: args, destination });
  }

  unbind(routingKey: string, args: Table, destination: T): boolean {
    return this.all.remove(routingKey, args, destination) !== undefined;
  }

  unbindAll(destination: T): number {
    return this.all.removeDestination(destination).length;
  }

  route(_routingKey: string, _headers: Table | undefined, out: Set<T>): void {
    for (const destination of this.all.byDestination.keys()) out.add(destination);
  }

  bindings(): Iterable<RouterBinding<T>> {
    return this.all.values();
  }
}
