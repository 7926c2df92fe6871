/** Store contract: group commit: a commit handle settles once its writes, and everything before them, are written (synced when asked). */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../commit.js';
import { type StoreContext, written, message, queueRecord } from './context.js';

const settled = (commit: Commit): Promise<Error | undefined> => new Promise((resolve) => commit.onSettled(resolve));

export function commitsContract(ctx: StoreContext): void {
  describe('commit handles', () => {
    it('settles once the writes are readable', async () => {
      ctx.put('q', [1, 2]);
      const commit = ctx.store.commit();
      const page = await new Promise<number[]>((resolve, reject) => {
        commit.onSettled((error) => {
          if (error) reject(error);
          else ctx.store.readMessages('q', 0, 10).then((stored) => resolve(stored.map((s) => s.seq)), reject);
        });
      });
      expect(page).toEqual([1, 2]);
      expect([commit.done, commit.error]).toEqual([true, undefined]);
    });

    it('hands out a settled handle when nothing is pending', async () => {
      await written(ctx.store);
      const commit = ctx.store.commit();
      expect(commit.done).toBe(true);
      expect(await settled(commit)).toBeUndefined();
    });

    it('never calls back inside onSettled, pending or settled already', async () => {
      const calls: string[] = [];
      let returned = false;
      ctx.store.commit().onSettled(() => calls.push(returned ? 'idle later' : 'idle inside'));
      ctx.put('q', [1]);
      ctx.store.commit().onSettled(() => calls.push(returned ? 'pending later' : 'pending inside'));
      returned = true;
      await written(ctx.store);
      returned = false;
      ctx.store.commit().onSettled(() => calls.push(returned ? 'done later' : 'done inside'));
      returned = true;
      await written(ctx.store);
      expect(calls).toEqual(['idle later', 'pending later', 'done later']);
    });

    it('settles handles in the order their writes were queued, each with every earlier write applied', async () => {
      const order: number[] = [];
      const reads: Array<Promise<{ round: number; count: number }>> = [];
      for (let round = 0; round < 6; round++) {
        ctx.put('q', Array.from({ length: 20 }, (_, i) => round * 20 + i + 1));
        if (round === 3) ctx.store.purgeMessages('other');
        const commit = ctx.store.commit();
        reads.push(
          new Promise((resolve, reject) =>
            commit.onSettled((error) => {
              if (error) return reject(error);
              order.push(round);
              ctx.store.readMessages('q', 0, 1000).then((page) => resolve({ round, count: page.length }), reject);
            }),
          ),
        );
        // Lets the write queue move on between rounds.
        await ctx.store.readMessages('other', 0, 1);
      }
      for (const { round, count } of await Promise.all(reads)) expect(count).toBeGreaterThanOrEqual((round + 1) * 20);
      expect(order).toEqual([...order].sort((a, b) => a - b));

      // Waiters registered out of order, before either write is applied, still run in order.
      ctx.put('q', [1000]);
      const first = ctx.store.commit();
      ctx.store.purgeMessages('other');
      ctx.put('q', [1001]);
      const second = ctx.store.commit();
      const late: string[] = [];
      const waitFor = (commit: Commit, name: string): Promise<void> =>
        new Promise((resolve) =>
          commit.onSettled(() => {
            late.push(name);
            resolve();
          }),
        );
      await Promise.all([waitFor(second, 'second'), waitFor(first, 'first')]);
      expect(first === second ? ['second', 'first'] : ['first', 'second']).toEqual(late);
    });

    it('a later handle settled means every earlier one is', async () => {
      const handles: Commit[] = [];
      for (let round = 0; round < 5; round++) {
        ctx.put('q', [round + 1]);
        handles.push(ctx.store.commit());
        await ctx.store.readMessages('other', 0, 1);
      }
      await settled(handles[handles.length - 1] as Commit);
      expect(handles.map((h) => h.done)).toEqual([true, true, true, true, true]);
    });

    it('writes a synced message like any other, and it survives a restart', async () => {
      ctx.store.putMessage('q', 1, message('m'), true, true);
      ctx.put('q', [2]);
      await written(ctx.store);
      expect(await ctx.seqs('q')).toEqual([1, 2]);
      await ctx.restart();
      expect(await ctx.seqs('q')).toEqual([1, 2]);
    });

    it('puts the writes of one tick under one handle', async () => {
      const before = ctx.store.commit();
      const handles = new Set<Commit>();
      for (let seq = 1; seq <= 1000; seq++) {
        ctx.store.putMessage('q', seq, message(`m${seq}`), true, seq % 100 === 0);
        handles.add(ctx.store.commit());
      }
      expect(handles.size).toBe(1);
      expect(handles.has(before)).toBe(false);
      await written(ctx.store);
      expect((await ctx.seqs('q')).length).toBe(1000);
    });

    it('groups the writes that arrive while a batch is in flight', async () => {
      const handles = new Set<Commit>();
      const producer = async (queueId: string): Promise<void> => {
        for (let seq = 1; seq <= 50; seq++) {
          ctx.store.putMessage(queueId, seq, message(`${queueId}/${seq}`), true, true);
          handles.add(ctx.store.commit());
          await written(ctx.store);
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => producer(`p${i}`)));
      // 1,000 synced writes, each waited for: one batch per round of the 20 producers.
      expect(handles.size).toBeLessThanOrEqual(100);
      expect(await ctx.seqs('p19')).toHaveLength(50);
    });

    it('applies queued writes before close() resolves', async () => {
      const q = queueRecord('q');
      ctx.store.putQueue(q);
      ctx.put('q', Array.from({ length: 100 }, (_, i) => i + 1));
      let calledBack = false;
      ctx.store.commit().onSettled(() => (calledBack = true));
      await ctx.store.close();
      expect(calledBack).toBe(true);
      await ctx.reopen();
      expect((await ctx.store.loadTopology()).queues).toEqual([q]);
      expect(await ctx.seqs('q')).toHaveLength(100);
    });
  });
}
