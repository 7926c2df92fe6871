/**
 * Core's queue machine (`@warren/core` QueueMachine) as a ReplicatedMachine: the log's commands
 * name consumers and messages by id (queue-log.ts), and each member maps them to its own
 * stand-ins, one Consumer per consumer id and the unacked entry by message id, then applies
 * core's commands to its own machine. Applying is deterministic, so every member holds the same
 * queue and computes the same effects; the leader carries them out.
 *
 * The snapshot is what the queue holds (queue-contents.ts), not the commands that led there, so
 * Raft truncates the log behind it and a restarted or lagging member starts from it. When one is
 * worth taking is the queue group's choice (snapshot-policy.ts): the state counts the log bytes
 * applied since the last one.
 *
 * The member that proposes a command applies the object it proposed rather than decoding the
 * entry it just encoded (Raft hands back the very bytes it was given): decoding gives an equal
 * object (queue-log-codec.test.ts), so every member still applies the same command.
 */
import { Enqueued, recordingQueueMachine, type Consumer, type Message, type QueueMachine, type QueueRecord } from '@warren/core';
import type { ApplyMeta, Applied, ReplicatedMachine } from '../machine.js';
import { restoreQueue, snapshotQueue, snapshotWriter, standIn } from './queue-contents.js';
import { SeenWindow } from './seen-window.js';
import { ReplicaEffects } from './replica-effects.js';
import { decodeQueueCommand, encodeQueueCommand, type LoggedMessage, type QueueLogCommand, type QueueLogEffect, type SettleItem } from './queue-log.js';
import { applyPolicy, extendLease, heldByWindow, purge, rememberId, remove, retryDue, take } from './replica-commands.js';

export interface ReplicatedQueueState {
  readonly machine: QueueMachine;
  readonly effects: ReplicaEffects;
  /** Consumer id -> this member's stand-in, from subscribe until down (a cancelled one may still settle). */
  readonly consumers: Map<string, Consumer>;
  /** Consumers that went down: a late subscribe from one is refused, its connection is gone. */
  readonly gone: Set<string>;
  /**
   * Message ids enqueued in the last SEEN_MS of the queue's clock, oldest first, with when: a
   * retried publish (or a dead-letter routed again) is confirmed again, not stored twice.
   */
  readonly seen: SeenWindow;
  /** The dedup window: publisher's message id -> when the queue took it, oldest first. */
  readonly dedup: Map<string, number>;
  /** The metadata log index of the policy applied last. */
  policyAt: number;
  /** Bytes of the log entries applied since the last snapshot was taken or restored (this member's, not the queue's). */
  logBytes: number;
  /** The size of that snapshot. */
  snapshotBytes: number;
}

/**
 * How long a message id is remembered, ms of the queue's clock: far longer than any proposer
 * retries one command (a publish 8 s, a control command 30 s), so the set stays bounded by the
 * publish rate instead of growing with every message ever published.
 */
export const SEEN_MS = 10 * 60_000;

/** Forgets the ids enqueued more than SEEN_MS ago (the machine's clock never goes back, so the oldest come first). */
function forgetSeen(state: ReplicatedQueueState, now: number): void {
  state.seen.forgetUpTo(now - SEEN_MS);
}
/** Each command's entry, to count the log bytes applied without encoding the command again. */
const entryOf = new WeakMap<QueueLogCommand, Uint8Array>();

function messageOf(logged: LoggedMessage, now: number): Message {
  const properties = logged.properties ?? {};
  return {
    id: logged.id,
    exchange: logged.exchange ?? '',
    routingKey: logged.routingKey ?? '',
    properties,
    headers: logged.headers,
    // A Buffer on every member, whether the body came from a client or from the log.
    body: Buffer.isBuffer(logged.body) ? logged.body : Buffer.from(logged.body.buffer, logged.body.byteOffset, logged.body.byteLength),
    persistent: true,
    publishedAt: now,
  };
}

function subscribe(state: ReplicatedQueueState, { consumer: id, prefetch, ackTimeout }: Extract<QueueLogCommand, { t: 'subscribe' }>, now: number): void {
  if (state.gone.has(id) || state.consumers.has(id)) return;
  const { machine } = state;
  const consumer = standIn(machine, id, prefetch, ackTimeout);
  state.consumers.set(id, consumer);
  machine.apply({ kind: 'attach', now, consumer });
}

