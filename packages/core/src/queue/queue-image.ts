/**
 * A queue machine's whole state as plain values, and a fresh machine made to hold exactly that
 * state: a snapshot of its contents (a replicated queue's, so that its log can be truncated).
 * The image references the machine's own objects (entries, consumers, leases); whoever stores
 * it encodes them, and whoever restores it builds them again, sharing each entry between the
 * backlog or its delivery and its lease as the original did.
 *
 * Restoring is exact: the ready messages keep their order (those that came back, served first,
 * apart from the rest), each timer is armed again for the time it was armed for (not recomputed,
 * since a timer armed earlier than needed still fires and re-arms), and leases due at the same
 * time expire in the same order. A machine restored from an image and then given the same
 * commands gives the same effects as the original (the replicated queue checks it for random histories: queue-contents.test.ts).
 */
import type { QueueEntry } from '../message.js';
import { Policy, type PolicyRecord } from '../policy/policy.js';
import type { AckLeases, Lease } from './ack-lease.js';
import type { Backlog } from './backlog.js';
import type { Consumer } from './consumer.js';
import type { HeadLimits } from './head-limits.js';
import type { QueueTimer } from './queue-command.js';
import type { QueueMachine } from './queue-machine.js';
import { queueSettings } from './settings.js';

/** What a machine shows of itself to be imaged and restored (QueueMachine.imageParts), and to nothing else. */
export interface MachineImageParts {
  readonly nextSeq: number;
  readonly roundRobin: number;
  readonly unackedCount: number;
  readonly dues: Readonly<Record<QueueTimer, number>>;
  readonly backlog: Backlog;
  readonly leases: AckLeases;
  readonly limits: HeadLimits;
}

export interface QueueImage {
  /** The queue's clock and the last command's random number. */
  readonly now: number;
  readonly random: number;
  readonly deleted: boolean;
  readonly hadConsumer: boolean;
  /** The policy in force (its settings follow from it and the queue's arguments). */
  readonly policy: PolicyRecord | undefined;
  readonly nextSeq: number;
  readonly roundRobin: number;
  readonly unackedCount: number;
  /** The attached consumers, in round-robin order. */
  readonly consumers: readonly Consumer[];
  /** Ready messages that came back (requeued), in seq order, then the others in arrival order. */
  readonly returned: readonly QueueEntry[];
  readonly ram: readonly QueueEntry[];
  /** Live ack leases, in the order they expire. */
  readonly leases: readonly Lease[];
  /** When each timer is armed for; infinity: not armed. */
  readonly timers: Readonly<Record<QueueTimer, number>>;
}

/** The machine's state; it must not page (a RAM-only machine, as recordingQueueMachine's). */
export function queueImage(machine: QueueMachine): QueueImage {
  const { nextSeq, roundRobin, unackedCount, dues, backlog, leases } = machine.imageParts();
  if (backlog.count !== backlog.ramCount) throw new Error(`queue '${machine.name}' has paged-out messages: an image holds RAM only`);
  const { returned, ram } = backlog.readyParts();
  return {
    now: machine.now,
    random: machine.random,
    deleted: machine.deleted,
    hadConsumer: machine.hadConsumer,
    policy: machine.policy?.record,
    nextSeq,
    roundRobin,
    unackedCount,
    consumers: [...machine.consumers],
    returned,
    ram,
    leases: leases.image().leases,
    timers: dues,
  };
}

/** Makes `machine`, new from the same queue record and with its effects, hold `image`. */
export function restoreQueueImage(machine: QueueMachine, image: QueueImage): void {
  const { backlog, leases, limits } = machine.imageParts();
  machine.now = image.now;
  machine.random = image.random;
  machine.deleted = image.deleted;
  machine.hadConsumer = image.hadConsumer;
  machine.policy = image.policy === undefined ? undefined : new Policy(image.policy);
  machine.settings = queueSettings(machine.record.arguments, image.policy?.definition);
  machine.consumers.push(...image.consumers);
  for (const entry of image.returned) backlog.returnEntry(entry);
  for (const entry of image.ram) backlog.push(entry);
  leases.restore(image.leases, image.timers.lease);
  limits.restoreTimer(image.timers.ttl);
  machine.restoreCounters(image, image.timers.expires);
}
