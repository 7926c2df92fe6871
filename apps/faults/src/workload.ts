/**
 * The clients under test: for every node and queue a producer (its own connection, so one
 * queue's slow confirm never holds back another's: confirms of a connection leave in order)
 * publishing persistent messages with confirms, each with a unique messageId; for every node a
 * consumer connection reading every queue with manual acks. Every client has a home node and
 * comes in two kinds: one fails over (given every node's URL, its home first), one stays (given
 * its home's URL only, it reconnects there when the node is back), so the clients stay spread
 * over the nodes as a deployment spreads them: failing-over clients alone gather, fault after
 * fault, on whichever node was never hit (docs/faults.md). Heartbeat 1 s, reconnecting forever.
 * Publishing is open-loop at a steady total rate: a stalled cluster does not slow the offered
 * load, it shows as publishes without confirms.
 */
import { connect, PublishNackedError, type Client } from '@warren/client';
import type { History } from './history.js';

export interface WorkloadOptions {
  readonly urls: readonly string[];
  readonly queues: readonly string[];
  /** Publishes per second, all producers together. */
  readonly rate: number;
  readonly prefetch: number;
}

/** Most publishes one producer has open; past that, its turns are skipped (and counted). */
const MAX_OPEN_PER_PRODUCER = 1_000;
const TICK_MS = 20;

interface Producer {
  readonly name: string;
  readonly queue: string;
  readonly client: Client;
  open: number;
  seq: number;
}

const clientOptions = (name: string) => ({ name, heartbeat: 1_000, reconnect: { maxAttempts: Infinity, maxDelay: 1_000 } });
const rotate = (urls: readonly string[], first: number): string[] => [...urls.slice(first), ...urls.slice(0, first)];

export class Workload {
  readonly #producers: Producer[] = [];
  readonly #consumers: Client[] = [];
  readonly #settling = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #started = 0;
  #sent = 0;
  #next = 0;
  #closing = false;
  /** Producer turns skipped because that producer had too many publishes open. */
  skipped = 0;
  /** Consumers the broker ended (cancelled), each started again. */
  consumerRestarts = 0;

  private constructor(
    private readonly options: WorkloadOptions,
    private readonly history: History,
  ) {}

  static async start(options: WorkloadOptions, history: History): Promise<Workload> {
    const workload = new Workload(options, history);
    for (const [n, home] of options.urls.entries()) {
      for (const [kind, urls] of [['f', rotate(options.urls, n)], ['s', [home]]] as const) {
        const who = `${n + 1}${kind}`;
        for (const queue of options.queues) {
          const name = `p${who}-${queue}`;
          workload.#producers.push({ name, queue, client: await connect(urls, clientOptions(name)), open: 0, seq: 0 });
        }
        const consumer = await connect(urls, clientOptions(`c${who}`));
        workload.#consumers.push(consumer);
        for (const queue of options.queues) workload.#consume(consumer, `c${who}`, queue);
      }
    }
    workload.#started = history.now();
    workload.#timer = setInterval(() => workload.#tick(), TICK_MS);
    return workload;
  }

  /** Stops publishing and waits (up to `timeoutMs`) for every open publish to be settled. */
  async stopPublishing(timeoutMs: number): Promise<void> {
    clearInterval(this.#timer);
    await Promise.race([Promise.allSettled([...this.#settling]), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#producers.map((p) => p.client.close()), ...this.#consumers.map((c) => c.close())]);
  }

  #tick(): void {
    const due = Math.floor(((this.history.now() - this.#started) * this.options.rate) / 1000);
    for (; this.#sent < due; this.#sent++) {
      const producer = this.#producers[this.#next++ % this.#producers.length]!;
      if (producer.open >= MAX_OPEN_PER_PRODUCER) {
        this.skipped++;
        continue;
      }
      this.#publish(producer);
    }
  }

  #publish(producer: Producer): void {
    const id = `${producer.name}/${++producer.seq}`;
    this.history.published(id, producer.queue, producer.name);
    producer.open++;
    const settling = producer.client.publish('', producer.queue, JSON.stringify({ id }), { messageId: id, persistent: true }).then(
      () => this.history.settled(id, 'confirmed'),
      (error: unknown) => this.history.settled(id, error instanceof PublishNackedError ? 'nacked' : 'failed', (error as { code?: string }).code ?? String(error)),
    );
    const done = settling.finally(() => {
      producer.open--;
      this.#settling.delete(done);
    });
    this.#settling.add(done);
  }

  /** Reads the queue until the client closes; a consumer the broker ends is started again. */
  #consume(client: Client, name: string, queue: string): void {
    void (async () => {
      while (!this.#closing) {
        try {
          for await (const message of client.messages(queue, { prefetch: this.options.prefetch })) {
            this.history.delivered(message.properties.messageId ?? '(no messageId)', queue, name, message.redelivered);
            message.ack();
          }
        } catch {
          // Ended by the broker or the connection: read again below.
        }
        if (this.#closing) return;
        this.consumerRestarts++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
  }
}
