/**
 * One deterministic run: N members of the real Raft, each with core's queue machine (through
 * the replicated adapter, ../queue/replicated-queue.ts), on simulated disks and a simulated network, driven by the seed's history. After the chaos it
 * heals everything, restarts every member, drains the queue, and checks the end state: the
 * group converges, every member holds the same state, and no confirmed message was lost.
 * Everything random comes from the seed, so a seed (and the kept steps) replays exactly.
 */
import type { Message, NodeId, RaftFaults } from '../raft/types.js';
import { Clients, type ClientLink } from './clients.js';
import { SimDisk } from './disk.js';
import { EventQueue } from './event-queue.js';
import { CALM, generateWorld, type HistoryStep, type SimEvent, type Trigger, type WorldShape } from './history.js';
import { SimNetwork } from './network.js';
import { Observer, Violation } from './observer.js';
import { Prng } from './prng.js';
import type { QueueRecord } from '@warren/core';
import type { QueueLogCommand as QueueCommand, QueueLogEffect as QueueEffect } from '../queue/queue-log.js';
import { describeQueue, replicatedQueueMachine, type ReplicatedQueueState as QueueState } from '../queue/replicated-queue.js';
import { SimNode } from './sim-node.js';

export interface RunOptions {
  readonly faults?: RaftFaults;
  /** Indices of history steps to play; all when absent (shrinking passes fewer). */
  readonly keep?: readonly number[];
  /**
   * Overrides the seed's own choice of quiescence. With a planted bug it is off unless asked:
   * the planted bugs are core Raft rules, and their first finding seeds (docs/replication.md)
   * were drawn without quiescence, which changes every history it is on in.
   */
  readonly quiesce?: boolean;
  /**
   * Whether the shell overlaps its fsync with sending a leader's appends and applying committed
   * entries already on disk (raft-node.ts does). With a planted bug it is off unless asked, for
   * the same reason: their first finding seeds were drawn without it.
   */
  readonly pipelined?: boolean;
}

export interface RunResult {
  readonly seed: number;
  readonly violation: Violation | undefined;
  readonly steps: number;
  readonly simMs: number;
  readonly leaderChanges: number;
  readonly applies: number;
  readonly messages: number;
  readonly published: number;
  readonly confirmed: number;
  readonly deliveries: number;
  /** Messages that expired ready (their TTL timer, fired by a leader). */
  readonly expired: number;
  readonly reads: number;
  /** Member ticks spent quiesced (idle, no election timer and no heartbeats). */
  readonly quiescedTicks: number;
}

const ELECTION_TICK = 10;
const DRAIN_LIMIT_MS = 20_000;

type Node = SimNode<QueueState, QueueCommand, QueueEffect>;

/**
 * A durable queue whose messages expire after 2 s ready (x-message-ttl), so that leaders carry
 * out the machine's timers: a message confirmed while no consumer could get it (a long
 * partition) leaves dead-lettered, on a timer proposed by whichever member leads by then.
 */
const SIM_QUEUE: QueueRecord = { id: 'sim', vhost: '/', name: 'sim', durable: true, exclusive: false, autoDelete: false, arguments: { 'x-message-ttl': 2000 } };
/** A leader proposes a due timer again if it is still armed this long after its last proposal (the entry may be lost). */
const TIMER_RETRY_MS = 200;
const queueMachine = replicatedQueueMachine(SIM_QUEUE);

class World {
  readonly clock = new EventQueue();
  readonly observer = new Observer();
  readonly dice: Prng;
  readonly network: SimNetwork;
  readonly nodes = new Map<NodeId, Node>();
  readonly clients: Clients;
  /** Armed crashOn traps, oldest first. */
  #reads = 0;
  quiescedTicks = 0;
  readonly #traps: Extract<SimEvent, { kind: 'crashOn' }>[] = [];
  readonly #encoded = new WeakMap<QueueCommand, Uint8Array>();
  /** `node timer due` -> when that leader last proposed the timer command. */
  readonly #timersProposed = new Map<string, number>();
  readonly #timerDice: Prng;

