/**
 * A routing dry run (`POST /api/exchanges/{vhost}/{name}/route`): the queues a message would
 * reach from an exchange and the path to each, without publishing it. The walk is routing.ts's
 * own, watched through its RouteObserver; this file only records the steps, and names for each
 * the binding that matched by asking the exchange type's router about that one binding.
 */
import type { AlternateUse, RouteHop, RouteResult } from '@warren/protocol';
import { createRouter } from './exchange/create-router.js';
import type { Destination, Exchange } from './exchange/exchange.js';
import type { Table } from './message.js';
import type { Queue } from './queue/queue.js';
import { MessageRouter, type RouteObserver, type RoutingScope } from './routing.js';

export function traceRoute(scope: RoutingScope & { name: string }, exchange: Exchange, routingKey: string, headers: Table | undefined): RouteResult {
  const trace = new RouteTrace(exchange, routingKey, headers);
  const queues = new Set<Queue>();
  new MessageRouter(scope).route(exchange, routingKey, headers, queues, trace);
  const result: RouteResult = {
    routed: queues.size > 0,
    // Routing order follows the exchanges' internals; names give a stable answer.
    queues: [...queues]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((queue) => ({ vhost: scope.name, name: queue.name, path: trace.pathTo(queue) })),
  };
  if (trace.alternates.length > 0) result.alternate = trace.alternates;
  return result;
}

class RouteTrace implements RouteObserver {
  /** Destination → the hops that first led there; the walk visits each exchange once, so the first is the one it followed. */
  private readonly paths = new Map<Destination, RouteHop[]>();
  readonly alternates: AlternateUse[] = [];

  constructor(
    start: Exchange,
    private readonly routingKey: string,
    private readonly headers: Table | undefined,
  ) {
    this.paths.set(start, []);
  }

  reached(from: Exchange, to: Destination): void {
    if (!this.paths.has(to)) this.paths.set(to, [...this.pathTo(from), this.bindingHop(from, to)]);
  }

  alternate(from: Exchange, name: string, to: Exchange | undefined): void {
    this.alternates.push({ exchange: from.name, alternate_exchange: name, exists: to !== undefined });
    if (to !== undefined && !this.paths.has(to)) this.paths.set(to, [...this.pathTo(from), { exchange: from.name, alternate_exchange: name }]);
  }

  pathTo(destination: Destination): RouteHop[] {
    return this.paths.get(destination) ?? [];
  }

  /** The first of `from`'s bindings to `to` that matches the message (the default exchange's is implicit). */
  private bindingHop(from: Exchange, to: Destination): RouteHop {
    if (from.name === '') return { exchange: '', binding_key: this.routingKey };
    const headers = from.record.type === 'headers';
    for (const binding of from.router.bindings()) {
      if (binding.destination !== to || !this.matches(from, binding.routingKey, binding.arguments)) continue;
      const hop: RouteHop = { exchange: from.name };
      if (!headers) hop.binding_key = binding.routingKey;
      if (headers || Object.keys(binding.arguments).length > 0) hop.arguments = binding.arguments;
      return hop;
    }
    return { exchange: from.name };
  }

  /** The exchange type's own rule, applied to one binding. */
  private matches(from: Exchange, bindingKey: string, args: Table): boolean {
    const router = createRouter<true>(from.record.type);
    router.bind(bindingKey, args, true);
    const out = new Set<true>();
    router.route(this.routingKey, this.headers, out);
    return out.size > 0;
  }
}
