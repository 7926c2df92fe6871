/**
 * A run's history as data (ra's nemesis scenarios): timed client operations and faults, drawn
 * from the seed. The world plays it; shrinking drops steps from it. Faults: partitions
 * (symmetric, one-way, bridge), healing, crash and restart, power loss, slow fsync, a lossier
 * or cleaner network, and leadership transfer.
 */
import type { NodeId } from '../raft/types.js';
import type { LinkQuality, Partition } from './network.js';
import { Prng } from './prng.js';

export type SimEvent =
  | { readonly kind: 'publish'; readonly id: string }
  /** A linearizable read of the queue: it must see every message confirmed before it began. */
  | { readonly kind: 'read' }
  | { readonly kind: 'consume'; readonly consumer: string; readonly prefetch: number }
  | { readonly kind: 'kill'; readonly consumer: string }
  | { readonly kind: 'partition'; readonly partition: Partition }
  | { readonly kind: 'heal' }
  | { readonly kind: 'crash'; readonly node: NodeId; readonly powerLoss: boolean }
  /** Crashes whichever member leads when it is played, and restarts it `downMs` later. */
  | { readonly kind: 'crashLeader'; readonly powerLoss: boolean; readonly downMs: number }
  /**
   * Arms a trap: the next member to win an election (or take a proposal, or apply as leader) crashes
   * `delayMs` later, before it can replicate much, and restarts `downMs` after that.
   */
  | { readonly kind: 'crashOn'; readonly trigger: Trigger; readonly delayMs: number; readonly downMs: number; readonly powerLoss: boolean }
  | { readonly kind: 'restart'; readonly node: NodeId }
  | { readonly kind: 'slowDisk'; readonly node: NodeId; readonly fsyncMs: number }
  | { readonly kind: 'network'; readonly quality: LinkQuality }
  | { readonly kind: 'transfer'; readonly to: NodeId }
  /** Membership, one server at a time: the spare joins as a learner, is promoted, or a voter leaves. */
  | { readonly kind: 'addMember' }
  | { readonly kind: 'promote' }
  | { readonly kind: 'removeMember'; readonly node: NodeId };

/** What springs a crashOn trap: a leader elected, accepting a client's proposal, or applying. */
export type Trigger = 'elected' | 'proposed' | 'applied';

export interface HistoryStep {
  readonly at: number;
  readonly event: SimEvent;
}

export interface WorldShape {
  readonly members: readonly NodeId[];
  /** A member outside the first configuration, that membership changes may add. */
  readonly spare: NodeId | undefined;
  /** Per member, its tick length in ms (clock skew). */
  readonly tickMs: readonly number[];
  readonly quality: LinkQuality;
  readonly chaosMs: number;
  /** Raft tuning drawn per seed, so batching, pipelining and compaction vary too. */
  readonly maxEntriesPerAppend: number;
  readonly maxInflight: number;
  readonly snapshotEvery: number;
  /**
   * Idle groups quiesce, and node-level heartbeats between members tell who is in reach (as on
   * real nodes): three seeds in four. Decided by the seed alone, so it draws nothing from the dice.
   */
  readonly quiesce: boolean;
  readonly history: readonly HistoryStep[];
}

const CALM: LinkQuality = { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 4 };

function quality(dice: Prng): LinkQuality {
  return {
    drop: dice.pick([0, 0.01, 0.05, 0.15]),
    duplicate: dice.pick([0, 0.02, 0.1]),
    minDelay: dice.between(0.5, 2),
    maxDelay: dice.pick([3, 8, 25]),
  };
}

function subset(dice: Prng, members: readonly NodeId[], size: number): NodeId[] {
  const pool = [...members];
  const out: NodeId[] = [];
  while (out.length < size) out.push(pool.splice(dice.int(pool.length), 1)[0]!);
  return out;
}