  constructor(
    readonly seed: number,
    readonly shape: WorldShape,
    faults: RaftFaults,
    private readonly pipelined: boolean,
  ) {
    this.dice = new Prng(seed);
    const everyone = shape.spare === undefined ? shape.members : [...shape.members, shape.spare];
    this.network = new SimNetwork(this.clock, this.dice.fork(), everyone, shape.quality);
    const nodeDice = this.dice.fork();
    for (const id of everyone) {
      this.nodes.set(
        id,
        new SimNode(id, new SimDisk(), id === shape.spare ? [] : shape.members, {
          clock: this.clock,
          dice: nodeDice,
          observer: this.observer,
          machine: queueMachine,
          faults,
          electionTick: ELECTION_TICK,
          snapshotEvery: shape.snapshotEvery,
          maxEntriesPerAppend: shape.maxEntriesPerAppend,
          maxInflight: shape.maxInflight,
          quiesce: shape.quiesce,
          pipelined: this.pipelined,
          peers: everyone.filter((peer) => peer !== id),
          send: (m) => this.#send(m),
          onLeaderEvent: (node, event) => this.#spring(node, event),
          effects: (_node, effects, leading) => this.#effects(effects, leading),
        }),
      );
    }
    this.clients = new Clients(this.clock, this.#link(), everyone, this.dice.fork(), this.observer);
    this.#timerDice = this.dice.fork();
    everyone.forEach((id, i) => this.#tickLoop(this.nodes.get(id)!, shape.tickMs[i] ?? 10));
  }

  #tickLoop(node: Node, ms: number): void {
    const tick = (): void => {
      if (this.shape.quiesce && node.up) {
        for (const peer of this.nodes.keys()) if (peer !== node.id) this.network.send(node.id, peer, () => this.nodes.get(peer)?.heard(node.id));
      }
      if (node.up && node.raft.quiesced) this.quiescedTicks++;
      node.tick();
      this.#fireTimers(node);
      this.clock.after(ms, tick);
    };
    this.clock.after(ms, tick);
  }

  /**
   * The leader carries out the queue's set-timer effects on its clock: every member knows which
   * timers are armed (the replica's effects keep them), so a new leader fires what an old one
   * armed. The command carries the time and the jitter's draw.
   */
  #fireTimers(node: Node): void {
    if (!node.up || node.raft.role !== 'leader') return;
    const now = this.clock.now;
    for (const [timer, due] of node.state.effects.timers) {
      if (due > now) continue;
      const key = `${node.id} ${timer} ${due}`;
      const last = this.#timersProposed.get(key);
      if (last !== undefined && now - last < TIMER_RETRY_MS) continue;
      this.#timersProposed.set(key, now);
      const command: QueueCommand = { t: 'timer', timer, now, random: this.#timerDice.next() };
      if (node.raft.propose(queueMachine.encode(command)) !== undefined) node.pump();
    }
  }

  #spring(id: NodeId, event: Trigger): void {
    const at = this.#traps.findIndex((t) => t.trigger === event);
    if (at < 0) return;
    const trap = this.#traps.splice(at, 1)[0]!;
    const node = this.nodes.get(id)!;
    this.clock.after(trap.delayMs, () => {
      node.crash(trap.powerLoss);
      this.clock.after(trap.downMs, () => node.restart());
    });
  }

