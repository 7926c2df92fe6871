import { beforeEach, describe, expect, it } from 'vitest';
import { Broker } from './broker.js';
import { diffDefinitionsImport, importDefinitions } from './definitions.js';
import type { Message } from './message.js';
import type { Clock } from './ports.js';
import { MemoryStore } from './testing/memory-store.js';
import type { VHost } from './vhost.js';

const clock: Clock = { now: () => 1_700_000_000_000, setTimer: () => () => {} };

let broker: Broker;
let vhost: VHost;
beforeEach(async () => {
  broker = new Broker({ store: new MemoryStore(), clock });
  await broker.start();
  vhost = broker.vhost('/') as VHost;
});

const doc = () => ({
  vhosts: [{ name: '/' }],
  exchanges: [{ name: 'x', type: 'direct' }],
  queues: [{ name: 'q' }],
  bindings: [{ source: 'x', destination: 'q', destination_type: 'queue', routing_key: 'k' }],
});
const queueSpec = (name: string, exclusive = false) => ({ name, durable: !exclusive, exclusive, autoDelete: false, arguments: {} });

describe('diffing definitions', () => {
  it('lists what would be created, and nothing once imported', () => {
    const diff = diffDefinitionsImport(broker, doc());
    expect(diff.create.exchanges).toEqual([{ vhost: '/', name: 'x' }]);
    expect(diff.create.queues).toEqual([{ vhost: '/', name: 'q' }]);
    expect(diff.create.bindings).toEqual([{ vhost: '/', source: 'x', destination: 'q', destination_type: 'queue', routing_key: 'k', arguments: {} }]);
    expect(vhost.queue('q')).toBeUndefined();
    importDefinitions(broker, doc());
    const again = diffDefinitionsImport(broker, doc());
    expect([again.create.exchanges, again.create.queues, again.create.bindings, again.change.queues]).toEqual([[], [], [], []]);
  });

  it('collects a conflict with its changed fields instead of throwing', () => {
    vhost.declareQueue({ ...queueSpec('q'), arguments: { 'x-max-length': 1 } }, false, 'test');
    expect(diffDefinitionsImport(broker, doc()).change.queues).toEqual([
      { vhost: '/', name: 'q', fields: { arguments: { old: { 'x-max-length': 1 }, new: {} } }, refused: 'queue_conflict' },
    ]);
    expect(() => importDefinitions(broker, doc())).toThrow(expect.objectContaining({ code: 'queue_conflict' }));
  });
});

describe('pruning', () => {
  it('spares built-in exchanges and exclusive queues, and deletes the rest the document lacks', () => {
    vhost.declareQueue(queueSpec('stray'), false, 'test');
    const exclusive = vhost.declareQueue(queueSpec('mine', true), false, 'conn-1');
    vhost.bindQueue('mine', 'amq.fanout', '', {}, 'conn-1');
    const { deleted } = importDefinitions(broker, doc(), { prune: true });
    expect(deleted).toEqual({ policies: [], exchanges: [], queues: [{ vhost: '/', name: 'stray' }], bindings: [] });
    expect(vhost.queue('mine')).toBe(exclusive);
    expect(vhost.exchange('amq.fanout')?.router.size).toBe(1);
  });

  it('refuses to delete a queue with messages unless forced, before changing anything', () => {
    vhost.declareQueue(queueSpec('full'), false, 'test');
    const message: Message = { id: 'm1', exchange: '', routingKey: 'full', properties: {}, headers: undefined, body: new Uint8Array([1]), persistent: false, publishedAt: 0 };
    vhost.publish('', message);
    expect(() => importDefinitions(broker, doc(), { prune: true })).toThrow(expect.objectContaining({ code: 'not_empty' }));
    expect(vhost.queue('q')).toBeUndefined();
    importDefinitions(broker, doc(), { prune: true, force: true });
    expect(vhost.queue('full')).toBeUndefined();
  });

  it('is all or nothing: a bad headers binding in the middle changes nothing', () => {
    const bad = {
      exchanges: [{ name: 'h', type: 'headers' }, ...doc().exchanges],
      queues: doc().queues,
      bindings: [...doc().bindings, { source: 'h', destination: 'q', destination_type: 'queue', arguments: { 'x-match': 'most' } }, ...doc().bindings],
    };
    expect(() => importDefinitions(broker, bad)).toThrow(/binding 'h' → queue 'q' in vhost '\/'.*x-match/);
    expect([vhost.exchange('h'), vhost.exchange('x'), vhost.queue('q')]).toEqual([undefined, undefined, undefined]);
  });
});
