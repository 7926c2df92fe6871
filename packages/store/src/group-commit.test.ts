import type { Level } from 'level';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

type Call = { batch: string[]; sync: boolean } | { clear: string };

/** A stand-in for the database that records what reaches it; `hold` keeps writes in flight. */
function fakeDb(options: { failFirstWrite?: boolean } = {}) {
  const calls: Call[] = [];
  const held: Array<() => void> = [];
  let hold = false;
  let writes = 0;
  const db = {
    batch() {
      const ops: string[] = [];
      return {
        put: (key: string) => ops.push(`put ${key}`),
        del: (key: string) => ops.push(`del ${key}`),
        write: ({ sync }: { sync: boolean }) => {
          calls.push({ batch: ops, sync });
          if (options.failFirstWrite && writes++ === 0) return Promise.reject(new Error('disk full'));
          return hold ? new Promise<void>((resolve) => held.push(resolve)) : Promise.resolve();
        },
      };
    },
    async clear(range: { gte: string; lt: string }) {
      calls.push({ clear: `${range.gte}..${range.lt}` });
    },
  };
  return {
    db: db as unknown as Level<string, Buffer>,
    calls,
    holdWrites: (on: boolean) => (hold = on),
    release: () => held.splice(0).forEach((resolve) => resolve()),
  };
}

const written = (writes: GroupCommit, ticket: number) =>
  new Promise<Error | undefined>((resolve) => writes.whenWritten(ticket, resolve));

describe('GroupCommit', () => {
  it('runs batches and range deletes in the order they were queued, syncing only a batch that asked', async () => {
    const fake = fakeDb();
    const writes = new GroupCommit(fake.db);
    writes.put('a', Buffer.alloc(0), false);
    const first = writes.ticket();
    writes.clear('m', 'n');
    writes.put('b', Buffer.alloc(0), true);
    writes.del('c');
    expect([first, writes.ticket()]).toEqual([1, 3]);
    expect(await written(writes, writes.ticket())).toBeUndefined();
    expect(fake.calls).toEqual([{ batch: ['put a'], sync: false }, { clear: 'm..n' }, { batch: ['put b', 'del c'], sync: true }]);
  });

  it('gathers the writes queued during a flush into the next step, started as soon as it completes', async () => {
    const fake = fakeDb();
    const writes = new GroupCommit(fake.db);
    fake.holdWrites(true);
    writes.put('a', Buffer.alloc(0), true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.calls).toHaveLength(1);
    writes.put('b', Buffer.alloc(0), true);
    writes.put('c', Buffer.alloc(0), false);
    expect(writes.ticket()).toBe(2);
    fake.holdWrites(false);
    fake.release();
    expect(await written(writes, 2)).toBeUndefined();
    expect(fake.calls).toEqual([
      { batch: ['put a'], sync: true },
      { batch: ['put b', 'put c'], sync: true },
    ]);
  });

  it('calls back a failed step with its error, then goes on with the next', async () => {
    const fake = fakeDb({ failFirstWrite: true });
    const writes = new GroupCommit(fake.db);
    writes.put('a', Buffer.alloc(0), true);
    const failed = written(writes, 1);
    writes.clear('m', 'n');
    const next = written(writes, 2);
    expect((await failed)?.message).toBe('disk full');
    expect(await next).toBeUndefined();
    // A waiter that comes after the fact still hears of the failure.
    expect((await written(writes, 1))?.message).toBe('disk full');
    expect(() => writes.whenWritten(3, () => {})).toThrow(RangeError);
  });
});
