/** Replicated queue declarations: what is refused, and where replicas and leaders go. */
import { describe, expect, it } from 'vitest';
import { checkReplicatedDeclaration, groupNameOf, isReplicatedType, placeReplicas } from './replica-placement.js';

const declared = (args: Record<string, unknown>, flags: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean } = {}) => ({
  name: 'orders',
  durable: flags.durable ?? true,
  exclusive: flags.exclusive ?? false,
  autoDelete: flags.autoDelete ?? false,
  arguments: { 'x-queue-type': 'replicated', ...args },
});

describe('replicated queue declarations', () => {
  it('takes quorum as replicated', () => {
    expect(isReplicatedType({ 'x-queue-type': 'quorum' })).toBe(true);
    expect(isReplicatedType({ 'x-queue-type': 'replicated' })).toBe(true);
    expect(isReplicatedType({ 'x-queue-type': 'classic' })).toBe(false);
    expect(isReplicatedType({})).toBe(false);
  });

  it("accepts every single-node queue argument: the replicated machine carries them out in its log", () => {
    expect(() => checkReplicatedDeclaration(declared({ 'x-message-ttl': 1000, 'x-max-length': 10, 'x-overflow': 'drop-head', 'x-delivery-limit': 3, 'x-quorum-initial-group-size': 5 }))).not.toThrow();
    const rest = { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'k', 'x-overflow': 'reject-publish-dlx', 'x-retry-max-attempts': 3, 'x-dedup-window': 1000, 'x-ack-timeout': 5000, 'x-expires': 60_000 };
    expect(() => checkReplicatedDeclaration(declared(rest))).not.toThrow();
  });

  it('refuses with a stable code what a replicated queue cannot be', () => {
    expect(() => checkReplicatedDeclaration(declared({}, { durable: false }))).toThrow(expect.objectContaining({ code: 'precondition_failed' }));
    expect(() => checkReplicatedDeclaration(declared({}, { autoDelete: true }))).toThrow(expect.objectContaining({ code: 'precondition_failed' }));
    expect(() => checkReplicatedDeclaration(declared({ 'x-quorum-initial-group-size': 0 }))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => checkReplicatedDeclaration(declared({ 'x-quorum-initial-group-size': '3' }))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});

describe('replica placement', () => {
  it('gives three replicas by default, capped at the cluster size', () => {
    expect(placeReplicas('g', {}, ['c', 'a', 'b', 'd'], new Map()).members).toHaveLength(3);
    expect(placeReplicas('g', { 'x-quorum-initial-group-size': 7 }, ['a', 'b', 'c'], new Map()).members).toEqual(['a', 'b', 'c']);
    expect(placeReplicas('g', { 'x-quorum-initial-group-size': 1 }, ['a', 'b', 'c'], new Map()).members).toEqual(['a']);
  });

  it('spreads preferred leaders evenly over the nodes', () => {
    const leading = new Map<string, number>();
    const leaders: string[] = [];
    for (let i = 0; i < 9; i++) {
      const { leader, members } = placeReplicas(`g${i}`, {}, ['a', 'b', 'c'], leading);
      expect(members[0]).toBe(leader);
      leading.set(leader, (leading.get(leader) ?? 0) + 1);
      leaders.push(leader);
    }
    expect([...leading.values()]).toEqual([3, 3, 3]);
    expect(leaders.slice(0, 3)).toEqual(['a', 'b', 'c']);
  });

  it('names a group by vhost, queue and the declaring log index, so a queue declared again gets a new group', () => {
    expect(groupNameOf('/', 'a:b', 12)).toBe('q:%2F:a%3Ab:12');
    expect(groupNameOf('/', 'a:b', 12)).not.toBe(groupNameOf('/', 'a:b', 40));
  });
});
