/**
 * The Store contract (ports.ts): one vitest suite that every Store runs, the in-memory store in
 * core and the LevelDB store in @warren/store, so the core may rely on exactly this whichever
 * store it is given. It covers what a store keeps and gives back, recovery at boot, and the
 * commit handles of group commit, one part per file in store-contract/. Speed and the stored
 * format are each store's own business.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../ports.js';
import { message, type StoreContext } from './store-contract/context.js';
import { messagesContract } from './store-contract/messages.js';
import { recordsContract } from './store-contract/records.js';
import { recoveryContract } from './store-contract/recovery.js';
import { commitsContract } from './store-contract/commits.js';
import { topologyContract } from './store-contract/topology.js';

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

    const ctx: StoreContext = {
      get store() {
        return store;
      },
      async restart() {
        await store.close();
        await this.reopen();
      },
      async reopen() {
        store = await harness.reopen();
        await store.open();
      },
      seqs: async (queueId, fromSeq = 0, limit = 10_000) => (await store.readMessages(queueId, fromSeq, limit)).map((stored) => stored.seq),
      put: (queueId, seqList, durable = true) => {
        for (const seq of seqList) store.putMessage(queueId, seq, message(`${queueId}/${seq}`), durable, false);
      },
    };

    topologyContract(ctx);
    messagesContract(ctx);
    recoveryContract(ctx);
    commitsContract(ctx);
    recordsContract(ctx);
  });
}
