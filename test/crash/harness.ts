/**
 * The crash loop (issue 12, part 1): a broker process on one data dir, confirmed persistent
 * publishers and manual-ack consumers on several durable queues, SIGKILL at a random instant
 * 0.2–3 s after the broker is ready, restart, repeat; at the end one clean start drains every
 * queue. What counts as lost, unexpected or a duplicate is history.ts's job; this file only
 * drives processes and clients and reports to the History. The client has no auto-reconnect, so
 * every round connects new clients. Used by crash-loop.int.test.ts in its CI and long forms.
 */
import { connect, type Client, type Message } from '@warren/client';
import { spawnBroker, type BrokerProcess } from '../support/broker.js';
import { History, type CrashTotals } from './history.js';

export interface CrashLoopOptions {
  rounds: number;
  /** Durable queues; every publisher publishes to all, every consumer consumes all. */
  queues?: number;
  publishers?: number;
  consumers?: number;
  /** The kill comes this many ms after the broker is ready, uniformly at random. */
  killAfterMs?: readonly [number, number];
  /** Unconfirmed publishes per publisher. */
  publishWindow?: number;
  /** Publishers wait while this many confirmed messages were never delivered. */
  maxBacklog?: number;
  prefetch?: number;
  /** A consumer acks each message after 0 … this many ms. */
  maxAckDelayMs?: number;
  bodySize?: number;
  seed?: number;
  /** Called after each round; `history.verdict(false)` gives the totals so far. */
  onRound?: (round: number, history: History) => void;
}

export interface CrashLoopResult {
  totals: CrashTotals;
  problems: readonly string[];
  seed: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: a small seeded PRNG, so a failing run can be replayed by its seed (timing aside). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runCrashLoop(dataDir: string, options: CrashLoopOptions): Promise<CrashLoopResult> {
  const settings = {
    queues: 4,
    publishers: 2,
    consumers: 2,
    killAfterMs: [200, 3000] as const,
    publishWindow: 64,
    maxBacklog: 20_000,
    prefetch: 32,
    maxAckDelayMs: 20,
    bodySize: 96,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
  } as Settings;
  const rng = random(settings.seed);
  const history = new History();
  const queues = Array.from({ length: settings.queues }, (_, i) => `crash-${i}`);

  for (let round = 1; round <= settings.rounds; round++) {
    const broker = await spawnBroker(dataDir);
    const [low, high] = settings.killAfterMs;
    const killed = sleep(low + rng() * (high - low)).then(() => broker.kill9());
    const clients = new Round(broker, history, queues, settings, rng);
    await killed;
    await clients.ended();
    history.crashed();
    settings.onRound?.(round, history);
  }

  const broker = await spawnBroker(dataDir);
  try {
    await drain(broker.url, history, queues);
  } finally {
    await broker.stop();
  }
  return { totals: history.verdict(), problems: history.problems, seed: settings.seed };
}

type Settings = Required<Omit<CrashLoopOptions, 'onRound' | 'seed'>> & Pick<CrashLoopOptions, 'onRound'> & { seed: number };

/** One round's clients: they connect, work until their connection dies with the broker, and stop. */
class Round {
  private readonly work: Promise<void>[] = [];

  constructor(
    broker: BrokerProcess,
    private readonly history: History,
    private readonly queues: string[],
    private readonly settings: Settings,
    private readonly rng: () => number,
  ) {
    for (let i = 0; i < settings.consumers; i++) this.work.push(this.connected(broker.url, (c) => this.consume(c)));
    for (let i = 0; i < settings.publishers; i++) this.work.push(this.connected(broker.url, (c) => this.publish(c)));
  }

  /** Resolves once every client has seen its connection end (the broker is dead by then). */
  async ended(): Promise<void> {
    const timeout = sleep(15_000).then(() => {
      throw new Error('a client did not notice the broker was killed within 15 s');
    });
    await Promise.race([Promise.all(this.work), timeout]);
  }

  private async connected(url: string, run: (client: Client) => Promise<void>): Promise<void> {
    let client: Client;
    try {
      client = await connect(url, { heartbeat: 0 });
    } catch {
      return; // killed during the handshake
    }
    await Promise.all([run(client).catch(() => undefined), client.closed]);
  }

  private async publish(client: Client): Promise<void> {
    const { history, queues, settings, rng } = this;
    for (const queue of queues) await client.declareQueue(queue, { durable: true });
    const run = history.newRun();
    let closed = false;
    void client.closed.then(() => (closed = true));
    const inFlight = new Set<Promise<void>>();
    for (let n = 0; !closed; n++) {
      while (!closed && (inFlight.size >= settings.publishWindow || history.backlog > settings.maxBacklog)) {
        if (inFlight.size > 0) await Promise.race([...inFlight]);
        else await sleep(5);
      }
      if (closed) break;
      const queue = queues[Math.floor(rng() * queues.length)]!;
      const body = history.publish(run, n, settings.bodySize);
      const confirm = client.publish('', queue, body, { persistent: true }).then(
        () => history.confirmed(run, n),
        () => undefined, // the connection died first: outcome unknown
      );
      inFlight.add(confirm);
      void confirm.then(() => inFlight.delete(confirm));
    }
  }

  private async consume(client: Client): Promise<void> {
    const { history, queues, settings, rng } = this;
    for (const queue of queues) await client.declareQueue(queue, { durable: true });
    let closed = false;
    void client.closed.then(() => (closed = true));
    /** Acks sent since the last round trip started. */
    let sent: string[] = [];
    const onMessage = (message: Message) => {
      const id = history.delivered(message.text());
      setTimeout(() => {
        if (message.settled) return; // the connection ended: this ack was never sent
        message.ack();
        if (id !== undefined) {
          history.ackSent(id);
          sent.push(id);
        }
      }, rng() * settings.maxAckDelayMs);
    };
    for (const queue of queues) await client.consume(queue, onMessage, { prefetch: settings.prefetch });
    // Round trips: every answered request proves the acks sent before it are applied.
    while (!closed) {
      const batch = sent;
      sent = [];
      await client.declareQueue(queues[0]!, { passive: true });
      history.acksApplied(batch);
      await sleep(10 + rng() * 40);
    }
  }
}

/** After the last kill: a clean start, one client takes every message left, acks it, and checks the queues are empty. */
async function drain(url: string, history: History, queues: string[]): Promise<void> {
  const client = await connect(url, { heartbeat: 0 });
  let sent: string[] = [];
  for (const queue of queues) {
    await client.consume(
      queue,
      (message) => {
        const id = history.delivered(message.text());
        message.ack();
        if (id !== undefined) {
          history.ackSent(id);
          sent.push(id);
        }
      },
      { prefetch: 500 },
    );
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    const batch = sent;
    sent = [];
    // Deliveries sent before a reply arrive before it, and are acked as they arrive.
    const depths = await Promise.all(queues.map((queue) => client.declareQueue(queue, { passive: true })));
    history.acksApplied(batch);
    if (depths.every((d) => d.messageCount === 0) && sent.length === 0) break;
    if (Date.now() > deadline) throw new Error(`the drain did not empty the queues: ${depths.map((d) => d.messageCount).join(', ')}`);
    await sleep(50);
  }
  await client.close();
}
