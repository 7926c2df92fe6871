/**
 * Definitions over HTTP (issue 3, point 4): a RabbitMQ 3.12 export imports as it is, with
 * warnings for what Warren leaves out; the topology it declares routes; GET exports it back;
 * WARREN_DEFINITIONS loads a file at boot.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { spawnBroker, startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { depth } from '../support/messages.js';
import { call } from '../support/http.js';

const FIXTURE = new URL('../fixtures/rabbitmq-3.12-definitions.json', import.meta.url);


let rabbitExport: Record<string, unknown>;
beforeAll(async () => {
  rabbitExport = JSON.parse(await readFile(FIXTURE, 'utf8')) as Record<string, unknown>;
});

describe('a RabbitMQ 3.12 export', () => {
  let broker: TestBroker;
  let client: Client;
  const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);

  beforeAll(async () => {
    broker = await startBroker();
    client = await connect(broker.url);
  });
  afterAll(async () => {
    await client.close();
    await broker.dispose();
  });

  it('imports as it is, with a warning for each thing left out', async () => {
    const { status, body } = await api('POST', '/api/definitions', rabbitExport);
    expect(status).toBe(200);
    expect(body.warnings).toEqual([
      "vhosts: key 'description' is not known to Warren and was ignored (1 entry)",
      "vhosts: key 'tags' is not known to Warren and was ignored (1 entry)",
      "vhosts: key 'default_queue_type' is not known to Warren and was ignored (1 entry)",
      "vhosts: key 'metadata' is not known to Warren and was ignored (1 entry)",
      "vhosts: key 'limits' is not known to Warren and was ignored (1 entry)",
      'parameters: 1 entry not imported (runtime parameters (shovels, federation, limits) are not supported)',
      'global_parameters: 2 entries not imported (global parameters are not supported)',
      "policy 'ha-all' in vhost '/': definition key 'ha-mode' is not a Warren policy key; left out",
      "policy 'ha-all' in vhost '/': definition key 'ha-sync-mode' is not a Warren policy key; left out",
      "policy 'payments-limits' in vhost '/': apply-to 'quorum_queues' imported as 'queues'",
      "policy 'audit-lazy' in vhost '/': definition key 'queue-mode' is not a Warren policy key; left out",
      "exchange 'payments.delayed' in vhost '/' has type 'x-delayed-message', which Warren does not have (a plugin's?); not imported",
      "queue 'payments.inbound' in vhost '/': argument 'x-quorum-initial-group-size' is kept but has no effect in Warren",
      "queue 'events.archive' in vhost '/' is a stream, which Warren does not have; not imported",
      "binding 'events' → queue 'events.archive' in vhost '/' not imported: its destination was left out",
      "binding 'payments.delayed' → queue 'payments.inbound' in vhost '/' not imported: its source was left out",
    ]);

    const queues = (await api('GET', '/api/queues/%2F')).body as Array<{ name: string; policy: string | null }>;
    expect(Object.fromEntries(queues.map((q) => [q.name, q.policy]))).toEqual({
      'orders.created': 'orders-dlx',
      'orders.shipped': 'orders-dlx',
      'dlq.orders': 'ha-all',
      'payments.inbound': 'payments-limits',
      notifications: 'ha-all',
      'notifications.dead': 'ha-all',
      audit: 'audit-lazy',
      'reports.tmp': 'ha-all',
    });
    const exchanges = ((await api('GET', '/api/exchanges/%2F')).body as Array<{ name: string }>).map((x) => x.name);
    expect(exchanges).toEqual(expect.arrayContaining(['events', 'orders', 'orders.unrouted', 'orders.dlx', 'audit.router']));
    expect(exchanges).not.toContain('payments.delayed');
  });

  it('routes as declared: exchange-to-exchange, alternate exchange, headers and amq.topic bindings', async () => {
    await client.publish('events', 'orders.created', 'via e2e');
    await client.publish('orders', 'orders.cancelled', 'via the alternate exchange');
    await client.publish('audit.router', '', 'by header', { headers: { source: 'billing' } });
    await client.publish('amq.topic', 'notify.email', 'via amq.topic');
    expect(await depth(client, 'orders.created')).toBe(1);
    expect(await depth(client, 'audit')).toBe(2);
    expect(await depth(client, 'notifications')).toBe(1);
  });

  it('imports again without changes or errors', async () => {
    const before = (await api('GET', '/api/definitions')).body;
    const again = await api('POST', '/api/definitions', rabbitExport);
    expect(again.status).toBe(200);
    expect((await api('GET', '/api/definitions')).body).toEqual(before);
  });

  it('exports in RabbitMQ format, and the export imports into a fresh broker without warnings', async () => {
    const { status, body } = await api('GET', '/api/definitions');
    expect(status).toBe(200);
    expect(body).toMatchObject({ rabbit_version: '3.12.0', product_name: 'Warren', vhosts: [{ name: '/' }] });
    // Users and permissions travel with the definitions (issue 23): the first administrator and the imported ones.
    expect(body.users.map((u: { name: string }) => u.name)).toEqual(['guest', 'admin', 'orders-service']);
    expect(body.users[1]).toEqual({ ...(rabbitExport.users as object[])[0], limits: {} });
    expect(body.permissions).toContainEqual((rabbitExport.permissions as object[])[1]);
    expect(body.topic_permissions).toEqual(rabbitExport.topic_permissions);
    expect(body.policies).toContainEqual({
      vhost: '/',
      name: 'payments-limits',
      pattern: '^payments\\.',
      'apply-to': 'queues',
      priority: 10,
      definition: { 'delivery-limit': 5, 'max-length': 100000, overflow: 'reject-publish' },
    });
    expect(body.queues).toContainEqual({
      name: 'payments.inbound',
      vhost: '/',
      durable: true,
      auto_delete: false,
      arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3, 'x-delivery-limit': 10 },
    });
    expect(body.exchanges.map((x: { name: string }) => x.name).filter((n: string) => n.startsWith('amq.'))).toEqual([]);
    expect(body.bindings).toContainEqual({
      source: 'audit.router',
      vhost: '/',
      destination: 'audit',
      destination_type: 'queue',
      routing_key: '',
      arguments: { 'x-match': 'any', category: 'audit', source: 'billing' },
    });
    expect(body.bindings).toContainEqual({ source: 'events', vhost: '/', destination: 'orders', destination_type: 'exchange', routing_key: 'orders.#', arguments: {} });

    const fresh = await startBroker();
    try {
      const imported = await call(fresh.httpUrl, 'POST', '/api/definitions', body);
      expect(imported).toEqual({ status: 200, body: { warnings: ["queue 'payments.inbound' in vhost '/': argument 'x-quorum-initial-group-size' is kept but has no effect in Warren"] } });
      const exported = (await call(fresh.httpUrl, 'GET', '/api/definitions')).body;
      expect(exported).toEqual(body);
    } finally {
      await fresh.dispose();
    }
  });
});

describe('refusals', () => {
  let broker: TestBroker;
  const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);

  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(() => broker.dispose());

  it('a queue that exists with other properties is an error naming it, and nothing is imported', async () => {
    expect((await api('PUT', '/api/queues/%2F/orders.created', { durable: false })).status).toBe(201);
    const { status, body } = await api('POST', '/api/definitions', rabbitExport);
    expect(status).toBe(400);
    expect(body.error).toBe('queue_conflict');
    expect(body.reason).toContain("queue 'orders.created' in vhost '/' exists as durable=false");
    expect((await api('GET', '/api/exchanges/%2F/events')).status).toBe(404);
    expect((await api('GET', '/api/policies/%2F')).body).toEqual([]);
  });

  it('malformed documents are 400 with the entry, the key and why', async () => {
    const bad = async (doc: unknown) => (await api('POST', '/api/definitions', doc)).body;
    expect(await bad({ queues: [{ name: 'q', durable: 'yes' }] })).toEqual({ error: 'invalid_argument', reason: 'queues[0] (\'q\').durable = "yes": must be boolean' });
    expect(await bad({ policies: [{ name: 'p', pattern: '.', definition: { 'message-ttl': -1 } }] })).toEqual({
      error: 'invalid_argument',
      reason: "policy 'p' in vhost '/': definition key 'message-ttl' = -1: must be >= 0",
    });
    expect(await bad({ bindings: [{ source: 'amq.direct', destination: 'ghost', destination_type: 'queue' }] })).toMatchObject({
      error: 'invalid_argument',
      reason: expect.stringContaining("no queue 'ghost'"),
    });
    expect(await bad([])).toEqual({ error: 'invalid_argument', reason: 'the body must be a JSON object' });
    const broken = await api('POST', '/api/definitions', '{"queues": [');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid_argument');
  });
});

describe('WARREN_DEFINITIONS', () => {
  it('loads the file at boot (run `npx tsc -b tsconfig.build.json` first)', async () => {
    const dir = await tempDir();
    const file = join(dir.path, 'definitions.json');
    await writeFile(file, JSON.stringify(rabbitExport));
    const child = await spawnBroker(join(dir.path, 'data'), { WARREN_DEFINITIONS: file });
    try {
      const queue = await call(child.httpUrl, 'GET', '/api/queues/%2F/orders.created');
      expect(queue.status).toBe(200);
      expect(queue.body).toMatchObject({ name: 'orders.created', policy: 'orders-dlx' });
    } finally {
      await child.stop();
      await dir.remove();
    }
  });
});
