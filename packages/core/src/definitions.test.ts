import { beforeEach, describe, expect, it } from 'vitest';
import { Broker } from './broker.js';
import { exportDefinitions, importDefinitions, DEFINITIONS_FORMAT } from './definitions.js';
import type { Clock } from './ports.js';
import { MemoryStore } from './testing/memory-store.js';

const clock: Clock = { now: () => 1_700_000_000_000, setTimer: () => () => {} };

async function newBroker(): Promise<Broker> {
  const broker = new Broker({ store: new MemoryStore(), clock });
  await broker.start();
  return broker;
}

/** A small RabbitMQ-style document: one of each thing Warren imports. */
function sample(): Record<string, unknown> {
  return {
    rabbit_version: '3.12.6',
    vhosts: [{ name: '/' }],
    policies: [{ vhost: '/', name: 'dlx', pattern: '^work$', 'apply-to': 'queues', priority: 1, definition: { 'dead-letter-exchange': 'dead' } }],
    exchanges: [
      { name: 'events', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} },
      { name: 'dead', vhost: '/', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} },
    ],
    queues: [
      { name: 'work', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': 10 } },
      { name: 'dlq', vhost: '/', durable: true, auto_delete: false, arguments: {} },
    ],
    bindings: [
      { source: 'events', vhost: '/', destination: 'work', destination_type: 'queue', routing_key: 'work.#', arguments: {} },
      { source: 'dead', vhost: '/', destination: 'dlq', destination_type: 'queue', routing_key: '', arguments: {} },
      { source: 'events', vhost: '/', destination: 'dead', destination_type: 'exchange', routing_key: 'dead.#', arguments: {} },
    ],
  };
}

let broker: Broker;
beforeEach(async () => {
  broker = await newBroker();
});

describe('exportDefinitions', () => {
  it('exports an empty broker in RabbitMQ shape, without the built-in exchanges', () => {
    expect(exportDefinitions(broker, { name: 'Warren', version: '9.9.9' })).toEqual({
      rabbit_version: DEFINITIONS_FORMAT,
      rabbitmq_version: DEFINITIONS_FORMAT,
      product_name: 'Warren',
      product_version: '9.9.9',
      users: [],
      vhosts: [{ name: '/' }],
      permissions: [],
      topic_permissions: [],
      parameters: [],
      global_parameters: [],
      policies: [],
      queues: [],
      exchanges: [],
      bindings: [],
    });
  });

  it('leaves out exclusive queues and their bindings', () => {
    const vhost = broker.vhost('/')!;
    vhost.declareQueue({ name: 'mine', durable: false, exclusive: true, autoDelete: false, arguments: {} }, false, 'conn-1');
    vhost.bindQueue('mine', 'amq.fanout', '', {}, 'conn-1');
    const out = exportDefinitions(broker);
    expect(out.queues).toEqual([]);
    expect(out.bindings).toEqual([]);
  });
});

