/**
 * The Store contract (ports.ts): one vitest suite that every Store runs, the in-memory store in
 * core and the LevelDB store in @warren/store, so the core may rely on exactly this whichever
 * store it is given. It covers what a store keeps and gives back, recovery at boot, and the
 * ticket semantics of group commit. Speed and the stored format are each store's own business.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../message.js';
import type { BindingRecord, ExchangeRecord, QueueRecord, ScheduledRecord, Store, Topology } from '../ports.js';

export interface StoreHarness {
  /** A new store over empty data, not opened yet. */
  store: Store;
  /** A new store over the same data, not opened yet; the suite has closed the previous one. */
  reopen(): Promise<Store>;
  /** Removes the data, once the suite has closed its store. */
  cleanup(): Promise<void>;
}

export function storeContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
      await store.open();
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    async function restart(): Promise<void> {
      await store.close();
      store = await harness.reopen();
      await store.open();
    }

    const seqs = async (queueId: string, fromSeq = 0, limit = 10_000): Promise<number[]> =>
      (await store.readMessages(queueId, fromSeq, limit)).map((stored) => stored.seq);

    const put = (queueId: string, seqList: number[], durable = true): void => {
      for (const seq of seqList) store.putMessage(queueId, seq, message(`${queueId}/${seq}`), durable, false);
    };

    describe('topology', () => {
      it('loads what was put, minus what was deleted, across a restart', async () => {
        const exchanges = [
          { ...exchange('/', 'orders', 'topic'), arguments: { 'alternate-exchange': 'ae' } },
          // Names that look like key separators must not collide.
          exchange('/', 'a!b', 'direct'),
          exchange('/!a', 'b', 'fanout'),
          exchange('other', 'orders', 'headers'),
        ];
        store.putExchange(exchange('/', 'orders', 'topic'));
        for (const e of exchanges) store.putExchange(e);
        store.putExchange(exchange('/', 'gone', 'direct'));
        store.deleteExchange('/', 'gone');

        const queues = [queueRecord('q1'), queueRecord('q2')];
        for (const q of queues) store.putQueue(q);
        store.putQueue(queueRecord('gone'));
        store.deleteQueue(queueRecord('gone'));

        const bindings = [
          binding('orders', 'name-q1', 'a.*', {}),
          binding('orders', 'name-q1', 'a.*', { 'x-match': 'all', b: 1 }),
          { ...binding('orders', 'other', '#', {}), destinationType: 'exchange' as const },
        ];
        for (const b of bindings) store.putBinding(b);
        store.putBinding(binding('orders', 'name-q2', 'k', { a: 1, z: { y: 2, x: 3 } }));
        // The same arguments in another key order name the same binding.
        store.deleteBinding(binding('orders', 'name-q2', 'k', { z: { x: 3, y: 2 }, a: 1 }));

        const policies = [
          { vhost: '/', name: 'dlx', pattern: '^orders', applyTo: 'queues' as const, priority: 1, definition: { 'dead-letter-exchange': 'dead' } },
          { vhost: 'v!2', name: 'p!1', pattern: '.*', applyTo: 'all' as const, priority: 0, definition: { 'max-length': 10 } },
        ];
        for (const p of policies) store.putPolicy(p);
        store.putPolicy({ ...policies[0]!, name: 'gone' });
        store.deletePolicy('/', 'gone');

        await written(store);
        const expected: Topology = { exchanges, queues, bindings, policies };
        expect(sortedTopology(await store.loadTopology())).toEqual(sortedTopology(expected));
        await restart();
        expect(sortedTopology(await store.loadTopology())).toEqual(sortedTopology(expected));
      });
    });

    describe('messages', () => {
      it('reads in seq order, a page at a time', async () => {
        put('q', [256, 2, 2 ** 40, 16, 255, 1]);
        await written(store);
        expect(await seqs('q')).toEqual([1, 2, 16, 255, 256, 2 ** 40]);
        expect(await seqs('q', 16, 2)).toEqual([16, 255]);
        expect(await seqs('q', 17, 10)).toEqual([255, 256, 2 ** 40]);
        expect(await seqs('q', 2 ** 40 + 1, 10)).toEqual([]);
        expect(await seqs('unknown')).toEqual([]);
      });

      it('keeps queues apart, even when one id starts with another', async () => {
        const ids = ['q1', 'q10', 'q1!x', 'q1%21x', 'q'];
        for (const id of ids) put(id, [1, 2]);
        await written(store);
        for (const id of ids) {
          const page = await store.readMessages(id, 0, 100);
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
        store.putMessage('q', 1, full, true, false);
        store.putMessage('q', 2, bare, false, false);
        await written(store);
        const page = await store.readMessages('q', 0, 10);
        expect(page.map((stored) => ({ seq: stored.seq, message: plain(stored.message) }))).toEqual([
          { seq: 1, message: plain(full) },
          { seq: 2, message: plain(bare) },
        ]);
      });

      it('deletes single messages', async () => {
        put('q', [1, 2, 3, 4, 5]);
        store.deleteMessage('q', 2);
        store.deleteMessage('q', 4);
        store.deleteMessage('q', 9);
        await written(store);
        expect(await seqs('q')).toEqual([1, 3, 5]);
      });

      it('keeps delivery counts beside their messages, across a rewrite and a restart, and drops them with them', async () => {
        put('q', [1, 2, 3, 4]);
        store.putDeliveryCount('q', 2, 1);
        store.putDeliveryCount('q', 2, 2);
        store.putDeliveryCount('q', 3, 1);
        store.putDeliveryCount('q', 4, 7);
        store.putMessage('q', 2, { ...message('q/2'), headers: { rewritten: true } }, true, false);
        store.deleteMessage('q', 3);
        store.purgeMessages('q', 4);
        await written(store);
        await restart();
        const page = await store.readMessages('q', 0, 10);
        expect(page.map(({ seq, deliveryCount }) => ({ seq, deliveryCount }))).toEqual([
          { seq: 1, deliveryCount: undefined },
          { seq: 2, deliveryCount: 2 },
        ]);
        expect(page[1]?.message.headers).toEqual({ rewritten: true });
        put('q', [3, 4]);
        await written(store);
        expect((await store.readMessages('q', 2, 10)).map((stored) => stored.deliveryCount)).toEqual([2, undefined, undefined]);
      });

      it('keeps the delivery mark of a queue across a purge and a restart, and drops it with the queue', async () => {
        const [q, gone] = [queueRecord('q'), queueRecord('gone')];
        store.putQueue(q);
        store.putQueue(gone);
        put('q', [1, 2, 3]);
        put('gone', [1]);
        store.putDeliveryMark('q', 2);
        store.putDeliveryMark('q', 700);
        store.putDeliveryMark('gone', 5);
        store.purgeMessages('q', 3);
        store.deleteQueue(gone);
        await written(store);
        await restart();
        expect(await store.recoverQueue(q)).toEqual({ count: 2, lastSeq: 2, deliveredUpTo: 700 });
        store.putQueue(gone);
        expect(await store.recoverQueue(gone)).toEqual({ count: 0, lastSeq: 0, deliveredUpTo: 0 });
      });

      it('purges all of a queue, or from a seq on, in order with the writes around it', async () => {
        put('q1', [1, 2, 3, 4, 5]);
        put('q10', [1, 2]);
        store.purgeMessages('q1', 4);
        await written(store);
        expect(await seqs('q1')).toEqual([1, 2, 3]);
        store.purgeMessages('q1');
        put('q1', [6]);
        await written(store);
        expect(await seqs('q1')).toEqual([6]);
        expect(await seqs('q10')).toEqual([1, 2]);
      });

      it('deletes a queue with its messages, in order with the writes around it', async () => {
        const [q1, q2] = [queueRecord('q1'), queueRecord('q2')];
        store.putQueue(q1);
        store.putQueue(q2);
        put('q1', [1, 2]);
        put('q1', [3], false);
        put('q2', [1]);
        store.deleteQueue(q1);
        put('q2', [2]);
        await written(store);
        expect((await store.loadTopology()).queues).toEqual([q2]);
        expect(await seqs('q1')).toEqual([]);
        expect(await seqs('q2')).toEqual([1, 2]);
      });
    });

    describe('recovery', () => {
      it('keeps the durable messages of a durable queue and reports their count and last seq', async () => {
        const q = queueRecord('q');
        store.putQueue(q);
        put('q', [1, 3, 5]);
        put('q', [2, 4, 6], false);
        store.deleteMessage('q', 2);
        store.deleteMessage('q', 5);
        await restart();
        expect(await store.recoverQueue(q)).toEqual({ count: 2, lastSeq: 3, deliveredUpTo: 0 });
        expect(await seqs('q')).toEqual([1, 3]);

        // Seq 4 was a transient message's; reused for a durable one, it must survive.
        put('q', [4]);
        await restart();
        expect(await store.recoverQueue(q)).toEqual({ count: 3, lastSeq: 4, deliveredUpTo: 0 });
        expect(await seqs('q')).toEqual([1, 3, 4]);
      });

      it('removes every message of a queue that is not durable', async () => {
        const q = queueRecord('q', false);
        put('q', [1]);
        put('q', [2], false);
        await restart();
        expect(await store.recoverQueue(q)).toEqual({ count: 0, lastSeq: 0, deliveredUpTo: 0 });
        expect(await seqs('q')).toEqual([]);
      });

      it('reports an empty queue as count 0, last seq 0', async () => {
        await restart();
        expect(await store.recoverQueue(queueRecord('q'))).toEqual({ count: 0, lastSeq: 0, deliveredUpTo: 0 });
      });

      it('drops the messages of every queue id not kept, and only those', async () => {
        const ids = ['a', 'ab', 'b', 'b!', 'c'];
        for (const id of ids) put(id, [1, 2, 3]);
        put('b', [4], false);
        await restart();
        await store.dropQueuesExcept(new Set(['a', 'ab', 'c', 'never-stored']));
        expect(await seqs('a')).toEqual([1, 2, 3]);
        expect(await seqs('ab')).toEqual([1, 2, 3]);
        expect(await seqs('b')).toEqual([]);
        expect(await seqs('b!')).toEqual([]);
        expect(await seqs('c')).toEqual([1, 2, 3]);

        // Nothing of the dropped queue lingers: a durable message at its old transient seq stays.
        put('b', [4]);
        await restart();
        expect(await store.recoverQueue(queueRecord('b'))).toEqual({ count: 1, lastSeq: 4, deliveredUpTo: 0 });
      });
    });

    describe('tickets', () => {
      it('calls back once the writes are readable', async () => {
        put('q', [1, 2]);
        const ticket = store.ticket();
        const page = await new Promise<number[]>((resolve, reject) => {
          store.whenWritten(ticket, (error) => {
            if (error) reject(error);
            else store.readMessages('q', 0, 10).then((stored) => resolve(stored.map((s) => s.seq)), reject);
          });
        });
        expect(page).toEqual([1, 2]);
      });

      it('never calls back inside the call, even for a ticket written already or ticket 0', async () => {
        const calls: string[] = [];
        let returned = false;
        store.whenWritten(0, () => calls.push(returned ? 'zero later' : 'zero inside'));
        put('q', [1]);
        store.whenWritten(store.ticket(), () => calls.push(returned ? 'pending later' : 'pending inside'));
        returned = true;
        await written(store);
        returned = false;
        store.whenWritten(store.ticket(), () => calls.push(returned ? 'done later' : 'done inside'));
        returned = true;
        await written(store);
        expect(calls).toEqual(['zero later', 'pending later', 'done later']);
      });

      it('calls back in ticket order, each with every earlier write applied', async () => {
        const order: number[] = [];
        const reads: Array<Promise<{ round: number; count: number }>> = [];
        for (let round = 0; round < 6; round++) {
          put('q', Array.from({ length: 20 }, (_, i) => round * 20 + i + 1));
          if (round === 3) store.purgeMessages('other');
          const ticket = store.ticket();
          reads.push(
            new Promise((resolve, reject) =>
              store.whenWritten(ticket, (error) => {
                if (error) return reject(error);
                order.push(ticket);
                store.readMessages('q', 0, 1000).then((page) => resolve({ round, count: page.length }), reject);
              }),
            ),
          );
          // Lets the write queue move on between rounds.
          await store.readMessages('other', 0, 1);
        }
        for (const { round, count } of await Promise.all(reads)) expect(count).toBeGreaterThanOrEqual((round + 1) * 20);
        expect(order).toEqual([...order].sort((a, b) => a - b));

        // Waiters registered out of order, before either write is applied, still run in order.
        put('q', [1000]);
        const first = store.ticket();
        store.purgeMessages('other');
        put('q', [1001]);
        const second = store.ticket();
        const late: number[] = [];
        const waitFor = (ticket: number): Promise<void> =>
          new Promise((resolve) =>
            store.whenWritten(ticket, () => {
              late.push(ticket);
              resolve();
            }),
          );
        await Promise.all([waitFor(second), waitFor(first)]);
        expect(second).toBeGreaterThanOrEqual(first);
        expect(late).toEqual([...late].sort((a, b) => a - b));
      });

      it('writes a synced message like any other, and it survives a restart', async () => {
        store.putMessage('q', 1, message('m'), true, true);
        put('q', [2]);
        await written(store);
        expect(await seqs('q')).toEqual([1, 2]);
        await restart();
        expect(await seqs('q')).toEqual([1, 2]);
      });

      it('puts the writes of one tick in one batch', async () => {
        const before = store.ticket();
        const tickets = new Set<number>();
        for (let seq = 1; seq <= 1000; seq++) {
          store.putMessage('q', seq, message(`m${seq}`), true, seq % 100 === 0);
          tickets.add(store.ticket());
        }
        expect(tickets.size).toBe(1);
        expect([...tickets][0]).toBeGreaterThan(before);
        await written(store);
        expect((await seqs('q')).length).toBe(1000);
      });

      it('groups the writes that arrive while a batch is in flight', async () => {
        const tickets = new Set<number>();
        const producer = async (queueId: string): Promise<void> => {
          for (let seq = 1; seq <= 50; seq++) {
            store.putMessage(queueId, seq, message(`${queueId}/${seq}`), true, true);
            tickets.add(store.ticket());
            await written(store);
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, i) => producer(`p${i}`)));
        // 1,000 synced writes, each waited for: one batch per round of the 20 producers.
        expect(tickets.size).toBeLessThanOrEqual(100);
        expect(await seqs('p19')).toHaveLength(50);
      });

      it('applies queued writes before close() resolves', async () => {
        const q = queueRecord('q');
        store.putQueue(q);
        put('q', Array.from({ length: 100 }, (_, i) => i + 1));
        let calledBack = false;
        store.whenWritten(store.ticket(), () => (calledBack = true));
        await store.close();
        expect(calledBack).toBe(true);
        store = await harness.reopen();
        await store.open();
        expect((await store.loadTopology()).queues).toEqual([q]);
        expect(await seqs('q')).toHaveLength(100);
      });
    });

    describe('record spaces', () => {
      const ids = (records: { id: string }[]) => records.map((r) => r.id);

      it('reads records in id order, both ways, from an id on, across a restart', async () => {
        for (const id of ['0003', '0001', '0002', '0004']) store.putRecord('audit', id, { id, n: Number(id) }, false);
        store.putRecord('redrive', 'job-a', { state: 'running' }, true);
        store.putRecord('redrive', 'job-a', { state: 'completed' }, true);
        store.deleteRecord('audit', '0004');
        await written(store);
        await restart();
        expect(ids(await store.readRecords('audit', { limit: 10 }))).toEqual(['0001', '0002', '0003']);
        expect(ids(await store.readRecords('audit', { limit: 2, reverse: true }))).toEqual(['0003', '0002']);
        expect(ids(await store.readRecords('audit', { from: '0002', limit: 10 }))).toEqual(['0002', '0003']);
        expect(ids(await store.readRecords('audit', { from: '0002', limit: 10, reverse: true }))).toEqual(['0002', '0001']);
        expect(await store.readRecords('redrive', { limit: 10 })).toEqual([{ id: 'job-a', value: { state: 'completed' } }]);
        expect(await store.readRecords('audit', { limit: 0 })).toEqual([]);
      });

      it('trims the records before an id, and only in its own space', async () => {
        for (const id of ['a1', 'a2', 'a3']) store.putRecord('audit', id, {}, false);
        store.putRecord('redrive', 'a1', {}, false);
        store.trimRecords('audit', 'a3');
        await written(store);
        expect(ids(await store.readRecords('audit', { limit: 10 }))).toEqual(['a3']);
        expect(ids(await store.readRecords('redrive', { limit: 10 }))).toEqual(['a1']);
      });
    });

    describe('dedup ids', () => {
      const loaded = async (queueId: string): Promise<Array<[string, number]>> =>
        (await store.loadDedupIds(queueId)).map((r): [string, number] => [r.id, r.at]).sort((x, y) => x[1] - y[1]);

      it('keeps the ids of each queue apart across a restart, minus the deleted ones', async () => {
        store.putDedupId('q1', 'order-1', 1_000);
        store.putDedupId('q1', 'a!b%21c', 2_000);
        store.putDedupId('q1', 'gone', 3_000);
        store.putDedupId('q10', 'order-1', 4_000);
        store.deleteDedupId('q1', 'gone');
        await written(store);
        await restart();
        expect(await loaded('q1')).toEqual([['order-1', 1_000], ['a!b%21c', 2_000]]);
        expect(await loaded('q10')).toEqual([['order-1', 4_000]]);
        expect(await loaded('other')).toEqual([]);
      });

      it('drops a queue\'s ids with the queue, and those of queues that did not survive', async () => {
        const [q1, q2, q3] = [queueRecord('q1'), queueRecord('q2'), queueRecord('q3')];
        for (const [i, q] of [q1, q2, q3].entries()) {
          store.putQueue(q);
          store.putDedupId(q.id, `m${i}`, i);
        }
        store.deleteQueue(q1);
        await written(store);
        await restart();
        await store.dropQueuesExcept(new Set(['q2']));
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
        store.putScheduled(at('a', 2_000, true));
        store.putScheduled(at('b', 1_000, false));
        store.putScheduled(at('c', 3_000, true));
        store.putScheduled(at('d', 4_000, true));
        store.deleteScheduled('d');
        await written(store);
        await restart();
        const loaded = (await store.loadScheduled()).sort((x, y) => x.due - y.due);
        expect(loaded.map((r) => [r.id, r.due, r.kind, r.queue, r.queueId])).toEqual([
          ['a', 2_000, 'retry', 'q', 'q-1'],
          ['c', 3_000, 'retry', 'q', 'q-1'],
        ]);
        expect(plain(loaded[0]!.message)).toEqual(plain(message('s-a')));
        await restart();
        expect((await store.loadScheduled()).map((r) => r.id).sort()).toEqual(['a', 'c']);
      });

      it('replaces a record put again under its id (reschedule) and removes one deleted with sync (cancel)', async () => {
        const record = (id: string, due: number): ScheduledRecord => ({
          id, due, vhost: '/', kind: 'delay', exchange: 'x', message: message(`s-${id}`), durable: true,
        });
        store.putScheduled(record('moved', 5_000));
        store.putScheduled(record('cancelled', 6_000));
        await written(store);
        store.putScheduled(record('moved', 1_000));
        store.deleteScheduled('cancelled', true);
        await written(store);
        await restart();
        expect((await store.loadScheduled()).map((r) => [r.id, r.due])).toEqual([['moved', 1_000]]);
      });
    });
  });
}

