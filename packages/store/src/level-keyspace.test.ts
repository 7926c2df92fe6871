import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelKeyspace } from './level-keyspace.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const written = (keys: LevelKeyspace) => new Promise<void>((resolve, reject) => keys.commit().onSettled((e) => (e ? reject(e) : resolve())));

describe('LevelKeyspace', () => {
  it('writes queued in one turn land in one synced batch, read back in key order after reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warren-keyspace-'));
    dirs.push(dir);
    let keys = await LevelKeyspace.open(dir);
    keys.put('b', Buffer.from('2'), true);
    keys.put('a', new Uint8Array([49]), false);
    keys.put('c', Buffer.from('3'), false);
    await written(keys);
    expect(keys.stats).toEqual({ batches: 1, syncs: 1 });
    keys.clear('c', 'd');
    keys.del('b');
    await written(keys);
    await keys.close();
    keys = await LevelKeyspace.open(dir);
    expect((await keys.range('a', 'z')).map(([k, v]) => [k, v.toString()])).toEqual([['a', '1']]);
    expect(await keys.get('b')).toBeUndefined();
    await keys.close();
  });
});
