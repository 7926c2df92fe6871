#!/usr/bin/env node
/**
 * CPU µs to encode and to decode one publish of the replicated queue's log (queue-log-codec.ts),
 * in one process, for a few body sizes; the best of several rounds, so a busy machine shows
 * what the code costs rather than what the neighbours took.
 *   node packages/cluster/dist/bench/codec-cost.js [--sizes 100,256,65536] [--rounds 15]
 */
import { parseArgs } from 'node:util';
import { decodeQueueCommand, encodeQueueCommand } from '../queue/queue-log-codec.js';
import type { QueueLogCommand } from '../queue/queue-log.js';

/** Results go to stdout, one line each: this is a command, not library code. */
const print = (text: string): void => void process.stdout.write(`${text}\n`);

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,256,65536' }, rounds: { type: 'string', default: '15' } } });

/** A publish as the server proposes it: a client's message id for dedup, properties, no headers. */
const publish = (body: Uint8Array): QueueLogCommand => ({
  t: 'enqueue',
  id: 'n1.V1StGXR8_Z5jdHi6B',
  client: 'n1',
  now: Date.now(),
  body,
  exchange: 'bench',
  routingKey: 'cluster3',
  properties: { message_id: 'V1StGXR8_Z5jdHi6B-myT', content_type: 'application/octet-stream' },
  dedup: 'V1StGXR8_Z5jdHi6B-myT',
});

function microseconds(times: number, work: () => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < times; i++) work();
  return Number(process.hrtime.bigint() - start) / times / 1_000;
}

for (const size of values.sizes.split(',').map(Number)) {
  const body = new Uint8Array(size).fill(7);
  const times = Math.max(200, Math.floor(20_000_000 / (size + 1_000)));
  let encode = Infinity;
  let decode = Infinity;
  let entry = encodeQueueCommand(publish(body));
  for (let round = 0; round < Number(values.rounds); round++) {
    encode = Math.min(encode, microseconds(times, () => (entry = encodeQueueCommand(publish(body)))));
    decode = Math.min(decode, microseconds(times, () => decodeQueueCommand(entry)));
  }
  print(`${size} B body: entry ${entry.length} B, encode ${encode.toFixed(2)} µs, decode ${decode.toFixed(2)} µs`);
}
