/**
 * Message TTL (AMQP expiration, RabbitMQ's x-message-ttl): a message expires at its publish
 * time plus the shorter of the queue's TTL and its own `expiration`. The queue checks only its
 * head, as RabbitMQ's classic queues do; these are the pure rules it asks.
 */
import type { QueueEntry } from '../message.js';
import type { Clock } from '../ports.js';
import type { QueueSettings } from './settings.js';

/** The common case, no TTL at all, must cost no clock read on the hot path. */
export function mayExpire(entry: QueueEntry, settings: QueueSettings): boolean {
  return settings.messageTtl !== undefined || entry.message.properties.expiration !== undefined;
}

export function expiryOf(entry: QueueEntry, settings: QueueSettings): number {
  const expiration = entry.message.properties.expiration;
  const ttl = Math.min(settings.messageTtl ?? Number.POSITIVE_INFINITY, expiration === undefined ? Number.POSITIVE_INFINITY : Number(expiration));
  return entry.message.publishedAt + ttl;
}

export function hasExpired(entry: QueueEntry, settings: QueueSettings, clock: Clock): boolean {
  return mayExpire(entry, settings) && expiryOf(entry, settings) <= clock.now();
}
