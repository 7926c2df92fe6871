import type { Level } from 'level';
import { describe, expect, it } from 'vitest';
import type { Commit } from '@warren/core';
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

const written = (commit: Commit) => new Promise<Error | undefined>((resolve) => commit.onSettled(resolve));

describe('GroupCommit', () => {
  it('runs batches and range deletes in the order they were queued, syncing only a batch that asked', async () => {
    const fake = fakeDb();
    const writes = new GroupCommit(fake.db);
    writes.put('a', Buffer.alloc(0), false);
    const first = writes.commit();
    writes.clear('m', 'n');
    const second = writes.commit();
    writes.put('b', Buffer.alloc(0), true);
    writes.del('c');
    expect(new Set([first, second, writes.commit()]).size).toBe(3);
    expect(await written(writes.commit())).toBeUndefined();
    expect([first.done, second.done]).toEqual([true, true]);
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
    const second = writes.commit();
    fake.holdWrites(false);
    fake.release();
    expect(await written(second)).toBeUndefined();
    expect(fake.calls).toEqual([
      { batch: ['put a'], sync: true },
      { batch: ['put b', 'put c'], sync: true },
    ]);
  });

  it('calls back a failed step with its error, then goes on with the next', async () => {
    const fake = fakeDb({ failFirstWrite: true });
    const writes = new GroupCommit(fake.db);
    writes.put('a', Buffer.alloc(0), true);
    const first = writes.commit();
    const failed = written(first);
    writes.clear('m', 'n');
    const next = written(writes.commit());
    expect((await failed)?.message).toBe('disk full');
    expect(await next).toBeUndefined();
    // A waiter that comes after the fact still hears of the failure, and only on that handle.
    expect((await written(first))?.message).toBe('disk full');
    expect(first.error?.message).toBe('disk full');
    expect(writes.commit().error).toBeUndefined();
  });
});
