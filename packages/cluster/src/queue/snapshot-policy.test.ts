import { describe, expect, it } from 'vitest';
import { replicatedQueueMachine } from './replicated-queue.js';
import { snapshotEvery } from './snapshot-policy.js';

const RECORD = { id: 'q', vhost: '/', name: 'q', durable: true, exclusive: false, autoDelete: false, arguments: {} };

describe('when a replicated queue snapshots its contents', () => {
  it('waits for the entry floor only once the log bytes since the last snapshot reach factor × its size', () => {
    const machine = replicatedQueueMachine(RECORD);
    let state = machine.init();
    const policy = { minEntries: 10, factor: 2 };
    // Nothing snapshotted yet: the entry floor alone decides.
    expect(snapshotEvery(policy, state)).toBe(10);
    const body = new Uint8Array(1000);
    let index = 0;
    // As a follower gets them: the entry's bytes, decoded.
    const publish = (id: string) => (state = machine.apply(state, machine.decode(machine.encode({ t: 'enqueue', id, client: 'p', now: 1, body }).slice()), { index: ++index, term: 1 }).state);
    for (let i = 0; i < 20; i++) publish(`m${i}`);
    expect(state.logBytes).toBeGreaterThan(20 * 1000);
    const size = machine.snapshot(state).length;
    expect(state.snapshotBytes).toBe(size);
    expect(state.logBytes).toBe(0);
    // A big backlog is not written again until twice its size went through the log.
    expect(snapshotEvery(policy, state)).toBe(Number.MAX_SAFE_INTEGER);
    while (state.logBytes < 2 * size) {
      publish(`n${index}`);
      if (state.logBytes < 2 * size) expect(snapshotEvery(policy, state)).toBe(Number.MAX_SAFE_INTEGER);
    }
    expect(snapshotEvery(policy, state)).toBe(10);
  });
});
