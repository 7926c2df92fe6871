/**
 * Vhosts as things of their own (RabbitMQ's `PUT /api/vhosts/{name}`): each created vhost is a
 * record in the store's 'vhost' space with its metadata, so an empty vhost survives a restart;
 * deleting one removes everything in it (its queues with their messages, exchanges, bindings,
 * policies) and the record. Closing the connections open on it is the server's job.
 */
import { WarrenError } from '@warren/protocol';
import type { Store } from './ports.js';
import type { VHost } from './vhost.js';

export interface VHostMetadata {
  description: string;
  tags: string[];
  /** RabbitMQ's `default_queue_type`: `classic` or `quorum` (Warren's replicated). */
  defaultQueueType: string;
}

export const DEFAULT_VHOST_METADATA: Readonly<VHostMetadata> = Object.freeze({ description: '', tags: [], defaultQueueType: 'classic' });

export function putVHostRecord(store: Store, vhost: VHost): void {
  store.putRecord('vhost', vhost.name, { ...vhost.metadata }, true);
}

/** The stored vhosts with their metadata, at boot. */
export async function loadVHostRecords(store: Store): Promise<{ name: string; metadata: VHostMetadata }[]> {
  const records = await store.readRecords('vhost', { limit: Number.MAX_SAFE_INTEGER });
  return records.map((r) => ({ name: r.id, metadata: { ...DEFAULT_VHOST_METADATA, ...(r.value as Partial<VHostMetadata>) } }));
}

/** Deletes everything the vhost holds and its record; returns how many messages went with its queues. */
export function emptyVHost(store: Store, vhost: VHost): number {
  let messages = 0;
  for (const queue of [...vhost.queues.values()]) {
    if (vhost.queues.has(queue.name)) messages += vhost.deleteQueue(queue.name, false, false, queue.record.owner ?? '');
  }
  for (const exchange of [...vhost.exchanges.values()]) {
    if (exchange.name !== '' && !exchange.name.startsWith('amq.') && vhost.exchanges.has(exchange.name)) vhost.deleteExchange(exchange.name, false);
  }
  for (const name of [...vhost.policies.keys()]) vhost.deletePolicy(name);
  store.deleteRecord('vhost', vhost.name);
  return messages;
}

export function checkVHostName(name: string): void {
  if (name === '' || name.length > 255) throw new WarrenError('invalid_argument', 'a vhost name is 1 to 255 characters');
}
