/**
 * Issue 21, point 5: client failover through the public client against real broker processes.
 * A publisher with confirms and a consumer with manual acks run while a broker dies by kill -9
 * (or stops answering, by SIGSTOP); the client reconnects (to the same broker restarted on its
 * port and data dir, or to a second broker URL), declares its topology again, resumes its
 * consumer and republishes what was not confirmed. Every confirmed message must be delivered; duplicates are allowed and counted.
 * Runs the built broker (packages/server/dist), so build first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Client, type Message, type ReconnectedEvent } from '@warren/client';
import { spawnBroker, tempDir, type BrokerProcess } from '../support/broker.js';
import { call } from '../support/http.js';

const RECONNECT = { minDelay: 20, maxDelay: 250, maxAttempts: 400 };
const IN_FLIGHT = 50;

/** The history of one run: what was confirmed (and by which broker URL), what was delivered how often. */
class Workload {
  readonly confirmed = new Map<string, string>();
  readonly delivered = new Map<string, number>();
  readonly failures: unknown[] = [];
  /** Published, not yet confirmed or refused. */
  readonly pending = new Set<string>();
  duplicateReceipts = 0;
  private stopped = false;
  private publishing: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly client: Client) {}

  readonly handler = (message: Message): void => {
    const id = String(message.properties.messageId);
    this.delivered.set(id, (this.delivered.get(id) ?? 0) + 1);
    message.ack();
    this.wake();
  };

  start(): void {
    this.publishing = this.publishLoop();
  }

  /** Stops publishing; resolves once every publish made has resolved or rejected. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.publishing;
  }

  /** Resolves once `predicate` holds, checked after every confirm and delivery. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  confirmedAtLeast(count: number): Promise<void> {
    return this.until(() => this.confirmed.size >= count);
  }

  /** Every message confirmed so far (or by `url`) has been delivered. */
  allDelivered(url?: string): Promise<void> {
    const ids = [...this.confirmed].filter(([, by]) => url === undefined || by === url).map(([id]) => id);
    return this.until(() => ids.every((id) => this.delivered.has(id)));
  }

  verdict() {
    const lost = [...this.confirmed.keys()].filter((id) => !this.delivered.has(id));
    const duplicates = [...this.delivered.values()].reduce((sum, count) => sum + count - 1, 0);
    return { confirmed: this.confirmed.size, delivered: this.delivered.size, lost: lost.length, duplicates, duplicateReceipts: this.duplicateReceipts };
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }

  private async publishLoop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (let n = 1; !this.stopped; n++) {
      const id = `order-${n}`;
      this.pending.add(id);
      const publish = this.client.publish('orders', 'order.created', { n }, { messageId: id }).then(
        (receipt) => {
          this.pending.delete(id);
          // Acks come only from the current connection, so its URL is the broker that confirmed.
          this.confirmed.set(id, this.client.url);
          if (receipt.duplicate) this.duplicateReceipts++;
          this.wake();
        },
        (error: unknown) => {
          this.pending.delete(id);
          this.failures.push(error);
        },
      );
      inFlight.add(publish);
      void publish.finally(() => inFlight.delete(publish));
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      // Paced, so a run spans the outage with a steady stream rather than one burst.
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  }
}

/** The durable part of the topology and a transient part that a restart loses: only a re-declare brings that back. */
async function declareTopology(client: Client): Promise<string> {
  await client.declareExchange('orders', 'topic');
  await client.declareQueue('orders.q', { arguments: { 'x-dedup-window': 600_000 } });
  await client.bind('orders.q', 'orders', 'order.*');
  await client.declareExchange('events', 'fanout', { durable: false });
  await client.bindExchange('events', 'orders', '#');
  const { queue } = await client.declareQueue('', { durable: false, exclusive: true });
  await client.bind(queue, 'events');
  return queue;
}

