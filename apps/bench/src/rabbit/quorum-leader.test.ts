import { describe, expect, it } from 'vitest';
import { leaderNodeOf } from './quorum-leader.js';

describe('leaderNodeOf', () => {
  const listed = JSON.stringify([
    { name: 'other', leader: 'b@localhost', members: ['a@localhost', 'b@localhost'] },
    { name: 'bench.quorum', leader: 'a@localhost', members: ['a@localhost', 'b@localhost', 'c@localhost'] },
  ]);

  it('finds the queue\'s leader among the listed queues', () => {
    expect(leaderNodeOf(listed, 'bench.quorum')).toBe('a@localhost');
    expect(leaderNodeOf(listed, 'other')).toBe('b@localhost');
  });

  it('has none for a queue not listed, without a leader, or output that is not a JSON list', () => {
    expect(leaderNodeOf(listed, 'missing')).toBeUndefined();
    expect(leaderNodeOf(JSON.stringify([{ name: 'q', leader: '' }]), 'q')).toBeUndefined();
    expect(leaderNodeOf('Timeout: 60.0 seconds ...', 'q')).toBeUndefined();
    expect(leaderNodeOf('{"name":"q"}', 'q')).toBeUndefined();
  });
});