/** Swarm testing (TigerBeetle's VOPR): each seed weighs the kinds of fault differently. */
function fault(dice: Prng, weights: readonly number[], members: readonly NodeId[], at: number, steps: HistoryStep[]): void {
  const node = dice.pick(members);
  let pick = dice.next() * weights.reduce((a, b) => a + b, 0);
  let roll = 0;
  while (roll < weights.length - 1 && pick >= weights[roll]!) pick -= weights[roll++]!;
  const minority = Math.floor((members.length - 1) / 2);
  switch (roll) {
    case 0:
      steps.push({ at, event: { kind: 'partition', partition: { kind: 'split', side: subset(dice, members, 1 + dice.int(minority)) } } });
      break;
    case 1: {
      const [from, to] = subset(dice, members, 2);
      steps.push({ at, event: { kind: 'partition', partition: { kind: 'oneWay', from: from!, to: to! } } });
      break;
    }
    case 2: {
      const [bridge, ...rest] = subset(dice, members, members.length);
      steps.push({ at, event: { kind: 'partition', partition: { kind: 'bridge', bridge: bridge!, left: rest.slice(0, Math.ceil(rest.length / 2)) } } });
      break;
    }
    case 3:
      steps.push({ at, event: { kind: 'heal' } });
      break;
    case 4:
    case 5:
      steps.push({ at, event: { kind: 'crash', node, powerLoss: roll === 5 } });
      steps.push({ at: at + dice.between(20, 400), event: { kind: 'restart', node } });
      break;
    case 6:
      steps.push({ at, event: { kind: 'slowDisk', node, fsyncMs: dice.pick([1, 15, 60]) } });
      break;
    case 7:
      steps.push({ at, event: { kind: 'network', quality: quality(dice) } });
      break;
    case 8:
      steps.push({ at, event: { kind: 'transfer', to: node } });
      break;
    case 10:
      steps.push({ at, event: { kind: 'addMember' } });
      steps.push({ at: at + dice.between(50, 600), event: { kind: 'promote' } });
      if (dice.chance(0.5)) steps.push({ at: at + dice.between(600, 1500), event: { kind: 'removeMember', node } });
      break;
    default: {
      // A leader storm: each new leader crashes soon after it is elected, the pattern behind
      // the paper's Figure 8, where only the commit rule keeps a committed entry from loss.
      if (dice.chance(0.5)) {
        // Figure 8 armed at once: a leader dies as it takes a proposal, the next ones die as they
        // are elected, one dies as it applies; each before it can replicate.
        const triggers: Trigger[] = ['proposed', ...Array.from({ length: 1 + dice.int(3) }, () => 'elected' as const), 'applied'];
        for (let i = dice.int(3); i > 0; i--) triggers.push('elected');
        for (const trigger of triggers) {
          steps.push({ at, event: { kind: 'crashOn', trigger, delayMs: dice.between(0, 1), downMs: dice.between(50, 300), powerLoss: false } });
        }
        break;
      }
      const storm = 1 + dice.int(5);
      let when = at;
      for (let i = 0; i < storm; i++) {
        const event: SimEvent = dice.chance(0.3)
          ? { kind: 'crashLeader', powerLoss: dice.chance(0.3), downMs: dice.between(5, 300) }
          : { kind: 'crashOn', trigger: dice.pick(['elected', 'proposed', 'applied'] as const), delayMs: dice.between(0, 8), downMs: dice.between(5, 300), powerLoss: dice.chance(0.3) };
        steps.push({ at: when, event });
        when += dice.between(10, 250);
      }
    }
  }
}

export function generateWorld(seed: number): WorldShape {
  const dice = new Prng(seed ^ 0x5eed);
  const size = dice.chance(0.7) ? 3 : 5;
  const members = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const tickMs = members.map(() => 10 * dice.between(0.8, 1.25));
  const chaosMs = 3000;
  const steps: HistoryStep[] = [];
  const publishes = 20 + dice.int(60);
  for (let i = 0; i < publishes; i++) steps.push({ at: dice.between(0, chaosMs), event: { kind: 'publish', id: `m${i}` } });
  const reads = dice.int(12);
  for (let i = 0; i < reads; i++) steps.push({ at: dice.between(0, chaosMs), event: { kind: 'read' } });
  const consumers = 1 + dice.int(3);
  for (let i = 0; i < consumers; i++) {
    const start = dice.between(0, chaosMs * 0.8);
    steps.push({ at: start, event: { kind: 'consume', consumer: `c${i}`, prefetch: 1 + dice.int(5) } });
    if (dice.chance(0.6)) steps.push({ at: start + dice.between(50, chaosMs), event: { kind: 'kill', consumer: `c${i}` } });
  }
  const weights = Array.from({ length: 11 }, () => (dice.chance(0.3) ? 0 : dice.next()));
  weights[3] = Math.max(weights[3]!, 0.2);
  const faults = 4 + dice.int(dice.chance(0.5) ? 12 : 50);
  for (let i = 0; i < faults; i++) fault(dice, weights, members, dice.between(200, chaosMs), steps);
  steps.sort((a, b) => a.at - b.at);
  const spare = dice.chance(0.5) ? `n${size + 1}` : undefined;
  if (spare === undefined) weights[10] = 0;
  return {
    members,
    spare,
    tickMs,
    quality: dice.chance(0.3) ? CALM : quality(dice),
    chaosMs,
    maxEntriesPerAppend: dice.pick([1, 4, 16]),
    maxInflight: dice.pick([1, 4, 16]),
    snapshotEvery: dice.pick([8, 40, 1000]),
    quiesce: seed % 4 !== 0,
    history: steps,
  };
}

export { CALM };