/** The broker at `httpUrl` has the topology: the queues, the exchanges and the bindings between them, and a consumer on orders.q. */
async function expectTopology(httpUrl: string, tempQueue: string): Promise<void> {
  const queue = await call(httpUrl, 'GET', '/api/queues/%2F/orders.q');
  expect(queue.status).toBe(200);
  expect(queue.body).toMatchObject({ durable: true, consumers: 1, arguments: { 'x-dedup-window': 600_000 } });
  expect((await call(httpUrl, 'GET', '/api/bindings/%2F/e/orders/q/orders.q')).body).toEqual([expect.objectContaining({ routing_key: 'order.*' })]);
  expect((await call(httpUrl, 'GET', '/api/exchanges/%2F/events')).body).toMatchObject({ type: 'fanout', durable: false });
  expect((await call(httpUrl, 'GET', '/api/bindings/%2F/e/orders/e/events')).body).toEqual([expect.objectContaining({ routing_key: '#' })]);
  expect((await call(httpUrl, 'GET', `/api/queues/%2F/${encodeURIComponent(tempQueue)}`)).body).toMatchObject({ exclusive: true, durable: false });
  expect((await call(httpUrl, 'GET', `/api/bindings/%2F/e/events/q/${encodeURIComponent(tempQueue)}`)).body).toHaveLength(1);
}

/** The publishes still unconfirmed when the client sees its connection lost (after the last frame of that connection). */
const unconfirmedAtLoss = (client: Client, work: Workload): Promise<string[]> =>
  new Promise((resolve) => client.on('disconnected', () => resolve([...work.pending])));
const nextReconnect = (client: Client): Promise<ReconnectedEvent> => new Promise((resolve) => client.on('reconnected', resolve));
const portOf = (url: string): string => new URL(url).port;

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});

async function broker(dataDir: string, port?: string): Promise<BrokerProcess> {
  const process = await spawnBroker(dataDir, port === undefined ? {} : { WARREN_PORT: port });
  cleanup.push(async () => {
    if (process.child.exitCode === null && process.child.signalCode === null) await process.kill9();
  });
  return process;
}

async function dataDir(): Promise<string> {
  const dir = await tempDir('warren-failover-');
  cleanup.push(() => dir.remove());
  return dir.path;
}

function report(name: string, verdict: ReturnType<Workload['verdict']> & { republished: number }): void {
  process.stderr.write(`client failover (${name}): ${JSON.stringify(verdict)}\n`);
}

