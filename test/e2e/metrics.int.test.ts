/**
 * /metrics and /metrics/per-object through real traffic: every counter moves with what the
 * broker really did (publishes, routing, confirms, deliveries, acks, dead-lettering, queues,
 * connections), and the rabbitmq prefix serves every series RabbitMQ's Overview dashboard reads.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import type { TestBroker } from '../support/broker.js';
import { startBroker } from '../support/broker.js';
import { brokerWithClient, stopBoth } from '../support/fixture.js';
import { take } from '../support/messages.js';
import { scrape, total } from '../support/prometheus.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => ({ broker, client } = await brokerWithClient()));
afterAll(() => stopBoth(client, broker));

describe('/metrics (aggregated)', () => {
  it('counts publishes, routing, confirms, deliveries, acks and dead letters as they happen', async () => {
    const before = await scrape(broker.httpUrl);
    const at = (name: string, labels?: Record<string, string>) => total(before, name, labels);
    await client.declareExchange('m.dlx', 'fanout');
    await client.declareQueue('m.dead');
    await client.bind('m.dead', 'm.dlx', '');
    await client.declareQueue('m.work', { arguments: { 'x-dead-letter-exchange': 'm.dlx' } });
    for (const text of ['a', 'b', 'c']) await client.publish('', 'm.work', text);
    await client.publish('', 'nowhere', 'dropped');
    await expect(client.publish('', 'nowhere', 'returned', { mandatory: true })).rejects.toThrow();
    const [a, b, c] = await take(client, 'm.work', 3);
    a!.ack();
    b!.ack();
    c!.reject({ requeue: false });
    const [dead] = await take(client, 'm.dead', 1, { noAck: true });
    expect(dead!.text()).toBe('c');

    const after = await scrape(broker.httpUrl);
    const delta = (name: string, labels?: Record<string, string>) => total(after, name, labels) - at(name, labels);
    expect(delta('warren_global_messages_received_total')).toBe(5);
    expect(delta('warren_global_messages_received_confirm_total')).toBe(5);
    expect(delta('warren_global_messages_routed_total')).toBe(3);
    expect(delta('warren_global_messages_unroutable_dropped_total')).toBe(1);
    expect(delta('warren_global_messages_unroutable_returned_total')).toBe(1);
    expect(delta('warren_global_messages_confirmed_total')).toBe(5);
    expect(delta('warren_global_messages_delivered_consume_manual_ack_total')).toBe(3);
    expect(delta('warren_global_messages_delivered_consume_auto_ack_total')).toBe(1);
    expect(delta('warren_global_messages_delivered_total')).toBe(4);
    expect(delta('warren_global_messages_acknowledged_total')).toBe(2);
    expect(delta('warren_global_messages_dead_lettered_rejected_total', { dead_letter_strategy: 'at_most_once' })).toBe(1);
    expect(delta('warren_global_messages_dead_lettered_rejected_total', { dead_letter_strategy: 'disabled' })).toBe(0);
    expect(delta('warren_queues_created_total')).toBe(2);
    expect(delta('warren_message_size_bytes_count')).toBe(5);
    expect(delta('warren_message_size_bytes_bucket', { le: '100' })).toBe(5);
  });

  it('sums queue depths into one series, and counts connections, consumers and publishers', async () => {
    await client.declareQueue('m.depth');
    for (let i = 0; i < 4; i++) await client.publish('', 'm.depth', `x${i}`);
    const other = await connect(broker.url);
    const held: unknown[] = [];
    let gotTwo!: () => void;
    const two = new Promise<void>((resolve) => (gotTwo = resolve));
    const consumer = await other.consume(
      'm.depth',
      (m) => {
        if (held.push(m) === 2) gotTwo();
      },
      { prefetch: 2 },
    );
    await two;
    const all = await scrape(broker.httpUrl);
    const depth = all.filter((s) => s.name === 'warren_queue_messages_ready');
    expect(depth).toHaveLength(1);
    expect(depth[0]!.labels).toEqual({});
    expect(total(all, 'warren_queue_messages_unacked')).toBe(2);
    expect(total(all, 'warren_queue_messages_ready')).toBeGreaterThanOrEqual(2);
    expect(total(all, 'warren_connections')).toBe(2);
    expect(total(all, 'warren_consumers')).toBe(1);
    expect(total(all, 'warren_global_publishers')).toBe(1);
    expect(total(all, 'warren_identity_info', { warren_endpoint: 'aggregated', warren_cluster: 'warren' })).toBe(1);
    expect(total(all, 'warren_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(total(all, 'warren_store_batches_total')).toBeGreaterThan(0);
    await consumer.cancel();
    await other.close();
    // The client's close resolves on its side of the close handshake; the broker's may come a moment later.
    await expect.poll(async () => total(await scrape(broker.httpUrl), 'warren_connections')).toBe(1);
  });
});

describe('/metrics/per-object', () => {
  it('gives one series per queue, labelled by vhost and queue', async () => {
    await client.declareQueue('m.per-a');
    await client.declareQueue('m.per-b');
    await client.publish('', 'm.per-b', 'one');
    await client.publish('', 'm.per-b', 'two');
    const all = await scrape(broker.httpUrl, '/metrics/per-object');
    expect(total(all, 'warren_queue_messages_ready', { vhost: '/', queue: 'm.per-a' })).toBe(0);
    expect(total(all, 'warren_queue_messages_ready', { vhost: '/', queue: 'm.per-b' })).toBe(2);
    expect(total(all, 'warren_queue_messages', { vhost: '/', queue: 'm.per-b' })).toBe(2);
    expect(total(all, 'warren_identity_info', { warren_endpoint: 'per-object' })).toBe(1);
    await client.deleteQueue('m.per-a');
    const later = await scrape(broker.httpUrl, '/metrics/per-object');
    expect(later.some((s) => s.labels.queue === 'm.per-a')).toBe(false);
  });
});

/** Every series the stock "RabbitMQ-Overview" Grafana dashboard (grafana.com 10991) queries. */
const OVERVIEW_DASHBOARD_SERIES = [
  'rabbitmq_build_info',
  'rabbitmq_channels',
  'rabbitmq_channels_closed_total',
  'rabbitmq_channels_opened_total',
  'rabbitmq_connections',
  'rabbitmq_connections_closed_total',
  'rabbitmq_connections_opened_total',
  'rabbitmq_disk_space_available_bytes',
  'rabbitmq_disk_space_available_limit_bytes',
  'rabbitmq_erlang_uptime_seconds',
  'rabbitmq_global_consumers',
  'rabbitmq_global_messages_acknowledged_total',
  'rabbitmq_global_messages_confirmed_total',
  'rabbitmq_global_messages_delivered_consume_auto_ack_total',
  'rabbitmq_global_messages_delivered_consume_manual_ack_total',
  'rabbitmq_global_messages_delivered_get_auto_ack_total',
  'rabbitmq_global_messages_delivered_get_manual_ack_total',
  'rabbitmq_global_messages_delivered_total',
  'rabbitmq_global_messages_get_empty_total',
  'rabbitmq_global_messages_received_confirm_total',
  'rabbitmq_global_messages_received_total',
  'rabbitmq_global_messages_redelivered_total',
  'rabbitmq_global_messages_routed_total',
  'rabbitmq_global_messages_unroutable_dropped_total',
  'rabbitmq_global_messages_unroutable_returned_total',
  'rabbitmq_global_publishers',
  'rabbitmq_identity_info',
  'rabbitmq_message_size_bytes_bucket',
  'rabbitmq_message_size_bytes_count',
  'rabbitmq_message_size_bytes_sum',
  'rabbitmq_process_max_fds',
  'rabbitmq_process_open_fds',
  'rabbitmq_process_resident_memory_bytes',
  'rabbitmq_queue_messages_ready',
  'rabbitmq_queue_messages_unacked',
  'rabbitmq_queues',
  'rabbitmq_queues_created_total',
  'rabbitmq_queues_declared_total',
  'rabbitmq_queues_deleted_total',
  'rabbitmq_resident_memory_limit_bytes',
];

