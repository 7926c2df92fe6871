/**
 * The headers routing rule (AMQP 0-9-1 §3.1.3.4), with RabbitMQ's extensions as in
 * rabbit_exchange_type_headers.erl (3.10+). The binding argument `x-match` picks the mode:
 * - 'all' (the default when absent) or 'any' of the other arguments must equal a message header;
 *   arguments starting with 'x-' are not compared;
 * - 'all-with-x' / 'any-with-x': the same, but 'x-' arguments are compared too.
 * `x-match` itself is never compared. With nothing to compare, 'all' matches every message
 * (even one without headers) and 'any' matches none, as RabbitMQ's fold starts from
 * all = true, any = false. The routing key is ignored. Like RabbitMQ, routing scans bindings;
 * it skips the bindings of a destination once the message is already routed there.
 *
 * A value matches when the header is present and equal as JSON. RabbitMQ's AMQP `void` value
 * ("present with any value") has no JSON counterpart, so null matches only null.
 */
import { WarrenError } from '@warren/protocol';
import type { Table } from '../message.js';
import { BindingSet } from './binding-key.js';
import type { Router, RouterBinding } from './router.js';

const X_MATCH_MODES = ['all', 'any', 'all-with-x', 'any-with-x'] as const;
type XMatch = (typeof X_MATCH_MODES)[number];

interface HeadersBinding<T> extends RouterBinding<T> {
  /** True for 'any' and 'any-with-x'. */
  readonly any: boolean;
  /** The arguments compared with message headers, worked out once at bind time. */
  readonly pattern: readonly (readonly [name: string, value: unknown])[];
}

export class HeadersRouter<T> implements Router<T> {
  private readonly all = new BindingSet<T, HeadersBinding<T>>();

  get size(): number {
    return this.all.size;
  }

  bind(routingKey: string, args: Table, destination: T): boolean {
    const mode = xMatch(args);
    const withX = mode === 'all-with-x' || mode === 'any-with-x';
    const pattern = Object.entries(args).filter(
      ([name, value]) => value !== undefined && name !== 'x-match' && (withX || !name.startsWith('x-')),
    );
    const any = mode === 'any' || mode === 'any-with-x';
    return this.all.add({ routingKey, arguments: args, destination, any, pattern });
  }

  unbind(routingKey: string, args: Table, destination: T): boolean {
    return this.all.remove(routingKey, args, destination) !== undefined;
  }

  unbindAll(destination: T): number {
    return this.all.removeDestination(destination).length;
  }

  route(_routingKey: string, headers: Table | undefined, out: Set<T>): void {
    for (const [destination, bindings] of this.all.byDestination) {
      if (out.has(destination)) continue;
      for (const binding of bindings.values()) {
        if (matches(binding, headers)) {
          out.add(destination);
          break;
        }
      }
    }
  }

  /** Plain bindings: what bind() precomputed stays inside. */
  *bindings(): Iterable<RouterBinding<T>> {
    for (const { routingKey, arguments: args, destination } of this.all.values()) {
      yield { routingKey, arguments: args, destination };
    }
  }
}

/** RabbitMQ rejects a binding whose x-match is not one of the four mode names. */
function xMatch(args: Table): XMatch {
  const value = args['x-match'];
  if (value === undefined) return 'all';
  const mode = X_MATCH_MODES.find((m) => m === value);
  if (mode === undefined) {
    throw new WarrenError(
      'invalid_argument',
      `binding argument x-match must be "all", "any", "all-with-x" or "any-with-x", not ${JSON.stringify(value)}`,
    );
  }
  return mode;
}

function matches(binding: HeadersBinding<unknown>, headers: Table | undefined): boolean {
  for (const [name, value] of binding.pattern) {
    const hit = headers !== undefined && Object.hasOwn(headers, name) && jsonEqual(headers[name], value);
    // 'any' stops at the first hit, 'all' at the first miss.
    if (hit === binding.any) return hit;
  }
  return !binding.any;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]))
  );
}
