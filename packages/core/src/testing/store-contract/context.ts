/** What the Store contract's parts share: the store under test, a restart, and record builders. */
import type { Message } from '../../message.js';
import type { BindingRecord, ExchangeRecord, QueueRecord, Store, Topology } from '../../ports.js';

export interface StoreContext {
  /** The store under test, opened; a restart replaces it. */
  readonly store: Store;
  /** Closes the store and opens a new one over the same data. */
  restart(): Promise<void>;
  /** Opens a new store over the same data, once the test has closed this one. */
  reopen(): Promise<void>;
  /** The seqs the store reads back for the queue, from `fromSeq`. */
  seqs(queueId: string, fromSeq?: number, limit?: number): Promise<number[]>;
  /** Puts one message per seq, each named `${queueId}/${seq}`. */
  put(queueId: string, seqList: number[], durable?: boolean): void;
}

export function written(store: Store): Promise<void> {
  return new Promise((resolve, reject) => store.commit().onSettled((error) => (error ? reject(error) : resolve())));
}

export function message(id: string): Message {
  return {
    id,
    exchange: 'x',
    routingKey: 'k',
    properties: { persistent: true },
    headers: { n: 1 },
    body: Uint8Array.from(id, (char) => char.charCodeAt(0)),
    persistent: true,
    publishedAt: 1_000,
  };
}

/** A message with its body as a plain array, so Buffer and Uint8Array bodies compare equal. */
export function plain(m: Message): object {
  return { ...m, body: Array.from(m.body) };
}

export function exchange(vhost: string, name: string, type: ExchangeRecord['type']): ExchangeRecord {
  return { vhost, name, type, durable: true, autoDelete: false, internal: false, arguments: {} };
}

export function queueRecord(id: string, durable = true): QueueRecord {
  return { id, vhost: '/', name: `name-${id}`, durable, exclusive: false, autoDelete: false, arguments: {} };
}

export function binding(source: string, destination: string, routingKey: string, args: Record<string, unknown>): BindingRecord {
  return { vhost: '/', source, destination, destinationType: 'queue', routingKey, arguments: args };
}

export function sortedTopology(topology: Topology): Topology {
  const sorted = <T>(items: T[]): T[] => [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    exchanges: sorted(topology.exchanges),
    queues: sorted(topology.queues),
    bindings: sorted(topology.bindings),
    policies: sorted(topology.policies),
  };
}

