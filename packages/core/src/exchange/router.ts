/**
 * One routing rule per exchange type (direct.ts, fanout.ts, topic.ts, headers.ts), behind this
 * one small interface. A Router knows bindings as (routing key, arguments, destination) and
 * nothing of queues, exchanges or storage; the destination type is the caller's.
 */
import type { Table } from '../message.js';

export interface RouterBinding<T> {
  readonly routingKey: string;
  readonly arguments: Table;
  readonly destination: T;
}

export interface Router<T> {
  /**
   * Adds a binding; returns false when an identical one (same key, same arguments, same
   * destination) exists already. Throws WarrenError `invalid_argument` for bad arguments.
   */
  bind(routingKey: string, args: Table, destination: T): boolean;
  /** Removes a binding; returns false when there was none. */
  unbind(routingKey: string, args: Table, destination: T): boolean;
  /** Removes every binding to `destination`; returns how many went. */
  unbindAll(destination: T): number;
  /** Adds every destination that the message matches to `out` (a set, so each appears once). */
  route(routingKey: string, headers: Table | undefined, out: Set<T>): void;
  /** Number of bindings. */
  readonly size: number;
  bindings(): Iterable<RouterBinding<T>>;
}
