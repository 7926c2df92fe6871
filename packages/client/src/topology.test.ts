import { describe, expect, it } from 'vitest';
import { Topology } from './topology.js';

const exchange = (name: string) => ({ type: 'exchange.declare', exchange: name, kind: 'topic', durable: true }) as const;
const queue = (name: string, extra: object = {}) => ({ type: 'queue.declare', queue: name, durable: true, ...extra }) as const;
const bind = (q: string, x: string, key = '') => ({ type: 'queue.bind', queue: q, exchange: x, routing_key: key }) as const;
const bindExchange = (destination: string, source: string, key = '') => ({ type: 'exchange.bind', destination, source, routing_key: key }) as const;
const summary = (topology: Topology) =>
  topology.replay().map((step) => (step.kind === 'exchange' ? `x ${step.frame.exchange}` : step.kind === 'queue' ? `q ${step.name}` : `b ${JSON.stringify(step.frame)}`));

describe('topology record', () => {
  it('replays exchanges, then queues, then bindings, each in first-declared order', () => {
    const topology = new Topology();
    topology.declaredQueue('q1', queue('q1'));
    topology.declaredExchange(exchange('a'));
    topology.bound(bind('q1', 'a', 'k'));
    topology.declaredExchange(exchange('b'));
    topology.declaredExchange({ ...exchange('a'), durable: false });
    topology.bound(bindExchange('b', 'a', '#'));
    topology.declaredExchange({ ...exchange('passive'), passive: true });
    expect(summary(topology)).toEqual([
      'x a',
      'x b',
      'q q1',
      `b ${JSON.stringify(bind('q1', 'a', 'k'))}`,
      `b ${JSON.stringify(bindExchange('b', 'a', '#'))}`,
    ]);
    expect(topology.replay()[0]).toMatchObject({ frame: { durable: false } });
  });

  it('forgets unbound bindings, and the bindings of a deleted exchange or queue', () => {
    const topology = new Topology();
    for (const name of ['a', 'b', 'c']) topology.declaredExchange(exchange(name));
    topology.declaredQueue('q', queue('q'));
    topology.bound(bind('q', 'a', 'k'));
    topology.bound(bind('q', 'c', 'k'));
    topology.bound(bindExchange('b', 'a'));
    topology.bound(bindExchange('c', 'b'));
    topology.unbound({ ...bind('q', 'c', 'k'), type: 'queue.unbind' });
    topology.deletedExchange('a');
    expect(summary(topology)).toEqual(['x b', 'x c', 'q q', `b ${JSON.stringify(bindExchange('c', 'b'))}`]);
    topology.bound(bind('q', 'b'));
    topology.deletedQueue('q');
    expect(summary(topology)).toEqual(['x b', 'x c', `b ${JSON.stringify(bindExchange('c', 'b'))}`]);
  });

  it('moves a server-named queue and its bindings to its new name, and keeps it server-named', () => {
    const topology = new Topology();
    topology.declaredQueue('amq.gen-1', queue('', { exclusive: true }));
    topology.bound(bind('amq.gen-1', 'amq.fanout'));
    topology.rename('amq.gen-1', 'amq.gen-2');
    expect(topology.queue('amq.gen-1')).toBeUndefined();
    expect(topology.queue('amq.gen-2')).toMatchObject({ serverNamed: true, declaration: { queue: '', exclusive: true } });
    expect(summary(topology)).toEqual(['q amq.gen-2', `b ${JSON.stringify(bind('amq.gen-2', 'amq.fanout'))}`]);
    // Declared again by its name through the client (a passive check or the same flags): still server-named.
    topology.declaredQueue('amq.gen-2', queue('amq.gen-2'));
    expect(topology.queue('amq.gen-2')?.serverNamed).toBe(true);
  });
});
