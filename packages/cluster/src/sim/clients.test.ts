/**
 * The simulated clients must not be the reason a run stalls: a publisher told "not me, ask n2"
 * asks n2 next, at once, instead of waiting out its back-off and maybe wandering elsewhere.
 */
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../raft/types.js';
import { Clients, type ClientLink } from './clients.js';
import { EventQueue } from './event-queue.js';
import { Observer } from './observer.js';
import { Prng } from './prng.js';
import type { QueueLogCommand as QueueCommand } from '../queue/queue-log.js';

const MEMBERS: NodeId[] = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Only `leader` takes proposals and confirms 2 ms later; every other member answers `hint(node)`. */
function world(leader: NodeId, hint: (node: NodeId) => NodeId | null, seed: number) {
  const clock = new EventQueue();
  const asked: { at: number; node: NodeId }[] = [];
  let clients: Clients | undefined;
  const link: ClientLink = {
    propose: (node, command: QueueCommand, answer) => {
      asked.push({ at: clock.now, node });
      clock.after(1, () => {
        if (node !== leader) return answer(hint(node));
        answer(undefined);
        if (command.t === 'enqueue') clock.after(1, () => clients!.effect({ kind: 'confirm', client: command.client, id: command.id }));
      });
    },
  };
  clients = new Clients(clock, link, MEMBERS, new Prng(seed), new Observer());
  return { clock, clients, asked };
}

describe('simulated clients', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('follow a live leader hint at once (seed %i)', (seed) => {
    const { clock, clients, asked } = world('n3', () => 'n3', seed);
    clients.publish('m1');
    clock.runUntil(20);
    expect(clients.unconfirmed()).toBe(0);
    // At most: a wrong member, then the leader it named.
    expect(asked.length).toBeLessThanOrEqual(2);
    expect(asked.at(-1)?.node).toBe('n3');
  });

  it.each([1, 2, 3, 4])('leave a circle of stale hints for a member at random (seed %i)', (seed) => {
    // n1 and n2 were removed from the group and still point at each other.
    const stale = (node: NodeId): NodeId | null => (node === 'n1' ? 'n2' : node === 'n2' ? 'n1' : 'n5');
    const { clock, clients } = world('n5', stale, seed);
    clients.publish('m1');
    clock.runUntil(1000);
    expect(clients.unconfirmed()).toBe(0);
  });
});
