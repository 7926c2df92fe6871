import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker, type Queue, type VHost } from '@warren/core';
import { FakeClock, MemoryStore } from '@warren/core/internal';
import { parseListQuery } from '@warren/protocol';
import { listPage, listPageJson, type Listing } from './list-page.js';
import { queueJson } from './queue-json.js';
import { queueSortKey, queueView } from './views.js';

const NODE = 'warren@test';
const clock = new FakeClock();
let broker: Broker;
let vhost: VHost;

beforeEach(async () => {
  broker = new Broker({ store: new MemoryStore(), clock });
  await broker.start();
  vhost = broker.vhost('/')!;
});

afterEach(() => broker.stop());

function declare(name: string, args: Record<string, unknown> = {}): Queue {
  vhost.declareQueue({ name, durable: true, exclusive: false, autoDelete: false, arguments: args }, false, 'test');
  return vhost.queue(name)!;
}

function publish(queue: string, body: string): void {
  const message = { id: `${queue}-${body}`, exchange: '', routingKey: queue, properties: {}, headers: undefined, body: new TextEncoder().encode(body), persistent: false, publishedAt: clock.now() };
  vhost.publish('', message);
}

describe('queueJson', () => {
  it('writes exactly the text JSON.stringify writes for the queue view, through publishes, samples and a policy change', () => {
    const plain = declare('plain');
    const odd = declare('say "hi"\n\u2028 <b>', { 'x-max-length': 10, 'x-note': { nested: ['a', 1, null] } });
    const same = () => {
      for (const q of [plain, odd]) expect(queueJson(q, NODE).toString('utf8')).toBe(JSON.stringify(queueView(q, NODE)));
    };
    same();
    publish('plain', 'one');
    publish('plain', 'two');
    same();
    clock.advance(5000);
    plain.messageStats.sample(clock.now());
    plain.messageStats.sampleDepth(clock.now(), 2, 0);
    same();
    vhost.setPolicy({ vhost: '/', name: 'dlx', pattern: '^plain$', applyTo: 'queues', priority: 1, definition: { 'dead-letter-exchange': 'dead', 'max-length': 5 } });
    expect(queueJson(plain, NODE).toString()).toContain('"policy":"dlx"');
    same();
    vhost.deletePolicy('dlx');
    same();
  });
});

describe('listPageJson', () => {
  it('answers the same list as listPage, paged or not, sorted by a field read with or without the view', () => {
    for (let i = 0; i < 25; i++) declare(`q-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < 25; i += 3) publish(`q-${String(i).padStart(2, '0')}`, 'x');
    const queues = [...vhost.queues.values()];
    const listing: Listing<Queue, unknown> = { objects: queues, nameOf: (q) => q.name, view: (q) => queueView(q, NODE), sortKey: queueSortKey };
    const queries = [{}, { page: '2', page_size: '10' }, { sort: 'messages', sort_reverse: 'true', page: '1', page_size: '5' }, { sort: 'arguments' }, { name: 'q-1', columns: 'name,messages' }];
    for (const query of queries) {
      const request = parseListQuery(query);
      expect(JSON.parse(listPageJson(listing, (q) => queueJson(q, NODE), request).toString())).toEqual(listPage(listing, request));
    }
  });
});
