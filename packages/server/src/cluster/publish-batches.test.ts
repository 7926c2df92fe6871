/**
 * A node's publishes to a replicated queue: those of one turn are one `enqueues` command, each
 * publish confirmed (or nacked) with it; a queue that may refuse a publish gets one command each.
 */
import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError, type QueueLogCommand } from '@warren/cluster';
import type { QueueSettings } from '@warren/core';
import { PublishBatches } from './publish-batches.js';
import { ReplicatedCommit } from './replica-answers.js';
import type { ReplicatedQueue } from './replicated-queue.js';

const queue = (settings: Partial<QueueSettings> = {}) => ({ name: 'orders', settings: { overflow: 'drop-head', ...settings } }) as unknown as ReplicatedQueue;
const turn = () => new Promise((resolve) => setImmediate(resolve));

function harness(answer: (command: QueueLogCommand) => Promise<number> = () => Promise.resolve(7)) {
  const proposed: QueueLogCommand[] = [];
  const batches = new PublishBatches('n1', (_queue, command) => {
    proposed.push(command);
    return answer(command);
  });
  const outcomes: (string | undefined)[] = [];
  const publish = (q: ReplicatedQueue, id: string, body = new Uint8Array([1])) => {
    const commit = new ReplicatedCommit(2);
    commit.onSettled((error) => outcomes.push(error === undefined ? `${id} ok` : `${id} ${(error as Error & { code?: string }).code}`));
    batches.add(q, { id, body, routingKey: 'orders' }, 1_000, commit);
  };
  return { proposed, outcomes, publish };
}

describe('PublishBatches', () => {
  it('proposes the publishes of one turn as one enqueues command, in order, and confirms each once it is committed', async () => {
    const { proposed, outcomes, publish } = harness();
    const q = queue();
    publish(q, 'm1');
    publish(q, 'm2');
    publish(q, 'm3');
    expect(proposed).toEqual([]);
    await turn();
    expect(proposed).toEqual([{ t: 'enqueues', client: 'n1', now: 1_000, messages: ['m1', 'm2', 'm3'].map((id) => ({ id, body: new Uint8Array([1]), routingKey: 'orders' })) }]);
    await turn();
    expect(outcomes).toEqual(['m1 ok', 'm2 ok', 'm3 ok']);
    // A lone publish of the next turn is an enqueue.
    publish(q, 'm4');
    await turn();
    expect(proposed[1]).toMatchObject({ t: 'enqueue', id: 'm4', client: 'n1', now: 1_000 });
  });

  it('starts a new command once one holds about 64 KiB of bodies', async () => {
    const { proposed, outcomes, publish } = harness();
    const q = queue();
    for (const id of ['m1', 'm2', 'm3']) publish(q, id, new Uint8Array(40_000));
    expect(proposed.map((c) => (c.t === 'enqueues' ? c.messages.map((m) => m.id) : c.t))).toEqual([['m1', 'm2']]);
    await turn();
    expect(proposed[1]).toMatchObject({ t: 'enqueue', id: 'm3' });
    await turn();
    expect(outcomes).toEqual(['m1 ok', 'm2 ok', 'm3 ok']);
  });

  it('a queue that may refuse a publish gets one command per publish; a refused one is nacked queue_full', async () => {
    const { proposed, outcomes, publish } = harness((command) => Promise.resolve(command.t === 'enqueue' && command.id === 'm2' ? -8 : 8));
    const q = queue({ overflow: 'reject-publish', maxLength: 2 });
    publish(q, 'm1');
    publish(q, 'm2');
    expect(proposed.map((c) => c.t)).toEqual(['enqueue', 'enqueue']);
    await turn();
    expect(outcomes).toEqual(['m1 ok', 'm2 queue_full']);
  });

  it('keeps publishes in order when a policy gives the queue a limit within a turn', async () => {
    const { proposed, publish } = harness();
    const q = queue();
    publish(q, 'm1');
    publish(q, 'm2');
    Object.assign(q.settings, { overflow: 'reject-publish', maxLength: 10 });
    publish(q, 'm3');
    const ids = proposed.map((c) => (c.t === 'enqueues' ? c.messages.map((m) => m.id) : c.t === 'enqueue' ? [c.id] : []));
    expect(ids).toEqual([['m1', 'm2'], ['m3']]);
    await turn();
    expect(proposed).toHaveLength(2);
  });

  it('nacks every publish of a command that was not committed, or of which the queue refused one', async () => {
    let refuse = true;
    const { outcomes, publish } = harness(() => (refuse ? Promise.resolve(-3) : Promise.reject(new ClusterUnavailableError('no leader'))));
    const q = queue();
    publish(q, 'm1');
    publish(q, 'm2');
    await turn();
    await turn();
    refuse = false;
    publish(q, 'm3');
    publish(q, 'm4');
    await turn();
    await turn();
    expect(outcomes).toEqual(['m1 queue_full', 'm2 queue_full', 'm3 cluster_unavailable', 'm4 cluster_unavailable']);
  });
});
