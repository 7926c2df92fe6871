/** Store contract: what a store gives back at boot: counts, last seqs and delivery marks. */
import { describe, expect, it } from 'vitest';
import { type StoreContext, queueRecord } from './context.js';

export function recoveryContract(ctx: StoreContext): void {
  describe('recovery', () => {
    it('keeps the durable messages of a durable queue and reports their count and last seq', async () => {
      const q = queueRecord('q');
      ctx.store.putQueue(q);
      ctx.put('q', [1, 3, 5]);
      ctx.put('q', [2, 4, 6], false);
      ctx.store.deleteMessage('q', 2);
      ctx.store.deleteMessage('q', 5);
      await ctx.restart();
      expect(await ctx.store.recoverQueue(q)).toEqual({ count: 2, lastSeq: 3, deliveredUpTo: 0 });
      expect(await ctx.seqs('q')).toEqual([1, 3]);

      // Seq 4 was a transient message's; reused for a durable one, it must survive.
      ctx.put('q', [4]);
      await ctx.restart();
      expect(await ctx.store.recoverQueue(q)).toEqual({ count: 3, lastSeq: 4, deliveredUpTo: 0 });
      expect(await ctx.seqs('q')).toEqual([1, 3, 4]);
    });

    it('removes every message of a queue that is not durable', async () => {
      const q = queueRecord('q', false);
      ctx.put('q', [1]);
      ctx.put('q', [2], false);
      await ctx.restart();
      expect(await ctx.store.recoverQueue(q)).toEqual({ count: 0, lastSeq: 0, deliveredUpTo: 0 });
      expect(await ctx.seqs('q')).toEqual([]);
    });

    it('reports an empty queue as count 0, last seq 0', async () => {
      await ctx.restart();
      expect(await ctx.store.recoverQueue(queueRecord('q'))).toEqual({ count: 0, lastSeq: 0, deliveredUpTo: 0 });
    });

    it('drops the messages of every queue id not kept, and only those', async () => {
      const ids = ['a', 'ab', 'b', 'b!', 'c'];
      for (const id of ids) ctx.put(id, [1, 2, 3]);
      ctx.put('b', [4], false);
      await ctx.restart();
      await ctx.store.dropQueuesExcept(new Set(['a', 'ab', 'c', 'never-stored']));
      expect(await ctx.seqs('a')).toEqual([1, 2, 3]);
      expect(await ctx.seqs('ab')).toEqual([1, 2, 3]);
      expect(await ctx.seqs('b')).toEqual([]);
      expect(await ctx.seqs('b!')).toEqual([]);
      expect(await ctx.seqs('c')).toEqual([1, 2, 3]);

      // Nothing of the dropped queue lingers: a durable message at its old transient seq stays.
      ctx.put('b', [4]);
      await ctx.restart();
      expect(await ctx.store.recoverQueue(queueRecord('b'))).toEqual({ count: 1, lastSeq: 4, deliveredUpTo: 0 });
    });
  });
}
