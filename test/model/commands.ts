/**
 * The fast-check commands of the model-based queue tests: each applies one client action (or a
 * tick of the clock, or a broker restart) to the reference model and to the real broker, lets
 * the broker settle, and compares everything a client can observe (queue-model.ts, Observation).
 * A command's `check` keeps sequences meaningful: settle only what a connection holds, cancel
 * only a consumer it has.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Outcome, QueueConfig, QueueModel } from './queue-model.js';
import type { RealQueue } from './real-queue.js';

type QueueCommand = fc.AsyncCommand<QueueModel, RealQueue>;

const CONNECTIONS = 3;
const CONSUMERS_PER_CONNECTION = 2;

/** What the commands did, across every property of the process (reported by the test). */
export const tally = { commands: 0, deliveries: 0, redeliveries: 0, restarts: 0 };

async function compare(model: QueueModel, real: RealQueue): Promise<void> {
  tally.commands++;
  model.idle();
  await real.settle();
  const actual = await real.observe();
  const expected = model.observe();
  tally.deliveries += expected.deliveries.length;
  tally.redeliveries += expected.deliveries.filter((d) => d.redelivered).length;
  expect(actual).toEqual(expected);
  expect(real.problems).toEqual([]);
}

function consumersOf(model: Readonly<QueueModel>, connection: number): string[] {
  return model.connections.get(connection)?.consumers.map((c) => c.tag) ?? [];
}

/** Connections (by number) that hold what a command needs: it picks one of them, so few commands are skipped. */
function connectionsWith(model: Readonly<QueueModel>, has: (connection: number) => boolean): number[] {
  return [...model.connections.keys()].sort((a, b) => a - b).filter(has);
}

function withConsumers(model: Readonly<QueueModel>): number[] {
  return connectionsWith(model, (c) => consumersOf(model, c).length > 0);
}

function withUnacked(model: Readonly<QueueModel>): number[] {
  return connectionsWith(model, (c) => model.unackedCount(c) > 0);
}

class Publish implements QueueCommand {
  constructor(
    readonly persistent: boolean,
    readonly expiration: number | undefined,
  ) {}
  check = () => true;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    const id = `m${++model.issued}`;
    const accepted = model.publish(id, this.persistent, this.expiration);
    expect(real.publish(id, this.persistent, this.expiration), `publish ${id} accepted`).toBe(accepted);
    await compare(model, real);
  }
  toString = () => `publish(${this.persistent ? 'persistent' : 'transient'}${this.expiration === undefined ? '' : `, expiration ${this.expiration}`})`;
}

class Consume implements QueueCommand {
  constructor(
    readonly connection: number,
    readonly prefetch: number,
  ) {}
  check = (model: Readonly<QueueModel>) => consumersOf(model, this.connection).length < CONSUMERS_PER_CONNECTION;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    const tag = model.consume(this.connection, this.prefetch);
    real.consume(this.connection, tag, this.prefetch);
    await compare(model, real);
  }
  toString = () => `consume(conn ${this.connection}, prefetch ${this.prefetch})`;
}

class Cancel implements QueueCommand {
  constructor(readonly pick: number) {}
  check = (model: Readonly<QueueModel>) => withConsumers(model).length > 0;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    const [connection, tag] = pickConsumer(model, this.pick);
    model.cancel(connection, tag);
    real.cancel(connection, tag);
    await compare(model, real);
  }
  toString = () => `cancel(consumer #${this.pick})`;
}

/** The consumer `pick` (modulo) among all consumers, connection by connection. */
function pickConsumer(model: Readonly<QueueModel>, pick: number): [number, string] {
  const all = withConsumers(model).flatMap((c) => consumersOf(model, c).map((tag) => [c, tag] as [number, string]));
  return all[pick % all.length]!;
}

/** A new prefetch: the client cancels the consumer and consumes again (its unacked stay with the connection). */
class ChangePrefetch implements QueueCommand {
  constructor(
    readonly pick: number,
    readonly prefetch: number,
  ) {}
  check = (model: Readonly<QueueModel>) => withConsumers(model).length > 0;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    const [connection, old] = pickConsumer(model, this.pick);
    model.cancel(connection, old);
    real.cancel(connection, old);
    const tag = model.consume(connection, this.prefetch);
    real.consume(connection, tag, this.prefetch);
    await compare(model, real);
  }
  toString = () => `prefetch(consumer #${this.pick}, ${this.prefetch})`;
}

type SettleKind = 'ack' | 'nack' | 'reject';

