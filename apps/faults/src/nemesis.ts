/**
 * The nemesis: until its time is up, one fault after the other. Each fault lasts a few seconds,
 * is healed, and the nemesis waits until the cluster is whole again (every node up and ready,
 * every queue led with all members online) and a few quiet seconds more before the next one.
 * The kinds come in rounds, every kind once per round in a shuffled order, so even a short run
 * sees each kind; every roll comes from the seed.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { waitHealthy } from './cluster-view.js';
import { FAULT_KINDS, inflict, type Dice, type FaultKind } from './faults.js';
import type { History } from './history.js';
import { LeaderWatch } from './leader-watch.js';
import type { Nodes } from './nodes.js';
import { Random } from './random.js';

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  /** ms since the run began. */
  readonly start: number;
  healed: number;
  /** When the cluster was whole again (undefined: it was not within the recovery limit). */
  recovered?: number;
  /** Why it was not whole, when it was not. */
  unhealthy?: string;
  /** When the next fault began (or the run ended): the fault's window is start..end. */
  end: number;
  /** Who each node named as each queue's leader, as it changed during the window. */
  leaders: string[];
  /** The longest the suite's own event loop was late in the window, ms: how starved the machine was. */
  loopLagMs: number;
}

export interface NemesisOptions {
  readonly seed: number;
  readonly queues: readonly string[];
  /** How long a fault lasts, ms. */
  readonly hold: readonly [number, number];
  /** The quiet after the cluster is whole again, ms. */
  readonly quiet: readonly [number, number];
  /** Longest wait for the cluster to be whole after a heal. */
  readonly recoveryMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Nemesis {
  readonly faults: FaultRecord[] = [];
  readonly #random: Random;
  #round: FaultKind[] = [];

  constructor(
    private readonly nodes: Nodes,
    private readonly history: History,
    private readonly options: NemesisOptions,
    private readonly log: (line: string) => void,
  ) {
    this.#random = new Random(options.seed);
  }

  /** Faults until `untilMs` (history time); stops early, healed, when the cluster does not recover. */
  async run(untilMs: number): Promise<void> {
    while (this.history.now() < untilMs) {
      const { kind, dice, hold, quiet } = this.#roll();
      const start = this.history.now();
      const watch = new LeaderWatch(this.nodes, this.options.queues, () => this.history.now());
      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      const harm = await inflict(kind, this.nodes, dice);
      const record: FaultRecord = { kind, target: harm.target, start, healed: start, end: start, leaders: watch.changes, loopLagMs: 0 };
      const finish = async (): Promise<void> => {
        record.end = this.history.now();
        await watch.stop();
        lag.disable();
        record.loopLagMs = Math.round(lag.max / 1e6);
      };
      this.faults.push(record);
      this.log(`${(start / 1000).toFixed(1)}s ${kind}: ${harm.target}, for ${(hold / 1000).toFixed(1)} s`);
      await sleep(hold);
      await harm.heal();
      record.healed = this.history.now();
      const health = await waitHealthy(this.nodes, this.options.queues, this.options.recoveryMs);
      if (!health.ok) {
        record.unhealthy = health.why;
        await finish();
        this.log(`the cluster is not whole ${this.options.recoveryMs / 1000} s after the heal: ${health.why}`);
        return;
      }
      record.recovered = this.history.now();
      await sleep(quiet);
      await finish();
    }
  }

  #roll(): { kind: FaultKind; dice: Dice; hold: number; quiet: number } {
    if (this.#round.length === 0) this.#round = this.#random.shuffle(FAULT_KINDS);
    const kind = this.#round.shift()!;
    const random = this.#random;
    const dice: Dice = { queue: random.pick(this.options.queues), node: random.pick(this.nodes.ids), order: random.shuffle(this.nodes.ids), inbound: random.next() < 0.5 };
    const hold = random.between(...this.options.hold);
    const quiet = random.between(...this.options.quiet);
    return { kind, dice, hold, quiet };
  }
}

/** Heals whatever a fault left: cuts restored, paused nodes continued, dead nodes started again. */
export async function healAll(nodes: Nodes): Promise<void> {
  nodes.network.heal();
  for (const id of nodes.ids) if (nodes.state(id) === 'paused') nodes.resume(id);
  await Promise.all(nodes.ids.filter((id) => nodes.state(id) === 'down').map((id) => nodes.restart(id)));
}
