import { beforeEach, describe, expect, it } from 'vitest';
import { Broker } from './broker.js';
import type { Clock } from './ports.js';
import { traceRoute } from './route-trace.js';
import { MemoryStore } from './testing/memory-store.js';
import type { VHost } from './vhost.js';

const clock: Clock = { now: () => 1_700_000_000_000, setTimer: () => () => {} };
const OWNER = 'test';

let vhost: VHost;
beforeEach(async () => {
  const broker = new Broker({ store: new MemoryStore(), clock });
  await broker.start();
  vhost = broker.vhost('/') as VHost;
});

function exchange(name: string, type: 'direct' | 'fanout' | 'topic' | 'headers', args: Record<string, unknown> = {}): void {
  vhost.declareExchange({ name, type, durable: true, autoDelete: false, internal: false, arguments: args }, false);
}

function queue(name: string): void {
  vhost.declareQueue({ name, durable: true, exclusive: false, autoDelete: false, arguments: {} }, false, OWNER);
}

const trace = (from: string, routingKey: string, headers?: Record<string, unknown>) =>
  traceRoute(vhost, vhost.exchange(from)!, routingKey, headers);

describe('tracing a route', () => {
  it('names the binding that matched, through exchange-to-exchange bindings', () => {
    exchange('orders', 'topic');
    exchange('eu', 'direct');
    queue('all');
    queue('eu.created');
    vhost.bindQueue('all', 'orders', 'order.#', {}, OWNER);
    vhost.bindQueue('all', 'orders', 'order.*.created', {}, OWNER);
    vhost.bindExchange('eu', 'orders', 'order.eu.*', {});
    vhost.bindQueue('eu.created', 'eu', 'order.eu.created', {}, OWNER);
    expect(trace('orders', 'order.eu.created')).toEqual({
      routed: true,
      queues: [
        { vhost: '/', name: 'all', path: [{ exchange: 'orders', binding_key: 'order.#' }] },
        {
          vhost: '/',
          name: 'eu.created',
          path: [
            { exchange: 'orders', binding_key: 'order.eu.*' },
            { exchange: 'eu', binding_key: 'order.eu.created' },
          ],
        },
      ],
    });
  });

  it('shows the arguments of the headers binding that matched', () => {
    exchange('h', 'headers');
    queue('pdf');
    vhost.bindQueue('pdf', 'h', '', { 'x-match': 'all', format: 'png' }, OWNER);
    vhost.bindQueue('pdf', 'h', '', { 'x-match': 'any', format: 'pdf', type: 'report' }, OWNER);
    expect(trace('h', 'ignored', { format: 'pdf' }).queues).toEqual([
      { vhost: '/', name: 'pdf', path: [{ exchange: 'h', arguments: { 'x-match': 'any', format: 'pdf', type: 'report' } }] },
    ]);
    expect(trace('h', 'ignored', { format: 'gif' })).toEqual({ routed: false, queues: [] });
  });

  it('follows the alternate exchange when the exchange routes nowhere, and says so', () => {
    exchange('ae', 'fanout');
    exchange('src', 'direct', { 'alternate-exchange': 'ae' });
    queue('caught');
    queue('direct');
    vhost.bindQueue('caught', 'ae', '', {}, OWNER);
    vhost.bindQueue('direct', 'src', 'known', {}, OWNER);
    expect(trace('src', 'unknown')).toEqual({
      routed: true,
      queues: [{ vhost: '/', name: 'caught', path: [{ exchange: 'src', alternate_exchange: 'ae' }, { exchange: 'ae', binding_key: '' }] }],
      alternate: [{ exchange: 'src', alternate_exchange: 'ae', exists: true }],
    });
    expect(trace('src', 'known')).toEqual({ routed: true, queues: [{ vhost: '/', name: 'direct', path: [{ exchange: 'src', binding_key: 'known' }] }] });
  });

  it('is unroutable when nothing matches or the alternate exchange is missing', () => {
    exchange('lost', 'direct', { 'alternate-exchange': 'nowhere' });
    expect(trace('lost', 'x')).toEqual({ routed: false, queues: [], alternate: [{ exchange: 'lost', alternate_exchange: 'nowhere', exists: false }] });
  });

  it('routes the default exchange to the queue named by the key', () => {
    queue('by-name');
    expect(trace('', 'by-name')).toEqual({ routed: true, queues: [{ vhost: '/', name: 'by-name', path: [{ exchange: '', binding_key: 'by-name' }] }] });
    expect(trace('', 'missing').routed).toBe(false);
  });

  it('ends at binding cycles and reports each queue once', () => {
    exchange('a', 'fanout');
    exchange('b', 'fanout');
    queue('q');
    vhost.bindExchange('b', 'a', '', {});
    vhost.bindExchange('a', 'b', '', {});
    vhost.bindQueue('q', 'b', '', {}, OWNER);
    vhost.bindQueue('q', 'a', '', {}, OWNER);
    const result = trace('a', 'k');
    expect(result.queues).toHaveLength(1);
    expect(result.queues[0]?.name).toBe('q');
  });
});