/** Settles the delivery `pick` (modulo) among the unacked ones of the connection `connection` (modulo) among those holding some. */
class Settle implements QueueCommand {
  constructor(
    readonly kind: SettleKind,
    readonly connection: number,
    readonly pick: number,
    readonly multiple: boolean,
    readonly requeue: boolean,
  ) {}
  check = (model: Readonly<QueueModel>) => withUnacked(model).length > 0;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    const holders = withUnacked(model);
    const connection = holders[this.connection % holders.length]!;
    const index = this.pick % model.unackedCount(connection);
    const outcome: Outcome = this.kind === 'ack' ? 'ack' : this.requeue ? 'requeue' : 'drop';
    const multiple = this.multiple && this.kind !== 'reject';
    model.settle(connection, index, multiple, outcome);
    real.settleDelivery(connection, index, multiple, outcome);
    await compare(model, real);
  }
  toString = () =>
    `${this.kind}(conn #${this.connection}, delivery #${this.pick}${this.multiple && this.kind !== 'reject' ? ', multiple' : ''}${this.kind === 'ack' ? '' : `, requeue ${this.requeue}`})`;
}

/** The connection dies with its consumers: what it held goes back to the queue. */
class DropConnection implements QueueCommand {
  constructor(readonly pick: number) {}
  check = (model: Readonly<QueueModel>) => model.connections.size > 0;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    const open = connectionsWith(model, () => true);
    const connection = open[this.pick % open.length]!;
    model.dropConnection(connection);
    real.dropConnection(connection);
    await compare(model, real);
  }
  toString = () => `drop(conn #${this.pick})`;
}

class Advance implements QueueCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    model.advance(this.ms);
    real.advance(this.ms);
    await compare(model, real);
  }
  toString = () => `advance(${this.ms} ms)`;
}

class Restart implements QueueCommand {
  constructor(readonly graceful: boolean) {}
  check = () => true;
  async run(model: QueueModel, real: RealQueue): Promise<void> {
    tally.restarts++;
    model.restart(this.graceful);
    await real.restart(this.graceful);
    model.countedAtRestart(await real.countedOnce());
    await compare(model, real);
  }
  toString = () => `restart(${this.graceful ? 'graceful' : 'connections left open'})`;
}

const connection = fc.integer({ min: 0, max: CONNECTIONS - 1 });
const pick = fc.nat({ max: 7 });
const prefetch = fc.integer({ min: 0, max: 3 });
const expiration = fc.option(fc.integer({ min: 0, max: 100 }), { freq: 3, nil: undefined });

/**
 * Every command, weighted so that queues fill and drain and a run restarts the broker once or
 * twice. `multiple`: ack and nack may settle several deliveries at once. Not with paging: the
 * queue dispatches after each delivery it settles, and whether the next message is in RAM by then
 * or still being read decides which goes out first (a later requeued one may overtake it); the
 * model cannot know page timing.
 */
export function queueCommands(options: { multiple: boolean }): fc.Arbitrary<QueueCommand> {
  const multiple = options.multiple ? fc.boolean() : fc.constant(false);
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.boolean(), expiration).map(([persistent, ms]): QueueCommand => new Publish(persistent, ms)) },
    { weight: 3, arbitrary: fc.tuple(connection, prefetch).map(([c, n]): QueueCommand => new Consume(c, n)) },
    { weight: 1, arbitrary: pick.map((p): QueueCommand => new Cancel(p)) },
    { weight: 1, arbitrary: fc.tuple(pick, prefetch).map(([p, n]): QueueCommand => new ChangePrefetch(p, n)) },
    { weight: 4, arbitrary: fc.tuple(connection, pick, multiple).map(([c, p, m]): QueueCommand => new Settle('ack', c, p, m, false)) },
    { weight: 2, arbitrary: fc.tuple(connection, pick, multiple, fc.boolean()).map(([c, p, m, r]): QueueCommand => new Settle('nack', c, p, m, r)) },
    { weight: 2, arbitrary: fc.tuple(connection, pick, fc.boolean()).map(([c, p, r]): QueueCommand => new Settle('reject', c, p, false, r)) },
    { weight: 1, arbitrary: pick.map((p): QueueCommand => new DropConnection(p)) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }).map((ms): QueueCommand => new Advance(ms)) },
    { weight: 1, arbitrary: fc.boolean().map((graceful): QueueCommand => new Restart(graceful)) },
  );
}

export const queueConfig: fc.Arbitrary<QueueConfig> = fc.record(
  {
    overflow: fc.constantFrom('drop-head', 'reject-publish', 'reject-publish-dlx'),
    maxLength: fc.integer({ min: 0, max: 5 }),
    messageTtl: fc.integer({ min: 0, max: 100 }),
    deliveryLimit: fc.integer({ min: 0, max: 3 }),
    deadLetterRoutingKey: fc.constant('dead'),
  },
  { requiredKeys: ['overflow'] },
);
