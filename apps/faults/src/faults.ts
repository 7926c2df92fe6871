/**
 * What the nemesis can do to the cluster, one fault at a time: each kind takes the dice it
 * rolled (a node, a queue, a direction) and the cluster, does its harm, and returns what heals
 * it and what it did in words. A leader is looked up when the fault starts (the queue's leader
 * is not a matter of the seed).
 */
import { leaderOf } from './cluster-view.js';
import type { Nodes } from './nodes.js';

export const FAULT_KINDS = ['kill-leader', 'kill-random', 'pause-leader', 'pause-random', 'isolate-leader', 'majority-minority', 'bridge', 'one-way'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The dice one fault rolled, all of them always, so the schedule depends on the seed alone. */
export interface Dice {
  readonly queue: string;
  readonly node: string;
  /** The nodes in a shuffled order, for the sides of a partition. */
  readonly order: readonly string[];
  readonly inbound: boolean;
}

export interface Harm {
  readonly target: string;
  heal(): Promise<void>;
}

async function leaderOr(nodes: Nodes, dice: Dice): Promise<string> {
  return (await leaderOf(nodes, dice.queue)) ?? dice.node;
}

function kill(nodes: Nodes, id: string, what: string): Promise<Harm> {
  return nodes.kill9(id).then(() => ({ target: `kill -9 ${id} (${what})`, heal: () => nodes.restart(id) }));
}

function pause(nodes: Nodes, id: string, what: string): Harm {
  nodes.pause(id);
  return { target: `SIGSTOP ${id} (${what})`, heal: async () => nodes.resume(id) };
}

function cut(nodes: Nodes, target: string, apply: () => void): Harm {
  apply();
  return { target: `${target}; dropped ${nodes.network.dropped().join(' ')}`, heal: async () => nodes.network.heal() };
}

export async function inflict(kind: FaultKind, nodes: Nodes, dice: Dice): Promise<Harm> {
  const network = nodes.network;
  switch (kind) {
    case 'kill-leader': {
      const leader = await leaderOr(nodes, dice);
      return kill(nodes, leader, `leader of ${dice.queue}`);
    }
    case 'kill-random':
      return kill(nodes, dice.node, 'random node');
    case 'pause-leader': {
      const leader = await leaderOr(nodes, dice);
      return pause(nodes, leader, `leader of ${dice.queue}`);
    }
    case 'pause-random':
      return pause(nodes, dice.node, 'random node');
    case 'isolate-leader': {
      const leader = await leaderOr(nodes, dice);
      return cut(nodes, `${leader} (leader of ${dice.queue}) cut off`, () => network.cutOff([leader]));
    }
    case 'majority-minority': {
      const minority = dice.order.slice(0, Math.floor((dice.order.length - 1) / 2));
      return cut(nodes, `minority ${minority.join(',')} | majority ${dice.order.slice(minority.length).join(',')}`, () => network.cutOff(minority));
    }
    case 'bridge': {
      // The first node sees both halves; the halves do not see each other.
      const [bridge, ...rest] = dice.order;
      const left = rest.slice(0, Math.ceil(rest.length / 2));
      const right = rest.slice(left.length);
      return cut(nodes, `${left.join(',')} | ${right.join(',')} bridged by ${bridge}`, () => {
        for (const a of left) {
          for (const b of right) {
            network.setDrop(a, b, true);
            network.setDrop(b, a, true);
          }
        }
      });
    }
    case 'one-way': {
      const leader = await leaderOr(nodes, dice);
      const others = nodes.ids.filter((id) => id !== leader);
      const what = dice.inbound ? `${leader} (leader of ${dice.queue}) hears no one, is heard` : `${leader} (leader of ${dice.queue}) is heard by no one, hears`;
      return cut(nodes, what, () => {
        for (const other of others) {
          if (dice.inbound) network.setDrop(other, leader, true);
          else network.setDrop(leader, other, true);
        }
      });
    }
  }
}
