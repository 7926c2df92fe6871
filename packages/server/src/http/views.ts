/**
 * Core objects as the management API shows them: RabbitMQ's field names (snake_case), typed by
 * protocol's http views so that the server, the cli and the admin UI agree.
 */
import { createHash } from 'node:crypto';
import type { BindingView, ExchangeView, PolicyDefinition, PolicyView, QueueView } from '@warren/protocol';
import { canonicalJson, Exchange, type PolicyRecord, type Queue, type VHost } from '@warren/core';
import { EXCHANGE_COUNTERS, messageStatsField, messageStatsView, QUEUE_COUNTERS } from './stats-views.js';
import { queueTypeOf } from '../cluster/replicated-queue.js';

function rounded(rate: number): number {
  return Math.round(rate * 100) / 100;
}

const idleTexts = new WeakMap<Queue, { at: number; text: string }>();

/** RabbitMQ's idle_since: when the queue last did anything, shown while it does nothing (its text kept: lists show thousands). */
export function idleSince(queue: Queue): string | undefined {
  const s = queue.messageStats;
  if (s.rate('publish') !== 0 || s.deliverGetRate !== 0 || s.rate('ack') !== 0) return undefined;
  const kept = idleTexts.get(queue);
  if (kept !== undefined && kept.at === s.lastActivity) return kept.text;
  const text = new Date(s.lastActivity).toISOString();
  idleTexts.set(queue, { at: s.lastActivity, text });
  return text;
}

export function queueView(queue: Queue, node: string): QueueView {
  const stats = queue.stats();
  const r = queue.record;
  const utilisation = stats.consumers > 0 ? queue.messageStats.utilisation : undefined;
  const idle = idleSince(queue);
  const depthRates = queue.messageStats.depthRates;
  const view: QueueView = {
    name: r.name,
    vhost: r.vhost,
    durable: r.durable,
    exclusive: r.exclusive,
    auto_delete: r.autoDelete,
    arguments: r.arguments,
    type: queueTypeOf(queue),
    policy: queue.policy?.name ?? null,
    effective_policy_definition: (queue.policy?.record.definition ?? {}) as PolicyDefinition,
    effective_settings: settingsView(queue.settings),
    messages: stats.ready + stats.unacked,
    messages_ready: stats.ready,
    messages_unacknowledged: stats.unacked,
    messages_ram: stats.ram,
    messages_paged_out: stats.ready - stats.ram,
    messages_details: { rate: rounded(depthRates.ready + depthRates.unacked) },
    messages_ready_details: { rate: rounded(depthRates.ready) },
    messages_unacknowledged_details: { rate: rounded(depthRates.unacked) },
    messages_ready_ram: stats.ram,
    message_bytes: stats.bytes,
    message_bytes_ready: stats.bytes,
    consumers: stats.consumers,
    consumer_capacity: utilisation ?? 0,
    consumer_utilisation: utilisation ?? null,
    exclusive_consumer_tag: queue.consumers.find((c) => c.options.exclusive)?.tag ?? null,
    single_active_consumer_tag: queue.singleActiveConsumer?.tag ?? null,
    node,
    state: 'running',
    operator_policy: null,
    message_stats: messageStatsView(queue.messageStats, QUEUE_COUNTERS),
  };
  if (idle !== undefined) view.idle_since = idle;
  return view;
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
    message_stats: messageStatsView(exchange.messageStats, EXCHANGE_COUNTERS),
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
    properties_key: propertiesKey(q.name, {}),
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
        properties_key: propertiesKey(b.routingKey, b.arguments),
      });
    }
  }
  return views;
}

/**
 * RabbitMQ's name for one binding between a source and a destination: the routing key ("~" when
 * empty), and with arguments "~" and a hash of them, so bindings that differ only in their
 * arguments have different names.
 */
export function propertiesKey(routingKey: string, args: Record<string, unknown>): string {
  if (Object.keys(args).length === 0) return routingKey === '' ? '~' : routingKey;
  const hash = createHash('sha256').update(canonicalJson(args)).digest('base64url').slice(0, 22);
  return `${routingKey}~${hash}`;
}

export function policyView(p: PolicyRecord): PolicyView {
  const definition = p.definition as PolicyDefinition;
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, priority: p.priority, definition };
}

const settingsViews = new WeakMap<object, Record<string, unknown>>();

/** A queue's settings object changes only when its policy does, so its view is kept with it. */
export function settingsView(settings: object): Record<string, unknown> {
  let view = settingsViews.get(settings);
  if (view === undefined) settingsViews.set(settings, (view = kebabKeys(settings)));
  return view;
}

/**
 * A reader of the queue field a list is sorted by, made once per request, that needs no view
 * (list-page.ts): the counts and rates lists are sorted by. Undefined for any other field.
 */
export function queueSortKey(path: readonly string[]): ((queue: Queue) => unknown) | undefined {
  const [key, ...rest] = path;
  if (rest.length === 0) {
    switch (key) {
      case 'vhost':
        return (q) => q.record.vhost;
      case 'messages':
        return (q) => {
          const stats = q.stats();
          return stats.ready + stats.unacked;
        };
      case 'messages_ready':
        return (q) => q.stats().ready;
      case 'messages_unacknowledged':
        return (q) => q.stats().unacked;
      case 'message_bytes':
      case 'message_bytes_ready':
        return (q) => q.stats().bytes;
      case 'consumers':
        return (q) => q.stats().consumers;
      case 'durable':
        return (q) => q.record.durable;
      case 'policy':
        return (q) => q.policy?.name ?? null;
    }
    return undefined;
  }
  if (key !== 'message_stats') return undefined;
  const field = messageStatsField(QUEUE_COUNTERS, rest);
  return field === undefined ? undefined : (q) => field(q.messageStats);
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