describe('client failover', () => {
  it('survives kill -9 of its broker and its restart on the same port and data dir: nothing confirmed is lost, the topology is back', async () => {
    const dir = await dataDir();
    const first = await broker(dir);
    const client = await connect([first.url], { reconnect: RECONNECT, name: 'failover-restart' });
    cleanup.push(() => client.close());
    const tempQueue = await declareTopology(client);
    const work = new Workload(client);
    await client.consume('orders.q', work.handler, { prefetch: 50 });
    work.start();
    await work.confirmedAtLeast(200);

    const back = nextReconnect(client);
    const lost = unconfirmedAtLoss(client, work);
    await first.kill9();
    // No ack comes from a lost connection: whatever is confirmed of these was published again.
    const unconfirmedAtKill = await lost;
    const disconnectedAt = work.confirmed.size;
    const restarted = await broker(dir, portOf(first.url));
    const event = await back;
    expect(event.url).toBe(first.url);
    // The exclusive server-named queue died with the old connection and came back under a new name.
    const renamed = event.renamedQueues[tempQueue];
    expect(renamed).toMatch(/^amq\.gen-/);
    await expectTopology(restarted.httpUrl, renamed!);

    await work.confirmedAtLeast(disconnectedAt + 200);
    await work.stop();
    await work.allDelivered();
    const verdict = { ...work.verdict(), republished: unconfirmedAtKill.length };
    report('restart', verdict);
    expect(unconfirmedAtKill.filter((id) => !work.confirmed.has(id))).toEqual([]);
    expect(work.failures).toEqual([]);
    expect(verdict.lost).toBe(0);
    expect(client.state).toEqual({ state: 'open', url: first.url });
  });

  it('moves to the second broker URL when its broker is killed, and back when that one dies: topology declared on each, consumer resumed, nothing confirmed lost', async () => {
    const [dir1, dir2] = [await dataDir(), await dataDir()];
    const [started, two] = await Promise.all([broker(dir1), broker(dir2)]);
    let one = started;
    const client = await connect([one.url, two.url], { reconnect: RECONNECT, name: 'failover-move' });
    cleanup.push(() => client.close());
    const states: string[] = [];
    void (async () => {
      for await (const change of client.states()) states.push(`${change.state}${'url' in change ? ` ${change.url}` : ''}`);
    })();
    let tempQueue = await declareTopology(client);
    const work = new Workload(client);
    await client.consume('orders.q', work.handler, { prefetch: 50 });
    work.start();
    await work.confirmedAtLeast(200);

    let back = nextReconnect(client);
    const lost = unconfirmedAtLoss(client, work);
    await one.kill9();
    const unconfirmedAtKill = await lost;
    let event = await back;
    expect(event.url).toBe(two.url);
    tempQueue = event.renamedQueues[tempQueue]!;
    await expectTopology(two.httpUrl, tempQueue);
    // The consumer resumed on the second broker: what it confirms is delivered.
    const movedAt = work.confirmed.size;
    await work.confirmedAtLeast(movedAt + 200);
    await work.until(() => [...work.confirmed].some(([id, by]) => by === two.url && work.delivered.has(id)));

    // The first broker comes back with what it confirmed and never delivered; the second one dies after delivering all it confirmed.
    one = await broker(dir1, portOf(one.url));
    await work.stop();
    await work.allDelivered(two.url);
    back = nextReconnect(client);
    await two.kill9();
    event = await back;
    expect(event.url).toBe(one.url);
    await expectTopology(one.httpUrl, event.renamedQueues[tempQueue]!);
    await work.allDelivered();

    const verdict = { ...work.verdict(), republished: unconfirmedAtKill.length };
    report('move', verdict);
    // What the first broker never confirmed was published again to the second, and confirmed there.
    expect(unconfirmedAtKill.filter((id) => work.confirmed.get(id) !== two.url)).toEqual([]);
    expect(work.failures).toEqual([]);
    expect(verdict.lost).toBe(0);
    expect(new Set(work.confirmed.values())).toEqual(new Set([one.url, two.url]));
    expect(states.filter((state) => !state.startsWith('reconnecting'))).toEqual([`disconnected ${one.url}`, `open ${two.url}`, `disconnected ${two.url}`, `open ${one.url}`]);
  });

  it('leaves a paused broker (SIGSTOP) after two heartbeat intervals of silence; what was published meanwhile is confirmed by the next one', async () => {
    const [paused, next] = await Promise.all([broker(await dataDir()), broker(await dataDir())]);
    cleanup.push(async () => void paused.child.kill('SIGCONT'));
    const client = await connect([paused.url, next.url], { reconnect: RECONNECT, heartbeat: 500, name: 'failover-paused' });
    cleanup.push(() => client.close());
    await declareTopology(client);
    const work = new Workload(client);
    await client.consume('orders.q', work.handler, { prefetch: 50 });
    work.start();
    await work.confirmedAtLeast(50);

    const disconnected = new Promise<string>((resolve) => client.on('disconnected', ({ error }) => resolve(error.code)));
    const back = nextReconnect(client);
    const lost = unconfirmedAtLoss(client, work);
    paused.child.kill('SIGSTOP');
    expect(await disconnected).toBe('heartbeat_timeout');
    expect((await back).url).toBe(next.url);
    const unconfirmed = await lost;
    const movedAt = work.confirmed.size;
    await work.confirmedAtLeast(movedAt + 50);
    await work.stop();
    await work.allDelivered(next.url);
    expect(work.failures).toEqual([]);
    expect(unconfirmed.filter((id) => work.confirmed.get(id) !== next.url)).toEqual([]);
  });
});
