#!/usr/bin/env node
/**
 * What a replicated queue's snapshot of its contents costs and saves, in one process, machine
 * only (no disk, no network): the CPU a restarted member spends to rebuild its queue.
 *  - A long history: `--messages` publishes, each delivered and acked (3 log entries a message).
 *    Before snapshots of contents, a member rebuilt its queue by decoding and applying every
 *    entry; now it restores the snapshot and applies the log's tail (at most the policy's
 *    minEntries entries, or factor × the snapshot's bytes).
 *  - A backlog: `--backlog` ready messages of `--size` bytes (a tenth of them delivered, unacked):
 *    how long a snapshot takes to write and to restore, and its size next to the bodies'.
 *  - A drained queue with a full window of seen ids: `--seen` ids of 21 characters (as nanoid makes
 *    them) spread over the 10 minutes of SEEN_MS (1,200,000 is 2,000 msgs/s): the snapshot's
 *    size, the first one written at once, and the next one (chunks of ids already encoded) written
 *    in slices of 1 ms as a member does, with its longest slice.
 *   node packages/cluster/dist/bench/snapshot-cost.js [--messages 200000] [--backlog 10000] [--size 1024] [--seen 1200000]
 */
import { parseArgs } from 'node:util';
import type { QueueLogCommand } from '../queue/queue-log.js';
import { replicatedQueueMachine, type ReplicatedQueueState } from '../queue/replicated-queue.js';
import { DEFAULT_SNAPSHOT_POLICY } from '../queue/snapshot-policy.js';
import { SEEN_MS } from '../queue/replicated-queue.js';

/** Results go to stdout: this is a command, not library code. */
const print = (text: string): void => void process.stdout.write(`${text}\n`);
const RECORD = { id: 'bench', vhost: '/', name: 'bench', durable: true, exclusive: false, autoDelete: false, arguments: {} };
const T0 = 1_000_000;

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** A publish, its delivery to a consumer with credit, and its ack: the log of a busy, drained queue. */
function history(messages: number, size: number): QueueLogCommand[] {
  const body = new Uint8Array(size).fill(1);
  const commands: QueueLogCommand[] = [{ t: 'subscribe', consumer: 'c', prefetch: 100, now: T0 }];
  for (let i = 0; i < messages; i++) {
    const now = T0 + i;
    commands.push({ t: 'enqueue', id: `m${i}`, client: 'p', now, body });
    commands.push({ t: 'settle', consumer: 'c', id: `m${i}`, outcome: 'ack', now, random: 0 });
  }
  return commands;
}

function replay(entries: readonly Uint8Array[]): ReplicatedQueueState {
  const machine = replicatedQueueMachine(RECORD);
  let state = machine.init();
  entries.forEach((entry, i) => (state = machine.apply(state, machine.decode(entry), { index: i + 1, term: 1 }).state));
  return state;
}

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '200000' }, backlog: { type: 'string', default: '10000' }, size: { type: 'string', default: '1024' }, seen: { type: 'string', default: '1200000' } },
});
const [messages, backlog, size, seen] = [Number(values.messages), Number(values.backlog), Number(values.size), Number(values.seen)];
const machine = replicatedQueueMachine(RECORD);

const entries = history(messages, size).map((c) => machine.encode(c).slice());
const logBytes = entries.reduce((n, e) => n + e.length, 0);
const replayed = timed(() => replay(entries));
const snapshot = timed(() => machine.snapshot(replayed.value));
const restored = timed(() => machine.restore(snapshot.value.slice()));
const tail = timed(() => replay(entries.slice(0, DEFAULT_SNAPSHOT_POLICY.minEntries)));
print(`long history: ${messages} messages published and acked, ${entries.length} log entries, ${(logBytes / 1e6).toFixed(1)} MB`);
print(`  before (replay the whole log): ${replayed.ms.toFixed(0)} ms`);
print(`  after (restore the snapshot, ${(snapshot.value.length / 1e3).toFixed(0)} kB, ids of the last 10 min of the queue's clock): ${restored.ms.toFixed(0)} ms` +
  ` + a tail of at most ${DEFAULT_SNAPSHOT_POLICY.minEntries} entries: ${tail.ms.toFixed(0)} ms`);

let state = machine.init();
const body = new Uint8Array(size).fill(2);
let index = 0;
for (let i = 0; i < backlog; i++) state = machine.apply(state, { t: 'enqueue', id: `b${i}`, client: 'p', now: T0, body }, { index: ++index, term: 1 }).state;
state = machine.apply(state, { t: 'subscribe', consumer: 'c', prefetch: backlog / 10, now: T0 }, { index: ++index, term: 1 }).state;
const written = timed(() => machine.snapshot(state));
const read = timed(() => machine.restore(written.value.slice()));
print(`backlog: ${backlog} messages of ${size} bytes (${backlog / 10} credit): snapshot ${(written.value.length / 1e6).toFixed(2)} MB` +
  ` (bodies ${((backlog * size) / 1e6).toFixed(2)} MB), written in ${written.ms.toFixed(0)} ms, restored in ${read.ms.toFixed(0)} ms` +
  ` (${read.value.machine.stats().ready} ready, ${read.value.effects.unacked.size} unacked)`);

let drained = machine.init();
const small = new Uint8Array(100);
const idOf = (i: number): string => `V1StGXR8_Z5jdHi${i.toString(36).padStart(6, '0')}`;
for (let i = 0; i < seen; i++) {
  const now = T0 + Math.floor((i * SEEN_MS) / seen);
  drained = machine.apply(drained, { t: 'enqueue', id: idOf(i), client: 'p', now, body: small }, { index: ++index, term: 1 }).state;
  drained = machine.apply(drained, { t: 'take', ref: 'r', count: 1, now }, { index: ++index, term: 1 }).state;
}
const first = timed(() => machine.snapshot(drained));
const slices: number[] = [];
let bytes: Uint8Array | undefined;
const writer = timed(() => machine.snapshotWriter!(drained));
slices.push(writer.ms);
while (bytes === undefined) {
  const slice = timed(() => writer.value.write(1));
  bytes = slice.value;
  slices.push(slice.ms);
}
const restoredSeen = timed(() => machine.restore(bytes.slice()));
print(`drained, ${seen} ids seen in the last ${SEEN_MS / 60_000} min: snapshot ${(first.value.length / 1e6).toFixed(2)} MB (${(first.value.length / seen).toFixed(1)} bytes an id);` +
  ` the first written at once in ${first.ms.toFixed(0)} ms; the next in ${slices.length} slices of 1 ms (the first takes the image: ${writer.ms.toFixed(2)} ms),` +
  ` longest ${Math.max(...slices).toFixed(2)} ms, ${slices.reduce((a, b) => a + b, 0).toFixed(0)} ms in all; restored in ${restoredSeen.ms.toFixed(0)} ms`);
