/**
 * Something on every page: a queue with a dead-letter + retry policy and messages, a topic
 * exchange bound to it, a dead-lettered message, a scheduled one, audit entries, a consumer.
 */
import { connect, type Client } from '@warren/client';
import type { TestBroker } from '../../support/broker.js';
import { http } from './ui-broker.js';

export async function populate(broker: TestBroker): Promise<Client> {
  const client = await connect(broker.url, { name: 'fixture' });
  await client.declareExchange('orders.x', 'topic');
  await client.declareExchange('orders.dlx', 'fanout');
  await client.declareQueue('orders');
  await client.declareQueue('orders.dlq');
  await client.declareQueue('audit-me');
  await client.bind('orders', 'orders.x', 'order.#');
  await client.bind('orders.dlq', 'orders.dlx', '');
  await http(broker, 'PUT', '/api/policies/%2F/orders-retry', {
    pattern: '^orders$',
    'apply-to': 'queues',
    definition: { 'dead-letter-exchange': 'orders.dlx', 'retry-max-attempts': 1 },
  });
  await client.publish('orders.x', 'order.created', { order: 1, total: 9.5 });
  await client.publish('orders.x', 'order.created', { order: 2, total: 12 }, { headers: { tenant: 'eu' } });
  await client.publish('', 'orders.dlq', 'plain text body', { headers: { 'x-death': [{ reason: 'rejected', queue: 'orders', count: 1 }] } });
  await client.publish('orders.x', 'order.later', { order: 3 }, { delay: 3_600_000 });
  await client.publish('', 'audit-me', 'x');
  await http(broker, 'DELETE', '/api/queues/%2F/audit-me/contents');
  await client.consume('audit-me', (m) => m.ack(), { prefetch: 10 });
  return client;
}

/** Every page of the UI, by the path that opens it. */
export const PAGES: [name: string, path: string][] = [
  ['overview', '/'],
  ['queues', '/queues'],
  ['queue', '/queues/%2F/orders'],
  ['failures', '/failures'],
  ['exchanges', '/exchanges'],
  ['exchange', '/exchanges/%2F/orders.x'],
  ['topology', '/topology'],
  ['connections', '/connections'],
  ['policies', '/policies'],
  ['scheduled', '/scheduled'],
  ['definitions', '/definitions'],
  ['nodes', '/nodes'],
  ['audit', '/audit'],
];
