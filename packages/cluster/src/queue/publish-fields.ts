/**
 * The optional text fields of a publish in the queue log, shared by the `enqueue` (one publish)
 * and `enqueues` (a turn's publishes) formats: a flag byte says which are present, and they follow
 * in this order, each as a length-prefixed UTF-8 text (properties and headers as JSON).
 */
import type { EnqueueItem } from './queue-log.js';

type PublishFields = Pick<EnqueueItem, 'dedup' | 'exchange' | 'routingKey' | 'properties' | 'headers'>;

export const HAS_DEDUP = 1;
export const HAS_EXCHANGE = 2;
export const HAS_ROUTING_KEY = 4;
export const HAS_PROPERTIES = 8;
export const HAS_HEADERS = 16;

/** Appends the fields `item` has to `fields`, in order; returns their flags. */
export function pushPublishFields(item: PublishFields, fields: string[]): number {
  let flags = 0;
  if (item.dedup !== undefined) {
    flags |= HAS_DEDUP;
    fields.push(item.dedup);
  }
  if (item.exchange !== undefined) {
    flags |= HAS_EXCHANGE;
    fields.push(item.exchange);
  }
  if (item.routingKey !== undefined) {
    flags |= HAS_ROUTING_KEY;
    fields.push(item.routingKey);
  }
  if (item.properties !== undefined) {
    flags |= HAS_PROPERTIES;
    fields.push(JSON.stringify(item.properties));
  }
  if (item.headers !== undefined) {
    flags |= HAS_HEADERS;
    fields.push(JSON.stringify(item.headers));
  }
  return flags;
}

/** Reads the fields `flags` says are present onto `item`; absent ones stay absent (not undefined), as in what was encoded. */
export function readPublishFields(item: { -readonly [K in keyof PublishFields]: PublishFields[K] }, flags: number, text: () => string): void {
  if (flags & HAS_DEDUP) item.dedup = text();
  if (flags & HAS_EXCHANGE) item.exchange = text();
  if (flags & HAS_ROUTING_KEY) item.routingKey = text();
  if (flags & HAS_PROPERTIES) item.properties = JSON.parse(text()) as PublishFields['properties'];
  if (flags & HAS_HEADERS) item.headers = JSON.parse(text()) as PublishFields['headers'];
}
