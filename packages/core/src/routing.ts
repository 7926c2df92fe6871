/**
 * Routing a message from an exchange to the set of queues it lands in, following
 * exchange-to-exchange bindings (each exchange visited once, so binding cycles end) and
 * alternate exchanges (RabbitMQ: used when the exchange itself routes to no destination).
 * The default exchange "" routes to the queue named by the routing key (AMQP 0-9-1 §3.1.3.1).
 * A RouteObserver, when given, is told each step as it is taken: route-trace.ts explains a
 * route with it, so the explanation is this walk and not a second one.
 */
import { Exchange, type Destination } from './exchange/exchange.js';
import type { Table } from './message.js';
import type { Queue } from './queue/queue.js';

export interface RoutingScope {
  exchange(name: string): Exchange | undefined;
  queue(name: string): Queue | undefined;
}

/** Told each step of a route; the publish path passes none. */
export interface RouteObserver {
  /** `from` sends the message to `to`, through a binding (or, for the default exchange, by the queue's name). */
  reached(from: Exchange, to: Destination): void;
  /** `from` routed the message nowhere and hands it to its alternate exchange, `to` (undefined when it does not exist). */
  alternate(from: Exchange, name: string, to: Exchange | undefined): void;
}

export class MessageRouter {
  private readonly visited = new Set<Exchange>();
  private readonly scratch: Set<Destination>[] = [];

  constructor(private readonly scope: RoutingScope) {}

  /** Fills `out` with the queues the message reaches from `exchange`. */
  route(exchange: Exchange, routingKey: string, headers: Table | undefined, out: Set<Queue>, observer?: RouteObserver): void {
    this.visited.clear();
    this.routeFrom(exchange, routingKey, headers, out, 0, observer);
  }

  private routeFrom(
    exchange: Exchange,
    routingKey: string,
    headers: Table | undefined,
    out: Set<Queue>,
    depth: number,
    observer: RouteObserver | undefined,
  ): void {
    if (this.visited.has(exchange)) return;
    this.visited.add(exchange);
    if (exchange.name === '') {
      const queue = this.scope.queue(routingKey);
      if (queue !== undefined) {
        observer?.reached(exchange, queue);
        out.add(queue);
      }
      return;
    }
    const destinations = this.scratch[depth] ?? (this.scratch[depth] = new Set());
    destinations.clear();
    exchange.router.route(routingKey, headers, destinations);
    const before = out.size;
    for (const destination of destinations) {
      observer?.reached(exchange, destination);
      if (destination instanceof Exchange) this.routeFrom(destination, routingKey, headers, out, depth + 1, observer);
      else out.add(destination);
    }
    destinations.clear();
    if (out.size === before && exchange.alternateExchange !== undefined) {
      const alternate = this.scope.exchange(exchange.alternateExchange);
      observer?.alternate(exchange, exchange.alternateExchange, alternate);
      if (alternate !== undefined) this.routeFrom(alternate, routingKey, headers, out, depth + 1, observer);
    }
  }
}
