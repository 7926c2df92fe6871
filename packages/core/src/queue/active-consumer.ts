/**
 * x-single-active-consumer (RabbitMQ's semantics): only one consumer of the queue gets messages,
 * the first attached; the others stay attached and idle until it goes (cancelled, its connection
 * closed or declared down), and then the next in attach order takes over. The active one is
 * always the first of the machine's consumers, kept in attach order, so it needs no state of its
 * own: a snapshot that restores the consumers in order (queue-image.ts) restores it too.
 */
import type { Consumer } from './consumer.js';
import type { QueueSettings } from './settings.js';

/** How many of the queue's consumers (first first) may get deliveries. */
export function servedCount(settings: QueueSettings, consumers: number): number {
  return settings.singleActiveConsumer === true ? Math.min(1, consumers) : consumers;
}

/** The consumer that gets the queue's messages under single active consumer; undefined when it is off or none is attached. */
export function activeConsumer(settings: QueueSettings, consumers: readonly Consumer[]): Consumer | undefined {
  return settings.singleActiveConsumer === true ? consumers[0] : undefined;
}

/**
 * Whether the next consumer takes over, and is dispatched to, at once when `leaving`, which was
 * at `index`, goes: only when it was the active one and holds nothing unsettled. Otherwise its
 * deliveries come back first (requeued, in order: the shell returns them) and their return
 * dispatches, so the next one gets them before anything newer.
 */
export function takesOverAtOnce(settings: QueueSettings, index: number, leaving: Consumer): boolean {
  return settings.singleActiveConsumer === true && index === 0 && leaving.unacked === 0;
}
