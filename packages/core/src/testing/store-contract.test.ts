import { MemoryDisk, MemoryStore } from './memory-store.js';
import { storeContract } from './store-contract.js';

storeContract('MemoryStore', async () => {
  const disk = new MemoryDisk();
  return {
    store: new MemoryStore(disk),
    reopen: async () => new MemoryStore(disk),
    cleanup: async () => {},
  };
});
