import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelKeyspace } from '@warren/store';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelRaftStorage } from './raft-storage.js';
import type { Entry, Ready } from './raft/types.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function open(dir?: string): Promise<{ dir: string; keys: LevelKeyspace; storage: LevelRaftStorage }> {
  const at = dir ?? (await mkdtemp(join(tmpdir(), 'warren-raft-')));
  if (dir === undefined) dirs.push(at);
  const keys = await LevelKeyspace.open(at);
  const storage = new LevelRaftStorage(keys);
  await storage.load();
  return { dir: at, keys, storage };
}

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(`e${index}`) });
const ready = (part: Partial<Ready>): Ready => ({ snapshot: undefined, entries: [], hardState: undefined, mustSync: true, messages: [], committedEntries: [], readStates: [], ...part });
const save = (storage: LevelRaftStorage, r: Ready) => new Promise<void>((resolve, reject) => storage.save(r, (e) => (e ? reject(e) : resolve())));

describe('LevelRaftStorage', () => {
  it('persists entries and hard state, overwrites a truncated tail, and reads them back after reopening', async () => {
    const { dir, keys, storage } = await open();
    await save(storage, ready({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)], hardState: { term: 1, vote: 'a', commit: 1 } }));
    await save(storage, ready({ entries: [entry(2, 2)], hardState: { term: 2, vote: 'b', commit: 2 } }));
    await keys.close();
    const again = await open(dir);
    const state = await again.storage.load();
    expect(state.hardState).toEqual({ term: 2, vote: 'b', commit: 2 });
    expect(state.entries.map((e) => [e.index, e.term, new TextDecoder().decode(e.data)])).toEqual([
      [1, 1, 'e1'],
      [2, 2, 'e2'],
    ]);
    await again.keys.close();
  });

  it('a snapshot from the leader replaces the log; compaction drops the entries a snapshot covers', async () => {
    const { dir, keys, storage } = await open();
    await save(storage, ready({ entries: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)] }));
    const conf = { voters: ['a', 'b', 'c'], learners: [] };
    storage.compact({ index: 2, term: 1, conf, data: new Uint8Array([42]) });
    await save(storage, ready({ hardState: { term: 1, vote: null, commit: 4 } }));
    await keys.close();
    let reopened = await open(dir);
    let state = await reopened.storage.load();
    expect(state.snapshot).toMatchObject({ index: 2, term: 1, conf });
    expect(state.entries.map((e) => e.index)).toEqual([3, 4]);
    await save(reopened.storage, ready({ snapshot: { index: 10, term: 3, conf, data: new Uint8Array([7]) }, entries: [entry(11, 3)] }));
    await reopened.keys.close();
    reopened = await open(dir);
    state = await reopened.storage.load();
    expect(state.snapshot).toMatchObject({ index: 10, term: 3 });
    expect([...state.snapshot!.data]).toEqual([7]);
    expect(state.entries.map((e) => e.index)).toEqual([11]);
    await reopened.keys.close();
  });

  it('compaction drops the entries it covers a few hundred a write, in the store\'s batches; reopening drops any left behind the snapshot', async () => {
    const { keys, storage } = await open();
    const conf = { voters: ['a', 'b', 'c'], learners: [] };
    const count = async () => (await keys.range('raft/e', 'raft/e~')).length;
    await save(storage, ready({ entries: Array.from({ length: 700 }, (_, i) => entry(i + 1, 1)) }));
    storage.compact({ index: 600, term: 1, conf, data: new Uint8Array([1]) });
    await save(storage, ready({ hardState: { term: 1, vote: null, commit: 700 } }));
    // The compaction and one write: 512 of the 600 gone, no range clear in the store's queue.
    expect(await count()).toBe(700 - 512);
    await save(storage, ready({ hardState: { term: 1, vote: null, commit: 700 } }));
    expect(await count()).toBe(100);
    expect((await storage.load()).entries.map((e) => e.index)).toEqual(Array.from({ length: 100 }, (_, i) => 601 + i));
    await keys.close();
  });

  it('compaction drops the entries from the first one stored; reopening drops any a crash left behind the snapshot', async () => {
    const { dir, keys, storage } = await open();
    const conf = { voters: ['a', 'b', 'c'], learners: [] };
    const stored = async (k: LevelKeyspace) => (await k.range('raft/e', 'raft/e~')).map(([key]) => Number.parseInt(key.slice('raft/e'.length), 16));
    await save(storage, ready({ entries: [1, 2, 3, 4, 5, 6].map((i) => entry(i, 1)) }));
    storage.compact({ index: 2, term: 1, conf, data: new Uint8Array([1]) });
    storage.compact({ index: 4, term: 1, conf, data: new Uint8Array([2]) });
    await save(storage, ready({ hardState: { term: 1, vote: null, commit: 6 } }));
    expect(await stored(keys)).toEqual([5, 6]);
    // As if a crash came between a compaction's snapshot and its clearing of the entries.
    keys.put(`raft/e${(3).toString(16).padStart(16, '0')}`, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0]), true);
    await save(storage, ready({ hardState: { term: 1, vote: null, commit: 6 } }));
    expect(await stored(keys)).toEqual([3, 5, 6]);
    await keys.close();
    const reopened = await open(dir);
    await save(reopened.storage, ready({ hardState: { term: 1, vote: null, commit: 6 } }));
    expect(await stored(reopened.keys)).toEqual([5, 6]);
    expect((await reopened.storage.load()).entries.map((e) => e.index)).toEqual([5, 6]);
    await reopened.keys.close();
  });

  it('group commit: the Readies of many groups saved in one turn share one fsync', async () => {
    const { keys } = await open();
    const groups = Array.from({ length: 20 }, (_, i) => new LevelRaftStorage(keys, `g${i}/`));
    const before = keys.stats.syncs;
    await Promise.all(groups.map((g, i) => save(g, ready({ entries: [entry(1, 1)], hardState: { term: 1, vote: `n${i}`, commit: 0 } }))));
    expect(keys.stats.syncs - before).toBe(1);
    await keys.close();
  });
});
