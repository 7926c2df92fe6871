/**
 * The bindings a vhost's definitions list: from every exchange but the default one (which binds
 * each queue by its name implicitly), to exchanges and to queues that outlive their connection.
 * A definitions export and a cluster's metadata snapshot both list these.
 */
import { Exchange } from './exchange/exchange.js';
import type { BindingRecord } from './ports.js';
import type { VHost } from './vhost.js';

export function listedBindings(vhost: VHost): BindingRecord[] {
  return [...vhost.exchanges.values()]
    .filter((x) => x.name !== '')
    .flatMap((source) =>
      [...source.router.bindings()]
        .filter((b) => b.destination instanceof Exchange || !b.destination.record.exclusive)
        .map((b) => ({
          vhost: vhost.name,
          source: source.name,
          destination: b.destination.name,
          destinationType: b.destination instanceof Exchange ? ('exchange' as const) : ('queue' as const),
          routingKey: b.routingKey,
          arguments: b.arguments,
        })),
    );
}
