/** Store contract: group commit: a ticket is written (and synced when asked) with everything before it. */
import { describe, expect, it } from 'vitest';
import { type StoreContext, written, message, queueRecord } from './context.js';

export function ticketsContract(ctx: StoreContext): void {
  describe('tickets', () => {
    it('calls back once the writes are readable', async () => {
      ctx.put('q', [1, 2]);
      const ticket = ctx.store.ticket();
      const page = await new Promise<number[]>((resolve, reject) => {
        ctx.store.whenWritten(ticket, (error) => {
          if (error) reject(error);
          else ctx.store.readMessages('q', 0, 10).then((stored) => resolve(stored.map((s) => s.seq)), reject);
        });
      });
      expect(page).toEqual([1, 2]);
    });

    it('never calls back inside the call, even for a ticket written already or ticket 0', async () => {
      const calls: string[] = [];
      let returned = false;
      ctx.store.whenWritten(0, () => calls.push(returned ? 'zero later' : 'zero inside'));
      ctx.put('q', [1]);
      ctx.store.whenWritten(ctx.store.ticket(), () => calls.push(returned ? 'pending later' : 'pending inside'));
      returned = true;
      await written(ctx.store);
      returned = false;
      ctx.store.whenWritten(ctx.store.ticket(), () => calls.push(returned ? 'done later' : 'done inside'));
      returned = true;
      await written(ctx.store);
      expect(calls).toEqual(['zero later', 'pending later', 'done later']);
    });

    it('calls back in ticket order, each with every earlier write applied', async () => {
      const order: number[] = [];
      const reads: Array<Promise<{ round: number; count: number }>> = [];
      for (let round = 0; round < 6; round++) {
        ctx.put('q', Array.from({ length: 20 }, (_, i) => round * 20 + i + 1));
        if (round === 3) ctx.store.purgeMessages('other');
        const ticket = ctx.store.ticket();
        reads.push(
          new Promise((resolve, reject) =>
            ctx.store.whenWritten(ticket, (error) => {
              if (error) return reject(error);
              order.push(ticket);
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
      const first = ctx.store.ticket();
      ctx.store.purgeMessages('other');
      ctx.put('q', [1001]);
      const second = ctx.store.ticket();
      const late: number[] = [];
      const waitFor = (ticket: number): Promise<void> =>
        new Promise((resolve) =>
          ctx.store.whenWritten(ticket, () => {
            late.push(ticket);
            resolve();
          }),
        );
      await Promise.all([waitFor(second), waitFor(first)]);
      expect(second).toBeGreaterThanOrEqual(first);
      expect(late).toEqual([...late].sort((a, b) => a - b));
    });

    it('writes a synced message like any other, and it survives a restart', async () => {
      ctx.store.putMessage('q', 1, message('m'), true, true);
      ctx.put('q', [2]);
      await written(ctx.store);
      expect(await ctx.seqs('q')).toEqual([1, 2]);
      await ctx.restart();
      expect(await ctx.seqs('q')).toEqual([1, 2]);
    });

    it('puts the writes of one tick in one batch', async () => {
      const before = ctx.store.ticket();
      const tickets = new Set<number>();
      for (let seq = 1; seq <= 1000; seq++) {
        ctx.store.putMessage('q', seq, message(`m${seq}`), true, seq % 100 === 0);
        tickets.add(ctx.store.ticket());
      }
      expect(tickets.size).toBe(1);
      expect([...tickets][0]).toBeGreaterThan(before);
      await written(ctx.store);
      expect((await ctx.seqs('q')).length).toBe(1000);
    });

    it('groups the writes that arrive while a batch is in flight', async () => {
      const tickets = new Set<number>();
      const producer = async (queueId: string): Promise<void> => {
        for (let seq = 1; seq <= 50; seq++) {
          ctx.store.putMessage(queueId, seq, message(`${queueId}/${seq}`), true, true);
          tickets.add(ctx.store.ticket());
          await written(ctx.store);
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => producer(`p${i}`)));
      // 1,000 synced writes, each waited for: one batch per round of the 20 producers.
      expect(tickets.size).toBeLessThanOrEqual(100);
      expect(await ctx.seqs('p19')).toHaveLength(50);
    });

    it('applies queued writes before close() resolves', async () => {
      const q = queueRecord('q');
      ctx.store.putQueue(q);
      ctx.put('q', Array.from({ length: 100 }, (_, i) => i + 1));
      let calledBack = false;
      ctx.store.whenWritten(ctx.store.ticket(), () => (calledBack = true));
      await ctx.store.close();
      expect(calledBack).toBe(true);
      await ctx.reopen();
      expect((await ctx.store.loadTopology()).queues).toEqual([q]);
      expect(await ctx.seqs('q')).toHaveLength(100);
    });
  });
}
