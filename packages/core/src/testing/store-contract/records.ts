/** Store contract: the other record spaces: their isolation, dedup ids and scheduled messages. */
import { describe, expect, it } from 'vitest';
import type { ScheduledRecord } from '../../ports.js';
import { type StoreContext, written, message, plain, queueRecord } from './context.js';

export function recordsContract(ctx: StoreContext): void {
  describe('record spaces', () => {
    const ids = (records: { id: string }[]) => records.map((r) => r.id);

    it('reads records in id order, both ways, from an id on, across a restart', async () => {
      for (const id of ['0003', '0001', '0002', '0004']) ctx.store.putRecord('audit', id, { id, n: Number(id) }, false);
      ctx.store.putRecord('redrive', 'job-a', { state: 'running' }, true);
      ctx.store.putRecord('redrive', 'job-a', { state: 'completed' }, true);
      ctx.store.deleteRecord('audit', '0004');
      await written(ctx.store);
      await ctx.restart();
      expect(ids(await ctx.store.readRecords('audit', { limit: 10 }))).toEqual(['0001', '0002', '0003']);
      expect(ids(await ctx.store.readRecords('audit', { limit: 2, reverse: true }))).toEqual(['0003', '0002']);
      expect(ids(await ctx.store.readRecords('audit', { from: '0002', limit: 10 }))).toEqual(['0002', '0003']);
      expect(ids(await ctx.store.readRecords('audit', { from: '0002', limit: 10, reverse: true }))).toEqual(['0002', '0001']);
      expect(await ctx.store.readRecords('redrive', { limit: 10 })).toEqual([{ id: 'job-a', value: { state: 'completed' } }]);
      expect(await ctx.store.readRecords('audit', { limit: 0 })).toEqual([]);
    });

    it('trims the records before an id, and only in its own space', async () => {
      for (const id of ['a1', 'a2', 'a3']) ctx.store.putRecord('audit', id, {}, false);
      ctx.store.putRecord('redrive', 'a1', {}, false);
      ctx.store.trimRecords('audit', 'a3');
      await written(ctx.store);
      expect(ids(await ctx.store.readRecords('audit', { limit: 10 }))).toEqual(['a3']);
      expect(ids(await ctx.store.readRecords('redrive', { limit: 10 }))).toEqual(['a1']);
    });
  });

  describe('dedup ids', () => {
    const loaded = async (queueId: string): Promise<Array<[string, number]>> =>
      (await ctx.store.loadDedupIds(queueId)).map((r): [string, number] => [r.id, r.at]).sort((x, y) => x[1] - y[1]);

    it('keeps the ids of each queue apart across a restart, minus the deleted ones', async () => {
      ctx.store.putDedupId('q1', 'order-1', 1_000);
      ctx.store.putDedupId('q1', 'a!b%21c', 2_000);
      ctx.store.putDedupId('q1', 'gone', 3_000);
      ctx.store.putDedupId('q10', 'order-1', 4_000);
      ctx.store.deleteDedupId('q1', 'gone');
      await written(ctx.store);
      await ctx.restart();
      expect(await loaded('q1')).toEqual([['order-1', 1_000], ['a!b%21c', 2_000]]);
      expect(await loaded('q10')).toEqual([['order-1', 4_000]]);
      expect(await loaded('other')).toEqual([]);
    });

    it('drops a queue\'s ids with the queue, and those of queues that did not survive', async () => {
      const [q1, q2, q3] = [queueRecord('q1'), queueRecord('q2'), queueRecord('q3')];
      for (const [i, q] of [q1, q2, q3].entries()) {
        ctx.store.putQueue(q);
        ctx.store.putDedupId(q.id, `m${i}`, i);
      }
      ctx.store.deleteQueue(q1);
      await written(ctx.store);
      await ctx.restart();
      await ctx.store.dropQueuesExcept(new Set(['q2']));
      expect(await loaded('q1')).toEqual([]);
      expect(await loaded('q2')).toEqual([['m1', 1]]);
      expect(await loaded('q3')).toEqual([]);
    });
  });

  describe('scheduled messages', () => {
    it('keeps durable scheduled messages across a restart and drops the others', async () => {
      const at = (id: string, due: number, durable: boolean): ScheduledRecord => ({
        id,
        due,
        vhost: '/',
        kind: durable ? 'retry' : 'delay',
        queue: durable ? 'q' : undefined,
        queueId: durable ? 'q-1' : undefined,
        exchange: durable ? undefined : 'x',
        message: message(`s-${id}`),
        durable,
      });
      ctx.store.putScheduled(at('a', 2_000, true));
      ctx.store.putScheduled(at('b', 1_000, false));
      ctx.store.putScheduled(at('c', 3_000, true));
      ctx.store.putScheduled(at('d', 4_000, true));
      ctx.store.deleteScheduled('d');
      await written(ctx.store);
      await ctx.restart();
      const loaded = (await ctx.store.loadScheduled()).sort((x, y) => x.due - y.due);
      expect(loaded.map((r) => [r.id, r.due, r.kind, r.queue, r.queueId])).toEqual([
        ['a', 2_000, 'retry', 'q', 'q-1'],
        ['c', 3_000, 'retry', 'q', 'q-1'],
      ]);
      expect(plain(loaded[0]!.message)).toEqual(plain(message('s-a')));
      await ctx.restart();
      expect((await ctx.store.loadScheduled()).map((r) => r.id).sort()).toEqual(['a', 'c']);
    });

    it('replaces a record put again under its id (reschedule) and removes one deleted with sync (cancel)', async () => {
      const record = (id: string, due: number): ScheduledRecord => ({
        id, due, vhost: '/', kind: 'delay', exchange: 'x', message: message(`s-${id}`), durable: true,
      });
      ctx.store.putScheduled(record('moved', 5_000));
      ctx.store.putScheduled(record('cancelled', 6_000));
      await written(ctx.store);
      ctx.store.putScheduled(record('moved', 1_000));
      ctx.store.deleteScheduled('cancelled', true);
      await written(ctx.store);
      await ctx.restart();
      expect((await ctx.store.loadScheduled()).map((r) => [r.id, r.due])).toEqual([['moved', 1_000]]);
    });
  });
}