  #send(m: Message): void {
    this.network.send(m.from, m.to, () => this.nodes.get(m.to)?.receive(m));
  }

  /** Effects leave only from a member that leads when it applies; acks and dead-letters are recorded from any. */
  #effects(effects: readonly QueueEffect[], leading: boolean): void {
    for (const effect of effects) {
      if (effect.kind === 'settled' && effect.outcome === 'acked') this.observer.acked(effect.id, effect.index);
      else if (effect.kind === 'dead-letter') this.observer.deadLettered.set(effect.id, effect.reason);
    }
    if (!leading) return;
    for (const effect of effects) this.#toClient(() => this.clients.effect(effect));
  }

  #toClient(run: () => void): void {
    const q = this.network.quality;
    if (this.dice.chance(q.drop)) return;
    this.clock.after(this.dice.between(q.minDelay, q.maxDelay), run);
  }

  /** A client retries with the same command object: its bytes are made once. */
  #encode(command: QueueCommand): Uint8Array {
    let data = this.#encoded.get(command);
    if (data === undefined) {
      data = queueMachine.encode(command);
      this.#encoded.set(command, data);
    }
    return data;
  }

  #link(): ClientLink {
    return {
      propose: (to, command, answer) =>
        this.#toClient(() => {
          const node = this.nodes.get(to);
          if (node === undefined || !node.up) return;
          const raft = node.raft;
          if (raft.propose(this.#encode(command)) !== undefined) {
            node.pump();
            this.#spring(to, 'proposed');
            this.#toClient(() => answer(undefined));
          } else {
            this.#toClient(() => answer(raft.lead));
          }
        }),
    };
  }

  play(step: SimEvent): void {
    switch (step.kind) {
      case 'publish':
        this.clients.publish(step.id);
        return;
      case 'read':
        this.#read([...this.observer.confirmed], 0);
        return;
      case 'consume':
        this.clients.consume(step.consumer, step.prefetch);
        return;
      case 'kill':
        this.clients.kill(step.consumer);
        return;
      case 'partition':
        this.network.partition(step.partition);
        return;
      case 'heal':
        this.network.heal();
        return;
      case 'crash':
        this.nodes.get(step.node)!.crash(step.powerLoss);
        return;
      case 'crashLeader': {
        const leader = this.leader();
        if (leader === undefined) return;
        leader.crash(step.powerLoss);
        this.clock.after(step.downMs, () => leader.restart());
        return;
      }
      case 'crashOn':
        this.#traps.push(step);
        return;
      case 'restart':
        this.nodes.get(step.node)!.restart();
        return;
      case 'slowDisk':
        this.nodes.get(step.node)!.fsyncMs = step.fsyncMs;
        return;
      case 'network':
        this.network.quality = step.quality;
        return;
      case 'addMember':
      case 'promote':
      case 'removeMember': {
        const leader = this.leader();
        const spare = this.shape.spare;
        if (leader === undefined || spare === undefined) return;
        const raft = leader.raft;
        if (step.kind === 'addMember') raft.proposeConfChange({ type: 'addLearner', node: spare });
        else if (step.kind === 'promote') raft.proposeConfChange({ type: 'promote', node: spare });
        // Keep three voters at least, so the world's faults still leave a majority sometimes.
        else if (raft.tracker.voters.length > 3) raft.proposeConfChange({ type: 'remove', node: step.node });
        leader.pump();
        return;
      }
      case 'transfer': {
        const leader = this.leader();
        if (leader !== undefined) {
          leader.raft.transferLeadership(step.to);
          leader.pump();
        }
      }
    }
  }

  /** A client's read, sent to some member (followers forward it), retried a few times. */
  #read(confirmedBefore: string[], attempt: number): void {
    if (attempt > 8) return;
    const context = `read${this.#reads++}`;
    const target = this.leader() ?? this.nodes.get(this.dice.pick(this.shape.members))!;
    let answered = false;
    this.#toClient(() => {
      const accepted = target.read(context, (state) => {
        answered = true;
        const seen = new Set(state.seen.keys());
        this.#toClient(() => this.observer.read(confirmedBefore, seen));
      });
      if (!accepted) answered = false;
    });
    this.clock.after(300, () => {
      if (!answered) this.#read(confirmedBefore, attempt + 1);
    });
  }

  leader(): Node | undefined {
    let found: Node | undefined;
    for (const node of this.nodes.values()) {
      if (node.up && node.raft.role === 'leader' && (found === undefined || node.raft.term > found.raft.term)) found = node;
    }
    return found;
  }

  /** Heals everything, restarts every member, kills every consumer and drains the queue. */
  settle(): void {
    this.#traps.length = 0;
    this.network.heal();
    this.network.quality = CALM;
    for (const node of this.nodes.values()) {
      node.restart();
      node.fsyncMs = 1;
    }
    for (const consumer of this.clients.living()) this.clients.kill(consumer);
    let drain = 0;
    this.clients.consume(`drain${drain}`, 1000, true);
    const deadline = this.clock.now + DRAIN_LIMIT_MS;
    let reconnectAt = this.clock.now + 2000;
    let held = '';
    while (this.clock.now < deadline && !this.#converged()) {
      this.clock.runUntil(this.clock.now + 50);
      // A delivery carried out by a leader that lost its place before sending it leaves the
      // consumer waiting for a message it never heard of: when the same messages stay unacked
      // for 2 s, the consumer reconnects, and its death requeues what it held.
      const state = this.leader()?.state;
      const now = state === undefined ? held : [...state.effects.unacked.keys()].join(',');
      if (now !== held) {
        held = now;
        reconnectAt = this.clock.now + 2000;
      } else if (this.clock.now >= reconnectAt && held !== '') {
        this.clients.kill(`drain${drain}`);
        this.clients.consume(`drain${++drain}`, 1000, true);
        reconnectAt = this.clock.now + 2000;
      }
    }
    if (!this.#converged()) {
      const leader = this.leader();
      throw new Violation(
        'liveness',
        `not converged ${DRAIN_LIMIT_MS} ms after healing: leader ${leader?.id ?? 'none'}, ${this.clients.unconfirmed()} unconfirmed, ` +
          [...this.nodes.values()].map((n) => `${n.id}:${n.raft.role}/t${n.raft.term}/c${n.raft.log.committed}/a${n.raft.log.applied}/l${n.raft.log.lastIndex}${n.raft.quiesced ? `/quiesced under ${n.raft.lead}` : ''}`).join(' ') +
          `; voters ${leader?.raft.tracker.voters.join(',')} learners ${leader?.raft.tracker.learners.join(',')}` +
          `; queue ${leader === undefined ? 'unknown' : describeQueue(leader.state)}` +
          `; progress ${[...(leader?.raft.tracker.progress ?? [])].map(([id, p]) => `${id}:${p.state}/m${p.match}/n${p.next}/i${p.inflightCount}`).join(' ')}`,
      );
    }
    this.#checkEnd();
  }

  #converged(): boolean {
    const leader = this.leader();
    if (leader === undefined || this.clients.unconfirmed() > 0) return false;
    const state = leader.state;
    if (state.machine.stats().ready > 0 || state.effects.unacked.size > 0) return false;
    const last = leader.raft.log.lastIndex;
    if (leader.raft.log.committed !== last) return false;
    for (const node of this.#members(leader)) if (node.raft.log.applied !== last) return false;
    return true;
  }

  /** The members of the leader's configuration: a removed member is left behind, rightly. */
  #members(leader: Node): Node[] {
    return leader.raft.tracker.members().map((id) => this.nodes.get(id)!);
  }

  #checkEnd(): void {
    const leader = this.leader()!;
    for (const id of this.observer.confirmed) {
      if (!this.observer.ackedAt.has(id) && !this.observer.deadLettered.has(id)) throw new Violation('queue: confirmed message lost', `${id} was confirmed but is gone`);
    }
    const expected = describeQueue(leader.state);
    for (const node of this.#members(leader)) {
      const own = describeQueue(node.state);
      if (own !== expected) throw new Violation('state machine safety', `${node.id} ends in a different state than leader ${leader.id}`);
    }
  }
}

