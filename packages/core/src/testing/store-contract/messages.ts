/** Store contract: messages put, read back in seq order, deleted and purged. */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../message.js';
import { type StoreContext, written, message, plain, queueRecord } from './context.js';

export function messagesContract(ctx: StoreContext): void {
  describe('messages', () => {
    it('reads in seq order, a page at a time', async () => {
      ctx.put('q', [256, 2, 2 ** 40, 16, 255, 1]);
      await written(ctx.store);
      expect(await ctx.seqs('q')).toEqual([1, 2, 16, 255, 256, 2 ** 40]);
      expect(await ctx.seqs('q', 16, 2)).toEqual([16, 255]);
      expect(await ctx.seqs('q', 17, 10)).toEqual([255, 256, 2 ** 40]);
      expect(await ctx.seqs('q', 2 ** 40 + 1, 10)).toEqual([]);
      expect(await ctx.seqs('unknown')).toEqual([]);
    });

    it('keeps queues apart, even when one id starts with another', async () => {
      const ids = ['q1', 'q10', 'q1!x', 'q1%21x', 'q'];
      for (const id of ids) ctx.put(id, [1, 2]);
      await written(ctx.store);
      for (const id of ids) {
        const page = await ctx.store.readMessages(id, 0, 100);
        expect(page.map((stored) => stored.message.id)).toEqual([`${id}/1`, `${id}/2`]);
      }
    });

    it('gives back every field of a message', async () => {
      const full: Message = {
        id: 'm-1',
        exchange: 'orders',
        routingKey: 'a.b',
        properties: { content_type: 'application/json', priority: 3, timestamp: 1_700_000_000_000, persistent: true },
        publishedAt: 1_700_000_000_123,
        headers: { 'x-retries': 2, nested: { list: [1, 'two', null] } },
        body: Uint8Array.from({ length: 256 }, (_, i) => i),
        persistent: true,
      };
      const bare: Message = { ...message('m-2'), headers: undefined, body: new Uint8Array(0), persistent: false };
      ctx.store.putMessage('q', 1, full, true, false);
      ctx.store.putMessage('q', 2, bare, false, false);
      await written(ctx.store);
      const page = await ctx.store.readMessages('q', 0, 10);
      expect(page.map((stored) => ({ seq: stored.seq, message: plain(stored.message) }))).toEqual([
        { seq: 1, message: plain(full) },
        { seq: 2, message: plain(bare) },
      ]);
    });

    it('deletes single messages', async () => {
      ctx.put('q', [1, 2, 3, 4, 5]);
      ctx.store.deleteMessage('q', 2);
      ctx.store.deleteMessage('q', 4);
      ctx.store.deleteMessage('q', 9);
      await written(ctx.store);
      expect(await ctx.seqs('q')).toEqual([1, 3, 5]);
    });

    it('keeps delivery counts beside their messages, across a rewrite and a restart, and drops them with them', async () => {
      ctx.put('q', [1, 2, 3, 4]);
      ctx.store.putDeliveryCount('q', 2, 1);
      ctx.store.putDeliveryCount('q', 2, 2);
      ctx.store.putDeliveryCount('q', 3, 1);
      ctx.store.putDeliveryCount('q', 4, 7);
      ctx.store.putMessage('q', 2, { ...message('q/2'), headers: { rewritten: true } }, true, false);
      ctx.store.deleteMessage('q', 3);
      ctx.store.purgeMessages('q', 4);
      await written(ctx.store);
      await ctx.restart();
      const page = await ctx.store.readMessages('q', 0, 10);
      expect(page.map(({ seq, deliveryCount }) => ({ seq, deliveryCount }))).toEqual([
        { seq: 1, deliveryCount: undefined },
        { seq: 2, deliveryCount: 2 },
      ]);
      expect(page[1]?.message.headers).toEqual({ rewritten: true });
      ctx.put('q', [3, 4]);
      await written(ctx.store);
      expect((await ctx.store.readMessages('q', 2, 10)).map((stored) => stored.deliveryCount)).toEqual([2, undefined, undefined]);
    });

    it('keeps the delivery mark of a queue across a purge and a restart, and drops it with the queue', async () => {
      const [q, gone] = [queueRecord('q'), queueRecord('gone')];
      ctx.store.putQueue(q);
      ctx.store.putQueue(gone);
      ctx.put('q', [1, 2, 3]);
      ctx.put('gone', [1]);
      ctx.store.putDeliveryMark('q', 2);
      ctx.store.putDeliveryMark('q', 700);
      ctx.store.putDeliveryMark('gone', 5);
      ctx.store.purgeMessages('q', 3);
      ctx.store.deleteQueue(gone);
      await written(ctx.store);
      await ctx.restart();
      expect(await ctx.store.recoverQueue(q)).toEqual({ count: 2, lastSeq: 2, deliveredUpTo: 700 });
      ctx.store.putQueue(gone);
      expect(await ctx.store.recoverQueue(gone)).toEqual({ count: 0, lastSeq: 0, deliveredUpTo: 0 });
    });

    it('purges all of a queue, or from a seq on, in order with the writes around it', async () => {
      ctx.put('q1', [1, 2, 3, 4, 5]);
      ctx.put('q10', [1, 2]);
      ctx.store.purgeMessages('q1', 4);
      await written(ctx.store);
      expect(await ctx.seqs('q1')).toEqual([1, 2, 3]);
      ctx.store.purgeMessages('q1');
      ctx.put('q1', [6]);
      await written(ctx.store);
      expect(await ctx.seqs('q1')).toEqual([6]);
      expect(await ctx.seqs('q10')).toEqual([1, 2]);
    });

    it('deletes a queue with its messages, in order with the writes around it', async () => {
      const [q1, q2] = [queueRecord('q1'), queueRecord('q2')];
      ctx.store.putQueue(q1);
      ctx.store.putQueue(q2);
      ctx.put('q1', [1, 2]);
      ctx.put('q1', [3], false);
      ctx.put('q2', [1]);
      ctx.store.deleteQueue(q1);
      ctx.put('q2', [2]);
      await written(ctx.store);
      expect((await ctx.store.loadTopology()).queues).toEqual([q2]);
      expect(await ctx.seqs('q1')).toEqual([]);
      expect(await ctx.seqs('q2')).toEqual([1, 2]);
    });
  });
}