describe('importDefinitions', () => {
  it('declares everything, and an export of the result imports into another broker unchanged', async () => {
    expect(importDefinitions(broker, sample())).toEqual({ warnings: [] });
    const vhost = broker.vhost('/')!;
    expect(vhost.queue('work')?.policy?.name).toBe('dlx');
    expect(vhost.queue('work')?.settings).toMatchObject({ maxLength: 10, deadLetterExchange: 'dead' });
    const exported = exportDefinitions(broker);
    expect(exported.queues?.map((q) => q.name)).toEqual(['work', 'dlq']);
    expect(exported.bindings).toHaveLength(3);
    expect(exported.policies).toEqual([
      { vhost: '/', name: 'dlx', pattern: '^work$', 'apply-to': 'queues', priority: 1, definition: { 'dead-letter-exchange': 'dead' } },
    ]);

    const other = await newBroker();
    expect(importDefinitions(other, exported)).toEqual({ warnings: [] });
    expect(exportDefinitions(other)).toEqual(exported);
  });

  it('is idempotent', () => {
    importDefinitions(broker, sample());
    const first = exportDefinitions(broker);
    expect(importDefinitions(broker, sample())).toEqual({ warnings: [] });
    expect(exportDefinitions(broker)).toEqual(first);
  });

  it('reports what it leaves out as warnings', () => {
    const doc = {
      ...sample(),
      users: [{ name: 'guest', password_hash: 'x', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['administrator'] }],
      permissions: [{ user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
      parameters: [],
      explicit_extra: true,
      vhosts: [{ name: '/', metadata: { description: 'Default virtual host' }, limits: [] }],
      policies: [
        { vhost: '/', name: 'ha', pattern: '.*', 'apply-to': 'all', priority: 0, definition: { 'ha-mode': 'all', 'max-length': 5 } },
        { vhost: '/', name: 'qq', pattern: '^q', 'apply-to': 'quorum_queues', priority: 0, definition: { 'delivery-limit': 3 } },
        { vhost: '/', name: 'st', pattern: '^s', 'apply-to': 'streams', priority: 0, definition: { 'max-length-bytes': 100 } },
      ],
      exchanges: [{ name: 'later', vhost: '/', type: 'x-delayed-message', durable: true, auto_delete: false, internal: false, arguments: { 'x-delayed-type': 'direct' } }],
      queues: [
        { name: 'events', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'stream', 'x-max-age': '7D' } },
        { name: 'q1', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3 } },
      ],
      bindings: [{ source: 'later', vhost: '/', destination: 'q1', destination_type: 'queue', routing_key: 'k', arguments: {} }],
    };
    const { warnings } = importDefinitions(broker, doc);
    expect(warnings).toEqual(
      expect.arrayContaining([
        "vhosts: key 'metadata' is not known to Warren and was ignored (1 entry)",
        "vhosts: key 'limits' is not known to Warren and was ignored (1 entry)",
        'users: 1 entry not imported (users are configured on the broker, not imported)',
        'permissions: 1 entry not imported (permissions are not imported)',
        "top-level key 'explicit_extra' is not known to Warren and was ignored",
        "policy 'ha' in vhost '/': definition key 'ha-mode' is not a Warren policy key; left out",
        "policy 'qq' in vhost '/': apply-to 'quorum_queues' imported as 'queues'",
        "policy 'st' in vhost '/' applies to streams, which Warren does not have; not imported",
        "exchange 'later' in vhost '/' has type 'x-delayed-message', which Warren does not have (a plugin's?); not imported",
        "queue 'events' in vhost '/' is a stream, which Warren does not have; not imported",
        "queue 'q1' in vhost '/': argument 'x-quorum-initial-group-size' is kept but has no effect in Warren",
        "binding 'later' → queue 'q1' in vhost '/' not imported: its source was left out",
      ]),
    );
    expect(warnings.some((w) => w.startsWith('parameters'))).toBe(false); // empty sections lose nothing
    const vhost = broker.vhost('/')!;
    expect(vhost.policies.get('ha')?.record.definition).toEqual({ 'max-length': 5 });
    expect(vhost.policies.get('qq')?.record.applyTo).toBe('queues');
    expect(vhost.policies.has('st')).toBe(false);
    expect(vhost.queue('events')).toBeUndefined();
    expect(vhost.queue('q1')?.record.arguments).toEqual({ 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3 });
  });

  it('creates the vhosts it lists', () => {
    importDefinitions(broker, {
      vhosts: [{ name: '/' }, { name: 'staging' }],
      queues: [{ name: 'work', vhost: 'staging', durable: true, auto_delete: false, arguments: {} }],
    });
    expect(broker.vhost('staging')?.queue('work')).toBeDefined();
    expect(exportDefinitions(broker).vhosts).toEqual([{ name: '/' }, { name: 'staging' }]);
  });

  it('refuses a conflicting queue by name, and changes nothing', () => {
    broker.vhost('/')!.declareQueue({ name: 'work', durable: false, exclusive: false, autoDelete: false, arguments: {} }, false, 'x');
    expect(() => importDefinitions(broker, sample())).toThrow(
      expect.objectContaining({ code: 'queue_conflict', message: expect.stringContaining("queue 'work' in vhost '/' exists as durable=false") }),
    );
    expect(broker.vhost('/')!.exchange('events')).toBeUndefined();
    expect(broker.vhost('/')!.policies.size).toBe(0);
  });

  it('names the entry, the key and why for bad input', () => {
    const bad = (patch: Record<string, unknown>) => () => importDefinitions(broker, { ...sample(), ...patch });
    expect(bad({ queues: [{ name: 'q', durable: 'yes' }] })).toThrow("queues[0] ('q').durable = \"yes\": must be boolean");
    expect(bad({ policies: [{ name: 'p', pattern: '.', definition: { 'max-length': 'ten' } }] })).toThrow(
      "policy 'p' in vhost '/': definition key 'max-length' = \"ten\": must be integer",
    );
    expect(bad({ policies: [{ name: 'p', pattern: '(', definition: {} }] })).toThrow("policy 'p' in vhost '/': policy pattern '(' is not a regular expression Warren can match in linear time: missing closing ): `(`");
    expect(bad({ queues: [{ name: 'q', arguments: { 'x-max-length': -1 } }] })).toThrow("queue 'q' in vhost '/': queue argument 'x-max-length' = -1");
    expect(bad({ bindings: [{ source: 'events', destination: 'nowhere', destination_type: 'queue' }] })).toThrow("no queue 'nowhere'");
    expect(bad({ queues: [{ name: 'q', vhost: 'elsewhere' }] })).toThrow(
      "queue 'q' is in vhost 'elsewhere', which neither exists nor is in the definitions' vhosts",
    );
    expect(bad({ exchanges: 'none' })).toThrow("field 'exchanges' = \"none\": must be array");
    expect(broker.vhost('/')!.queues.size).toBe(0);
  });
});
