/**
 * The proof that the management API is RabbitMQ's (issue 22, point 1): RabbitMQ's own
 * `rabbitmqadmin`, a client no one here wrote, runs against a real Warren broker and gets the
 * right answers for every command that means something in Warren: list and show every object,
 * declare and delete vhosts, queues, exchanges, bindings and policies, purge, publish, get,
 * close a connection, export and import definitions.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { call } from '../support/http.js';
import { findRabbitmqadmin, hasPython3, rabbitmqadmin } from '../support/rabbitmqadmin.js';

const script = findRabbitmqadmin();
// .ci/run provides both (python3 and Debian's rabbitmq-server package, unpacked); a developer machine may lack them.
const missing = !hasPython3() ? 'python3 is not installed' : script === undefined ? 'rabbitmqadmin not found (set RABBITMQADMIN or install rabbitmq-server)' : undefined;

// Each command starts a Python process (about 0.3 s on an idle machine); a test runs up to a dozen.
const COMMANDS_TIMEOUT_MS = 120_000;

describe.skipIf(missing !== undefined)(`rabbitmqadmin against Warren${missing === undefined ? '' : ` (skipped: ${missing})`}`, { timeout: COMMANDS_TIMEOUT_MS }, () => {
  let broker: TestBroker;
  let dir: string;
  const admin = async (...args: string[]) => {
    const result = await rabbitmqadmin(script!, broker.port, args);
    expect(result.stderr, `rabbitmqadmin ${args.join(' ')}`).toBe('');
    expect(result.code, `rabbitmqadmin ${args.join(' ')}: ${result.stdout}`).toBe(0);
    return result.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await admin('-f', 'raw_json', ...args));
  const api = (method: string, path: string, body?: unknown) => call(broker.httpUrl, method, path, body);

  beforeAll(async () => {
    broker = await startBroker();
    dir = await mkdtemp(join(tmpdir(), 'warren-rabbitmqadmin-'));
  });
  afterAll(async () => {
    await broker?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('declares exchanges, queues (with "durable": "true" strings and queue_type), bindings and policies', async () => {
    expect(await admin('declare', 'exchange', 'name=orders', 'type=topic')).toContain('exchange declared');
    await admin('declare', 'exchange', 'name=audit', 'type=fanout', 'durable=false');
    await admin('declare', 'queue', 'name=orders.eu', 'durable=true', 'arguments={"x-max-length": 1000}');
    await admin('declare', 'queue', 'name=orders.all', 'queue_type=quorum');
    await admin('declare', 'queue', 'name=audit.log', 'durable=false', 'auto_delete=false');
    expect(await admin('declare', 'binding', 'source=orders', 'destination=orders.eu', 'routing_key=order.*.eu')).toContain('binding declared');
    await admin('declare', 'binding', 'source=orders', 'destination=orders.all', 'routing_key=#');
    await admin('declare', 'binding', 'source=orders', 'destination=audit', 'destination_type=exchange', 'routing_key=#');
    await admin('declare', 'binding', 'source=audit', 'destination=audit.log');
    expect(await admin('declare', 'policy', 'name=cap', 'pattern=^orders\\.', 'definition={"max-length": 500}', 'apply-to=queues', 'priority=3')).toContain(
      'policy declared',
    );

    const eu = (await api('GET', '/api/queues/%2F/orders.eu')).body;
    expect(eu).toMatchObject({ durable: true, auto_delete: false, arguments: { 'x-max-length': 1000 }, policy: 'cap' });
    expect((await api('GET', '/api/queues/%2F/orders.all')).body.arguments).toEqual({ 'x-queue-type': 'quorum' });
    expect((await api('GET', '/api/queues/%2F/audit.log')).body.durable).toBe(false);
    expect((await api('GET', '/api/exchanges/%2F/audit')).body).toMatchObject({ type: 'fanout', durable: false });
    expect((await api('GET', '/api/policies/%2F/cap')).body).toMatchObject({ pattern: '^orders\\.', priority: 3, 'apply-to': 'queues', definition: { 'max-length': 500 } });
  });

  it('lists and shows every object, in its table and as JSON', async () => {
    const queues = await json('list', 'queues');
    expect(queues.map((q: { name: string }) => q.name).sort()).toEqual(['audit.log', 'orders.all', 'orders.eu']);
    const table = await admin('list', 'queues');
    expect(table).toMatch(/\|\s+name\s+\|\s+messages\s+\|/);
    expect(table).toMatch(/\|\s+orders\.eu\s+\|\s+0\s+\|/);
    const exchanges = await json('list', 'exchanges');
    expect(exchanges.find((e: { name: string }) => e.name === 'orders')).toMatchObject({ type: 'topic', vhost: '/' });
    expect(exchanges.some((e: { name: string }) => e.name === 'amq.topic')).toBe(true);
    const bindings = await json('list', 'bindings');
    expect(bindings).toContainEqual(expect.objectContaining({ source: 'orders', destination: 'audit', destination_type: 'exchange', routing_key: '#' }));
    expect(bindings).toContainEqual(expect.objectContaining({ source: 'orders', destination: 'orders.eu', routing_key: 'order.*.eu', properties_key: 'order.*.eu' }));
    expect((await json('list', 'policies')).map((p: { name: string }) => p.name)).toEqual(['cap']);
    expect((await json('list', 'vhosts')).map((v: { name: string }) => v.name)).toContain('/');
    const nodes = await json('list', 'nodes');
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ name: broker.config.nodeId, running: true, type: 'disc' });
    expect(await admin('list', 'nodes')).toContain(broker.config.nodeId);
    const overview = (await json('show', 'overview'))[0] ?? (await json('show', 'overview'));
    expect(overview).toMatchObject({ product_name: 'Warren', object_totals: { queues: 3 }, queue_totals: { messages: 0 } });
    expect(await admin('show', 'overview')).toMatch(/object_totals\.queues/);
    expect(await json('list', 'connections')).toEqual([]);
    expect(await json('list', 'consumers')).toEqual([]);
  });

  it('publishes, gets (peek and take), and purges', async () => {
    expect(await admin('publish', 'exchange=orders', 'routing_key=order.created.eu', 'payload=first')).toContain('Message published');
    await admin('publish', 'exchange=orders', 'routing_key=order.created.eu', 'payload=second', 'properties={"content_type": "text/plain", "delivery_mode": 2}');
    expect(await admin('publish', 'exchange=orders', 'routing_key=nowhere', 'payload=lost')).toContain('Message published');
    expect(await admin('publish', 'routing_key=audit.log', 'payload=via default')).toContain('Message published');
    expect(await admin('publish', 'exchange=amq.direct', 'routing_key=nobody', 'payload=x')).toContain('NOT routed');

    const peeked = await json('get', 'queue=orders.eu', 'count=2');
    expect(peeked.map((m: { payload: string }) => m.payload)).toEqual(['first', 'second']);
    expect(peeked[1]).toMatchObject({ routing_key: 'order.created.eu', exchange: 'orders', payload_encoding: 'string', properties: { content_type: 'text/plain', delivery_mode: 2 } });
    expect((await json('list', 'queues', 'name', 'messages')).find((q: { name: string }) => q.name === 'orders.eu').messages).toBe(2);
    expect(await admin('get', 'queue=orders.eu')).toContain('first');

    const taken = await json('get', 'queue=orders.eu', 'ackmode=ack_requeue_false');
    expect(taken[0].payload).toBe('first');
    expect((await api('GET', '/api/queues/%2F/orders.eu')).body).toMatchObject({ messages: 1, message_stats: { publish: 2, get: 1 } });
    // audit.log takes what orders routes (through the audit exchange) and what the default exchange sends it.
    expect((await json('get', 'queue=audit.log', 'count=10')).map((m: { payload: string }) => m.payload)).toEqual(['first', 'second', 'lost', 'via default']);

    expect(await admin('purge', 'queue', 'name=orders.all')).toContain('queue purged');
    expect((await api('GET', '/api/queues/%2F/orders.all')).body.messages).toBe(0);
  });

  it('lists and closes a connection and lists its consumer', async () => {
    const client: Client = await connect(broker.url);
    const consumer = await client.consume('orders.eu', async () => {}, { prefetch: 5 });
    const connections = await json('list', 'connections');
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ vhost: '/', user: 'guest', channels: 1, state: 'running', peer_host: '127.0.0.1' });
    const consumers = await json('list', 'consumers');
    expect(consumers).toContainEqual(expect.objectContaining({ consumer_tag: consumer.tag, queue: { name: 'orders.eu', vhost: '/' }, prefetch_count: 5, ack_required: true }));
    expect(await json('list', 'channels')).toHaveLength(1);
    expect(await admin('close', 'connection', `name=${connections[0].name as string}`)).toContain('connection closed');
    const why = await client.closed;
    expect(why?.code).toBe('connection_forced');
  });

  it('deletes bindings by their properties key, queues, exchanges and policies', async () => {
    expect(await admin('delete', 'binding', 'source=orders', 'destination_type=queue', 'destination=orders.eu', 'properties_key=order.*.eu')).toContain('binding deleted');
    await admin('delete', 'binding', 'source=audit', 'destination_type=queue', 'destination=audit.log');
    await admin('delete', 'binding', 'source=orders', 'destination_type=exchange', 'destination=audit', 'properties_key=#');
    const left = (await json('list', 'bindings')).filter((b: { source: string }) => b.source !== '');
    expect(left).toEqual([expect.objectContaining({ source: 'orders', destination: 'orders.all', routing_key: '#' })]);
    expect(await admin('delete', 'policy', 'name=cap')).toContain('policy deleted');
    await admin('delete', 'queue', 'name=audit.log');
    await admin('delete', 'exchange', 'name=audit');
    expect((await json('list', 'policies'))).toEqual([]);
    expect((await json('list', 'queues')).map((q: { name: string }) => q.name).sort()).toEqual(['orders.all', 'orders.eu']);
    expect((await api('GET', '/api/exchanges/%2F/audit')).status).toBe(404);
  });

  it('creates and deletes vhosts, declares in one, and exports and imports one vhost', async () => {
    expect(await admin('declare', 'vhost', 'name=staging')).toContain('vhost declared');
    await admin('-V', 'staging', 'declare', 'queue', 'name=jobs');
    expect((await json('-V', 'staging', 'list', 'queues')).map((q: { name: string }) => q.name)).toEqual(['jobs']);
    expect((await json('list', 'vhosts')).map((v: { name: string }) => v.name).sort()).toEqual(['/', 'staging']);
    const file = join(dir, 'staging.json');
    await admin('-V', 'staging', 'export', file);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    expect(exported.queues).toEqual([expect.objectContaining({ name: 'jobs' })]);
    expect(exported.queues[0].vhost).toBeUndefined();
    await admin('declare', 'vhost', 'name=copy');
    await admin('-V', 'copy', 'import', file);
    expect((await json('-V', 'copy', 'list', 'queues')).map((q: { name: string }) => q.name)).toEqual(['jobs']);
    expect(await admin('delete', 'vhost', 'name=staging')).toContain('vhost deleted');
    await admin('delete', 'vhost', 'name=copy');
    expect((await json('list', 'vhosts')).map((v: { name: string }) => v.name)).toEqual(['/']);
  });

  it('exports the definitions and imports them into a fresh broker', async () => {
    const file = join(dir, 'definitions.json');
    await admin('export', file);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    expect(exported.queues.map((q: { name: string }) => q.name).sort()).toEqual(['orders.all', 'orders.eu']);

    const other = await startBroker();
    try {
      const imported = await rabbitmqadmin(script!, other.port, ['import', file]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('Uploaded definitions');
      const queues = await call(other.httpUrl, 'GET', '/api/queues');
      expect(queues.body.map((q: { name: string }) => q.name).sort()).toEqual(['orders.all', 'orders.eu']);
      const bindings = await call(other.httpUrl, 'GET', '/api/bindings/%2F/e/orders/q/orders.all');
      expect(bindings.body).toEqual([expect.objectContaining({ routing_key: '#' })]);
    } finally {
      await other.dispose();
    }
    await writeFile(file, '{"queues": [{"name": 7}]}');
    const refused = await rabbitmqadmin(script!, broker.port, ['import', file]);
    expect(refused.code).not.toBe(0);
  });
});
