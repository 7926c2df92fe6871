/**
 * Core objects as the management API shows them: RabbitMQ's field names (snake_case), typed by
 * protocol's http views so that the server, the cli and the admin UI agree.
 */
import type { BindingView, ExchangeView, PolicyDefinition, PolicyView, QueueView } from '@warren/protocol';
import { Exchange, type PolicyRecord, type Queue, type VHost } from '@warren/core';

export function queueView(queue: Queue): QueueView {
  const stats = queue.stats();
  const r = queue.record;
  return {
    name: r.name,
    vhost: r.vhost,
    durable: r.durable,
    exclusive: r.exclusive,
    auto_delete: r.autoDelete,
    arguments: r.arguments,
    type: 'classic',
    policy: queue.policy?.name ?? null,
    effective_policy_definition: (queue.policy?.record.definition ?? {}) as PolicyDefinition,
    effective_settings: kebabKeys(queue.settings),
    messages: stats.ready + stats.unacked,
    messages_ready: stats.ready,
    messages_unacknowledged: stats.unacked,
    messages_ram: stats.ram,
    messages_paged_out: stats.ready - stats.ram,
    consumers: stats.consumers,
  };
}

export function exchangeView(exchange: Exchange): ExchangeView {
  const r = exchange.record;
  return {
    name: r.name,
    vhost: r.vhost,
    type: r.type,
    durable: r.durable,
    auto_delete: r.autoDelete,
    internal: r.internal,
    arguments: r.arguments,
    policy: exchange.policy?.name ?? null,
  };
}

/** A vhost's bindings, RabbitMQ's way: the default exchange's implicit one per queue first. */
export function bindingViews(vhost: VHost): BindingView[] {
  const views: BindingView[] = [...vhost.queues.values()].map((q) => ({
    source: '',
    vhost: vhost.name,
    destination: q.name,
    destination_type: 'queue',
    routing_key: q.name,
    arguments: {},
  }));
  for (const source of vhost.exchanges.values()) {
    for (const b of source.router.bindings()) {
      views.push({
        source: source.name,
        vhost: vhost.name,
        destination: b.destination.name,
        destination_type: b.destination instanceof Exchange ? 'exchange' : 'queue',
        routing_key: b.routingKey,
        arguments: b.arguments,
      });
    }
  }
  return views;
}

export function policyView(p: PolicyRecord): PolicyView {
  const definition = p.definition as PolicyDefinition;
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, priority: p.priority, definition };
}

/** `{ deadLetterExchange, retry: { maxAttempts } }` → `{ 'dead-letter-exchange', retry: { 'max-attempts' } }`: policy spelling. */
function kebabKeys(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = v !== null && typeof v === 'object' && !Array.isArray(v) ? kebabKeys(v) : v;
  }
  return out;
}
