import { describe, expect, it } from 'vitest';
import type { QueueLogCommand } from '@warren/cluster';
import { ReplicaAnswers } from './replica-answers.js';

const enqueue = (id: string): QueueLogCommand => ({ t: 'enqueue', id, client: 'n', now: 0, body: new Uint8Array(0) });

describe('answers of a replicated queue log', () => {
  it('answers a publish the leader rejected with its index negated, once; others with their index', () => {
    const answers = new ReplicaAnswers();
    answers.applied([{ kind: 'rejected', client: 'n', id: 'm1' }], true);
    // A follower's rejection is not its to answer.
    answers.applied([{ kind: 'rejected', client: 'n', id: 'm2' }], false);
    expect(answers.answer(enqueue('m1'), 7)).toBe(-7);
    expect(answers.answer(enqueue('m1'), 8)).toBe(8);
    expect(answers.answer(enqueue('m2'), 9)).toBe(9);
  });

  it('answers an enqueues command with its index negated when the leader rejected any of its publishes', () => {
    const answers = new ReplicaAnswers();
    answers.applied([{ kind: 'confirm', client: 'n', id: 'm1' }, { kind: 'rejected', client: 'n', id: 'm2' }], true);
    const enqueues = (...ids: string[]): QueueLogCommand => ({ t: 'enqueues', client: 'n', now: 0, messages: ids.map((id) => ({ id, body: new Uint8Array(0) })) });
    expect(answers.answer(enqueues('m1', 'm2', 'm3'), 7)).toBe(-7);
    expect(answers.answer(enqueues('m1', 'm2', 'm3'), 8)).toBe(8);
  });

  it("resolves a purge with this replica's effect naming its ref, whichever comes first; fails when the proposal fails or nothing comes", async () => {
    const answers = new ReplicaAnswers();
    const asked = answers.ask('r1', () => Promise.resolve(3), 1_000);
    answers.applied([{ kind: 'purged', ref: 'other', count: 1 }], false);
    answers.applied([{ kind: 'purged', ref: 'r1', count: 5 }], false);
    await expect(asked).resolves.toEqual({ kind: 'purged', ref: 'r1', count: 5 });
    await expect(answers.ask('r2', () => Promise.reject(new Error('no leader')), 1_000)).rejects.toThrow('no leader');
    await expect(answers.ask('r3', () => Promise.resolve(4), 10)).rejects.toMatchObject({ code: 'cluster_unavailable' });
  });
});