function written(store: Store): Promise<void> {
  return new Promise((resolve, reject) => store.whenWritten(store.ticket(), (error) => (error ? reject(error) : resolve())));
}

function message(id: string): Message {
  return {
    id,
    exchange: 'x',
    routingKey: 'k',
    properties: { persistent: true },
    headers: { n: 1 },
    body: Uint8Array.from(id, (char) => char.charCodeAt(0)),
    persistent: true,
    publishedAt: 1_000,
  };
}

/** A message with its body as a plain array, so Buffer and Uint8Array bodies compare equal. */
function plain(m: Message): object {
  return { ...m, body: Array.from(m.body) };
}

function exchange(vhost: string, name: string, type: ExchangeRecord['type']): ExchangeRecord {
  return { vhost, name, type, durable: true, autoDelete: false, internal: false, arguments: {} };
}

function queueRecord(id: string, durable = true): QueueRecord {
  return { id, vhost: '/', name: `name-${id}`, durable, exclusive: false, autoDelete: false, arguments: {} };
}

function binding(source: string, destination: string, routingKey: string, args: Record<string, unknown>): BindingRecord {
  return { vhost: '/', source, destination, destinationType: 'queue', routingKey, arguments: args };
}

function sortedTopology(topology: Topology): Topology {
  const sorted = <T>(items: T[]): T[] => [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    exchanges: sorted(topology.exchanges),
    queues: sorted(topology.queues),
    bindings: sorted(topology.bindings),
    policies: sorted(topology.policies),
  };
}
