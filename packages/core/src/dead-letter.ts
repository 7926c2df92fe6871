/**
 * Dead-lettering as RabbitMQ does it (rabbit_dead_letter): the message that leaves a queue is
 * republished to the queue's dead-letter exchange with its dead-letter routing key (or its own
 * routing keys), with the `x-death` history updated: one entry per (queue, reason), most recent
 * first, each with count, reason, queue, exchange, routing-keys and time; the first death is
 * also recorded in `x-first-death-*`, the latest in `x-last-death-*`. A per-message expiration is
 * removed and kept in the entry as `original-expiration`. Warren adds the reason
 * `retries_exhausted` (a retry policy's last attempt failed).
 */
import type { Message, Table } from './message.js';

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit' | 'retries_exhausted';

export interface DeathEntry {
  count: number;
  reason: DeathReason;
  queue: string;
  exchange: string;
  'routing-keys': string[];
  /** Seconds since the epoch (an AMQP timestamp). */
  time: number;
  'original-expiration'?: string;
}

export function deathsOf(message: Message): DeathEntry[] {
  const deaths = message.headers?.['x-death'];
  return Array.isArray(deaths) ? (deaths as DeathEntry[]) : [];
}

/** The message as it goes to the dead-letter exchange. */
export function deadLettered(
  message: Message,
  queue: string,
  reason: DeathReason,
  deadLetterExchange: string,
  deadLetterRoutingKey: string | undefined,
  now: number,
): Message {
  const previous = deathsOf(message);
  const existing = previous.find((d) => d.queue === queue && d.reason === reason);
  const { expiration, ...properties } = message.properties;
  const entry: DeathEntry = existing
    ? { ...existing, count: existing.count + 1, time: Math.floor(now / 1000) }
    : { count: 1, reason, queue, exchange: message.exchange, 'routing-keys': [message.routingKey], time: Math.floor(now / 1000) };
  if (expiration !== undefined) entry['original-expiration'] = expiration;
  const deaths = [entry, ...previous.filter((d) => d !== existing)];
  const headers: Table = { ...message.headers, 'x-death': deaths };
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queue;
    headers['x-first-death-exchange'] = message.exchange;
  }
  headers['x-last-death-reason'] = reason;
  headers['x-last-death-queue'] = queue;
  headers['x-last-death-exchange'] = message.exchange;
  return {
    ...message,
    exchange: deadLetterExchange,
    routingKey: deadLetterRoutingKey ?? message.routingKey,
    properties,
    headers,
    publishedAt: now,
  };
}

/**
 * RabbitMQ's cycle rule (rabbit_dead_letter:is_cycle): a dead-lettered message must not reach a
 * queue it already died in, unless a consumer rejected it somewhere on the way since then (a
 * rejection means someone handles it: a retry loop, not a cycle). Messages dead-lettered because
 * a consumer rejected them are never dropped as cycles.
 */
export function isCycle(message: Message, reason: DeathReason, targetQueue: string): boolean {
  if (reason === 'rejected' || reason === 'retries_exhausted') return false;
  const deaths = deathsOf(message);
  const index = deaths.findIndex((d) => d.queue === targetQueue);
  if (index < 0) return false;
  return deaths.slice(0, index + 1).every((d) => d.reason !== 'rejected' && d.reason !== 'retries_exhausted');
}