function settle(state: ReplicatedQueueState, command: SettleItem, now: number): QueueLogEffect {
  const { effects } = state;
  const { consumer, id, outcome, random, delay } = command;
  const delivery = effects.unacked.get(id);
  if (delivery === undefined || delivery.consumer.tag !== consumer) {
    return { kind: 'settled', consumer, id, outcome: 'stale', index: effects.index };
  }
  effects.unacked.delete(id);
  state.machine.apply({ kind: 'settle', now, random, entry: delivery.entry, consumer: delivery.consumer, outcome, delay, reason: undefined, error: undefined });
  return { kind: 'settled', consumer, id, outcome: outcome === 'ack' ? 'acked' : outcome === 'requeue' ? 'requeued' : 'dropped', index: effects.index };
}

/** The consumer's connection is gone: no more deliveries, and what it held comes back. */
function down(state: ReplicatedQueueState, id: string, now: number): void {
  state.gone.add(id);
  const consumer = state.consumers.get(id);
  if (consumer === undefined) return;
  state.consumers.delete(id);
  state.machine.apply({ kind: 'cancel', now, consumer });
  returnHeld(state, consumer, now);
}

/** What the consumer holds unsettled comes back to the queue (requeued, in order); a later settle of it is stale. */
function returnHeld(state: ReplicatedQueueState, consumer: Consumer, now: number): void {
  const { machine, effects } = state;
  const held = [...effects.unacked.values()].filter((d) => d.consumer === consumer);
  for (const { entry } of held) effects.unacked.delete(entry.message.id);
  machine.apply({ kind: 'connection-lost', now, deliveries: held });
}

/**
 * `now`: the command's time, or the machine's if that is later. Whoever proposes stamps the time
 * on its own clock, and clocks differ (another leader's, a client's retried command), so the
 * machine's clock never goes back: a command stamped earlier than the last one applied happens
 * at the later time, on every member alike.
 */
function applyCommand(state: ReplicatedQueueState, command: QueueLogCommand, now: number): void {
  const { machine, effects } = state;
  switch (command.t) {
    case 'enqueue': {
      forgetSeen(state, now);
      if (state.seen.has(command.id) || heldByWindow(state, command.dedup, now)) {
        effects.push({ kind: 'confirm', client: command.client, id: command.id });
        return;
      }
      const rejected = machine.apply({ kind: 'enqueue', now, message: messageOf(command, now) }) === Enqueued.Rejected;
      if (!rejected) {
        state.seen.add(command.id, now);
        rememberId(state, command.dedup, now);
      }
      effects.push({ kind: rejected ? 'rejected' : 'confirm', client: command.client, id: command.id });
      return;
    }
    case 'enqueues':
      // Each as an enqueue of the shape decoding gives (a spread of the item cost ~9 µs a message).
      for (const { id, body, exchange, routingKey, properties, headers, dedup } of command.messages) {
        applyCommand(state, { t: 'enqueue', id, client: command.client, now, body, exchange, routingKey, properties, headers, dedup }, now);
      }
      return;
    case 'retry-due':
      retryDue(state, command, now);
      return;
    case 'subscribe':
      subscribe(state, command, now);
      effects.push({ kind: 'subscribed', consumer: command.consumer });
      return;
    case 'settle':
      effects.push(settle(state, command, now));
      return;
    case 'settles':
      for (const item of command.settles) effects.push(settle(state, item, now));
      return;
    case 'cancel': {
      const consumer = state.consumers.get(command.consumer);
      if (consumer !== undefined) machine.apply({ kind: 'cancel', now, consumer });
      // Single active consumer: the next one gets the cancelled one's deliveries first (active-consumer.ts).
      if (consumer !== undefined && machine.settings.singleActiveConsumer === true) returnHeld(state, consumer, now);
      effects.push({ kind: 'cancelled', consumer: command.consumer });
      return;
    }
    case 'down':
      down(state, command.consumer, now);
      effects.push({ kind: 'down', consumer: command.consumer });
      return;
    case 'timer': {
      // A timer that is not armed, or was armed again for later after this command was proposed
      // (by a leader that had not applied the re-arm yet), does not fire.
      const due = effects.timers.get(command.timer);
      if (due === undefined || now < due) return;
      effects.timers.delete(command.timer);
      machine.apply({ kind: 'timer', now, timer: command.timer, random: command.random });
      return;
    }
    case 'dispatch':
      machine.apply({ kind: 'dispatch', now });
      return;
    case 'extend':
      extendLease(state, command, now);
      return;
    case 'policy':
      applyPolicy(state, command, now);
      return;
    case 'purge':
      effects.push(purge(state, command, now));
      return;
    case 'take':
      effects.push(take(state, command, now));
      return;
    case 'remove':
      effects.push(remove(state, command, now));
      return;
    case 'dead-lettered':
      effects.deadLetters.delete(command.id);
      return;
    case 'touch':
      machine.apply({ kind: 'touch', now });
  }
}