export function runSeed(seed: number, options: RunOptions = {}): RunResult {
  const shape = generateWorld(seed);
  const history: HistoryStep[] = options.keep === undefined ? [...shape.history] : options.keep.map((i) => shape.history[i]!).filter(Boolean);
  const planted = Object.values(options.faults ?? {}).some((on) => on === true);
  const world = new World(seed, { ...shape, history, quiesce: options.quiesce ?? (planted ? false : shape.quiesce) }, options.faults ?? {}, options.pipelined ?? !planted);
  let violation: Violation | undefined;
  try {
    for (const step of history) world.clock.at(step.at, () => world.play(step.event));
    world.clock.runUntil(shape.chaosMs + 500);
    world.settle();
  } catch (error) {
    violation = error instanceof Violation ? error : new Violation('raft assertion', error instanceof Error ? error.message : String(error));
  }
  const o = world.observer;
  return {
    seed,
    violation,
    steps: history.length,
    simMs: world.clock.now,
    leaderChanges: o.leaderChanges,
    applies: o.applies,
    messages: world.network.sent,
    published: o.published.size,
    confirmed: o.confirmed.size,
    deliveries: world.clients.deliveries,
    expired: [...o.deadLettered.values()].filter((reason) => reason === 'expired').length,
    reads: o.reads,
    quiescedTicks: world.quiescedTicks,
  };
}