describe('metricsPrefix rabbitmq', () => {
  it('serves every series the RabbitMQ-Overview dashboard queries, with the labels it joins on', async () => {
    const rabbit = await startBroker({ metricsPrefix: 'rabbitmq', clusterName: 'prod', nodeId: 'warren@node-0' });
    try {
      const all = await scrape(rabbit.httpUrl);
      const names = new Set(all.map((s) => s.name));
      expect(OVERVIEW_DASHBOARD_SERIES.filter((name) => !names.has(name))).toEqual([]);
      expect([...names].filter((name) => name.startsWith('warren_'))).toEqual([]);
      expect(all.find((s) => s.name === 'rabbitmq_identity_info')!.labels).toEqual({
        rabbitmq_node: 'warren@node-0',
        rabbitmq_cluster: 'prod',
        rabbitmq_endpoint: 'aggregated',
      });
      expect(Object.keys(all.find((s) => s.name === 'rabbitmq_build_info')!.labels)).toEqual(
        expect.arrayContaining(['rabbitmq_version', 'erlang_version']),
      );
      const buckets = all.filter((s) => s.name === 'rabbitmq_message_size_bytes_bucket').map((s) => s.labels.le);
      expect(buckets).toEqual(['100', '1000', '10000', '100000', '1000000', '10000000', '50000000', '100000000', '+Inf']);
    } finally {
      await rabbit.dispose();
    }
  });
});

describe('the compose demo\'s Grafana dashboard (docker/grafana/dashboards/warren.json)', () => {
  it('queries only series the broker serves', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../docker/grafana/dashboards/warren.json', import.meta.url), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    const queried = new Set(exprs.flatMap((e) => e.match(/\bwarren_[a-z_]+/g) ?? []));
    // A regex selector (warren_global_messages_dead_lettered_.*_total) names a prefix, not a series.
    const served = [...(await scrape(broker.httpUrl)), ...(await scrape(broker.httpUrl, '/metrics/per-object'))].map((s) => s.name);
    const missing = [...queried].filter((name) => !served.some((s) => s === name || (name.endsWith('_') && s.startsWith(name))));
    expect(missing).toEqual([]);
    expect(queried.size).toBeGreaterThan(15);
  });
});
