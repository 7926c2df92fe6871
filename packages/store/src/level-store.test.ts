import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../../core/src/testing/store-contract.js';
import { LevelStore } from './level-store.js';

storeContract('LevelStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'warren-store-'));
  // A directory that does not exist yet: open() must create it, parents included.
  const dir = join(root, 'data', 'store');
  return {
    store: new LevelStore(dir),
    reopen: async () => new LevelStore(dir),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