/** A command forwarded by another node, decoded: the leader proposes its bytes as they came rather than encoding it again. */
export function decodeForwarded(data: Uint8Array): QueueLogCommand {
  const command = decodeQueueCommand(data);
  entryOf.set(command, data);
  return command;
}

/** The machine for one replicated queue, declared as `record`. */
export function replicatedQueueMachine(record: QueueRecord): ReplicatedMachine<ReplicatedQueueState, QueueLogCommand, QueueLogEffect> {
  const init = (): ReplicatedQueueState => {
    const { machine, effects } = recordingQueueMachine(record, new ReplicaEffects());
    effects.machine = machine;
    return { machine, effects, consumers: new Map(), gone: new Set(), seen: new SeenWindow(), dedup: new Map(), policyAt: 0, logBytes: 0, snapshotBytes: 0 };
  };
  /** The command each entry this member proposed was encoded from (its own: members in one process each decode). */
  const proposedAs = new WeakMap<Uint8Array, QueueLogCommand>();
  const encode = (command: QueueLogCommand): Uint8Array => {
    let data = entryOf.get(command);
    if (data === undefined) {
      data = encodeQueueCommand(command);
      entryOf.set(command, data);
    }
    proposedAs.set(data, command);
    return data;
  };
  const decode = (data: Uint8Array): QueueLogCommand => {
    const proposed = proposedAs.get(data);
    if (proposed !== undefined) return proposed;
    const command = decodeQueueCommand(data);
    entryOf.set(command, data);
    return command;
  };
  const apply = (state: ReplicatedQueueState, command: QueueLogCommand, meta: ApplyMeta): Applied<ReplicatedQueueState, QueueLogEffect> => {
    state.logBytes += entryOf.get(command)?.length ?? 0;
    state.effects.index = meta.index;
    applyCommand(state, command, Math.max(state.machine.now, command.now));
    return { state, effects: state.effects.drain() };
  };
  return {
    init,
    apply,
    snapshot(state) {
      const data = snapshotQueue(state);
      state.logBytes = 0;
      state.snapshotBytes = data.length;
      return data;
    },
    snapshotWriter(state) {
      const writer = snapshotWriter(state);
      state.logBytes = 0;
      return {
        write(budgetMs) {
          const data = writer.write(budgetMs);
          if (data !== undefined) state.snapshotBytes = data.length;
          return data;
        },
      };
    },
    restore(data) {
      const state = restoreQueue(init(), data);
      state.snapshotBytes = data.length;
      return state;
    },
    encode,
    decode,
  };
}

/** What the queue holds, as text: members that applied the same commands give the same text. */
export function describeQueue(state: ReplicatedQueueState): string {
  return JSON.stringify({
    stats: state.machine.stats(),
    unacked: [...state.effects.unacked].map(([id, d]) => [id, d.consumer.tag, d.entry.deliveryCount, d.entry.redelivered]),
    consumers: [...state.consumers].map(([id, c]) => [id, c.options.prefetch, c.unacked, c.active]),
    gone: [...state.gone],
    timers: [...state.effects.timers],
    seen: state.seen.size,
    deadLetters: [...state.effects.deadLetters.keys()],
    retries: [...state.effects.retries].map(([id, r]) => [id, r.due]),
    dedup: [...state.dedup],
    policyAt: state.policyAt,
  });
}
