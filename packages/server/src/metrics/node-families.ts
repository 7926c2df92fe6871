/**
 * What one node holds now: queues and their messages (summed, or per queue on the per-object
 * endpoint), connections, consumers and publishers, resource limits and alarms, the store's
 * writes, scheduled messages, and the identity series dashboards join on
 * (rabbitmq_identity_info, rabbitmq_build_info).
 */
import type { Broker } from '@warren/core';
import type { AlarmStatus } from '../alarms/resource-alarms.js';
import { VERSION } from '../version.js';
import type { Families, Labels } from './families.js';
import type { QueueFigures, QueueSnapshot } from './queue-snapshot.js';

/** The parts of a connection the gauges count. */
export interface CountedSession {
  readonly consumers: { readonly size: number };
  readonly publisherBlock: { readonly isPublisher: boolean };
}

export interface NodeSources {
  broker: Broker;
  sessions: ReadonlySet<CountedSession>;
  alarms: { status(): AlarmStatus };
  nodeId: string;
  clusterName: string;
}

/** Per-queue gauges: on /metrics they are summed into one series each, as rabbitmq_prometheus does. */
export const QUEUE_GAUGES: ReadonlyArray<readonly [string, string, (q: QueueFigures) => number]> = [
  ['queue_messages_ready', 'Messages ready to be delivered to consumers', (q) => q.ready],
  ['queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', (q) => q.unacked],
  ['queue_messages', 'Messages ready or unacknowledged', (q) => q.ready + q.unacked],
  ['queue_messages_ram', 'Ready messages held in memory (the rest are paged out to the store)', (q) => q.ram],
  ['queue_messages_bytes', 'Body bytes of ready messages', (q) => q.bytes],
  ['queue_consumers', 'Consumers on queues', (q) => q.consumers],
];

/** The summed queue series of /metrics (per-queue-text.ts writes the per-queue ones). */
export function queueTotalFamilies(f: Families, snapshot: QueueSnapshot): void {
  for (const [name, help, figure] of QUEUE_GAUGES) f.gauge(name, help, () => figure(snapshot.totals));
  f.gauge('queues', 'Queues', () => snapshot.totals.queues);
}

export function nodeFamilies(f: Families, s: NodeSources): void {
  const { broker, sessions, alarms } = s;
  const prefix = f.prefix;
  const consumers = () => {
    let n = 0;
    for (const session of sessions) n += session.consumers.size;
    return n;
  };
  const publishers = () => {
    let n = 0;
    for (const session of sessions) if (session.publisherBlock.isPublisher) n++;
    return n;
  };
  f.gauge('connections', 'Open client connections', () => sessions.size);
  f.gauge('channels', 'Open channels (one per Warren connection)', () => sessions.size);
  f.gauge('consumers', 'Consumers', consumers);
  f.gauge('global_consumers', 'Consumers', () => [[{ protocol: 'warren' }, consumers()]], ['protocol']);
  f.gauge('global_publishers', 'Connections that have published', () => [[{ protocol: 'warren' }, publishers()]], ['protocol']);
  f.gauge('exchanges', 'Exchanges, the built-in ones included', () => sum(broker, (v) => v.exchanges.size));
  f.gauge('vhosts', 'Virtual hosts', () => broker.vhosts.size);

  f.gauge('resident_memory_limit_bytes', 'Memory above which publishers are blocked (memory high watermark)', () => alarms.status().mem_limit);
  f.gauge('disk_space_available_bytes', 'Free bytes on the data directory filesystem, as last measured', () => alarms.status().disk_free);
  f.gauge('disk_space_available_limit_bytes', 'Free disk below which publishers are blocked', () => alarms.status().disk_free_limit);
  f.gauge('alarms_memory_used_watermark', '1 while the memory alarm is raised', () => (alarms.status().mem_alarm ? 1 : 0));
  f.gauge('alarms_free_disk_space_watermark', '1 while the disk alarm is raised', () => (alarms.status().disk_free_alarm ? 1 : 0));

  f.counter('store_batches_total', 'Write batches the store applied', () => broker.store.stats().batches);
  f.counter('store_syncs_total', 'Write batches that waited for the disk (one fsync each)', () => broker.store.stats().syncs);
  f.counter('store_messages_written_total', 'Messages the store wrote', () => broker.store.stats().messagesWritten);
  f.gauge('scheduled_messages', 'Delayed publishes and retry back-offs waiting for their time', () => broker.scheduler.stats().pending);
  f.counter('scheduled_messages_fired_total', 'Delayed publishes and retries that came due', () => broker.scheduler.stats().fired);

  // rabbitmq_erlang_uptime_seconds is what RabbitMQ's dashboards read for a node's uptime.
  f.gauge(prefix === 'rabbitmq' ? 'erlang_uptime_seconds' : 'uptime_seconds', 'Seconds since the node started', () => process.uptime());
  const build: Labels =
    prefix === 'rabbitmq'
      ? { rabbitmq_version: VERSION, product_name: 'Warren', product_version: VERSION, erlang_version: process.version }
      : { version: VERSION, node_version: process.version };
  f.gauge('build_info', 'Version information', () => [[build, 1]], Object.keys(build));
}

/** `endpoint`: `aggregated` or `per-object`, as RabbitMQ labels its endpoints. */
export function identityFamily(f: Families, s: Pick<NodeSources, 'nodeId' | 'clusterName'>, endpoint: string): void {
  const p = f.prefix;
  const labels: Labels = { [`${p}_node`]: s.nodeId, [`${p}_cluster`]: s.clusterName, [`${p}_endpoint`]: endpoint };
  f.gauge('identity_info', 'Node and cluster identity', () => [[labels, 1]], Object.keys(labels));
}

function sum(broker: Broker, each: (vhost: Broker['vhosts'] extends Map<string, infer V> ? V : never) => number): number {
  let n = 0;
  for (const vhost of broker.vhosts.values()) n += each(vhost);
  return n;
}
