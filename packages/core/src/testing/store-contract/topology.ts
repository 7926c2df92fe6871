/** Store contract: what a store keeps of exchanges, queues, bindings and policies. */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../ports.js';
import { type StoreContext, written, exchange, queueRecord, binding, sortedTopology } from './context.js';

export function topologyContract(ctx: StoreContext): void {
  describe('topology', () => {
    it('loads what was put, minus what was deleted, across a restart', async () => {
      const exchanges = [
        { ...exchange('/', 'orders', 'topic'), arguments: { 'alternate-exchange': 'ae' } },
        // Names that look like key separators must not collide.
        exchange('/', 'a!b', 'direct'),
        exchange('/!a', 'b', 'fanout'),
        exchange('other', 'orders', 'headers'),
      ];
      ctx.store.putExchange(exchange('/', 'orders', 'topic'));
      for (const e of exchanges) ctx.store.putExchange(e);
      ctx.store.putExchange(exchange('/', 'gone', 'direct'));
      ctx.store.deleteExchange('/', 'gone');

      const queues = [queueRecord('q1'), queueRecord('q2')];
      for (const q of queues) ctx.store.putQueue(q);
      ctx.store.putQueue(queueRecord('gone'));
      ctx.store.deleteQueue(queueRecord('gone'));

      const bindings = [
        binding('orders', 'name-q1', 'a.*', {}),
        binding('orders', 'name-q1', 'a.*', { 'x-match': 'all', b: 1 }),
        { ...binding('orders', 'other', '#', {}), destinationType: 'exchange' as const },
      ];
      for (const b of bindings) ctx.store.putBinding(b);
      ctx.store.putBinding(binding('orders', 'name-q2', 'k', { a: 1, z: { y: 2, x: 3 } }));
      // The same arguments in another key order name the same binding.
      ctx.store.deleteBinding(binding('orders', 'name-q2', 'k', { z: { x: 3, y: 2 }, a: 1 }));

      const policies = [
        { vhost: '/', name: 'dlx', pattern: '^orders', applyTo: 'queues' as const, priority: 1, definition: { 'dead-letter-exchange': 'dead' } },
        { vhost: 'v!2', name: 'p!1', pattern: '.*', applyTo: 'all' as const, priority: 0, definition: { 'max-length': 10 } },
      ];
      for (const p of policies) ctx.store.putPolicy(p);
      ctx.store.putPolicy({ ...policies[0]!, name: 'gone' });
      ctx.store.deletePolicy('/', 'gone');

      await written(ctx.store);
      const expected: Topology = { exchanges, queues, bindings, policies };
      expect(sortedTopology(await ctx.store.loadTopology())).toEqual(sortedTopology(expected));
      await ctx.restart();
      expect(sortedTopology(await ctx.store.loadTopology())).toEqual(sortedTopology(expected));
    });
  });
}
