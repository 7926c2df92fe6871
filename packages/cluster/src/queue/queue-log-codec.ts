/**
 * A replicated queue's log entries as bytes. The first byte names the format, so that it can
 * evolve: a reader meets every format ever written in a log or a snapshot.
 *
 * - ENQUEUE_V1, a publish, the hot path: flags, the time as a float64, the short fields as
 *   length-prefixed UTF-8, the properties and headers as JSON (they are JSON on the wire
 *   already), then the body as raw bytes to the end of the entry. Decoding copies no body: it is
 *   a view of the entry.
 * - SETTLE_V1, an ack (nack, reject), as many as publishes: the outcome as a byte, the time and
 *   the random number as float64s, [the delay], then the consumer and message ids.
 * - SETTLES_V1, many settles gathered in one event-loop turn (settles-codec.ts).
 * - ENQUEUES_V1, many publishes gathered in one event-loop turn (enqueues-codec.ts).
 * - JSON_V1, every other command: its JSON text. They are small and rare next to publishes.
 *
 * Lengths and the time are little-endian. decodeQueueCommand(encodeQueueCommand(c)) holds what
 * c holds (queue-log-codec.test.ts), which lets the member that proposed a command apply the
 * object it proposed instead of decoding its own entry (replicated-queue.ts).
 */
import type { QueueLogCommand } from './queue-log.js';
import { decodeSettles, encodeSettles, SETTLES_V1 } from './settles-codec.js';
import { decodeEnqueues, ENQUEUES_V1, encodeEnqueues } from './enqueues-codec.js';
import { pushPublishFields, readPublishFields } from './publish-fields.js';

const ENQUEUE_V1 = 1;
const JSON_V1 = 2;
const SETTLE_V1 = 3;

type Enqueue = Extract<QueueLogCommand, { t: 'enqueue' }>;
type Settle = Extract<QueueLogCommand, { t: 'settle' }>;
const OUTCOMES: readonly Settle['outcome'][] = ['ack', 'requeue', 'drop', 'retry'];
const HAS_DELAY = 1;
const EMPTY = new Uint8Array(0);

function encodeJson(command: QueueLogCommand): Uint8Array {
  const text = JSON.stringify(command);
  const out = Buffer.allocUnsafe(1 + Buffer.byteLength(text));
  out[0] = JSON_V1;
  out.write(text, 1);
  return out;
}

/** The optional fields of a publish that are present, in the order they are written. */
function optionalFields(c: Enqueue): { flags: number; fields: string[] } {
  const fields = [c.id, c.client];
  return { flags: pushPublishFields(c, fields), fields };
}

function encodeEnqueue(c: Enqueue): Uint8Array {
  const { flags, fields } = optionalFields(c);
  let size = 10 + c.body.byteLength;
  const lengths = fields.map((f) => Buffer.byteLength(f));
  for (const length of lengths) size += 4 + length;
  const out = Buffer.allocUnsafe(size);
  out[0] = ENQUEUE_V1;
  out[1] = flags;
  out.writeDoubleLE(c.now, 2);
  let at = 10;
  for (let i = 0; i < fields.length; i++) {
    out.writeUInt32LE(lengths[i]!, at);
    out.write(fields[i]!, at + 4, lengths[i]!, 'utf8');
    at += 4 + lengths[i]!;
  }
  out.set(c.body, at);
  return out;
}

function encodeSettle(c: Settle): Uint8Array {
  const head = c.delay === undefined ? 19 : 27;
  const consumer = Buffer.byteLength(c.consumer);
  const id = Buffer.byteLength(c.id);
  const out = Buffer.allocUnsafe(head + 8 + consumer + id);
  out[0] = SETTLE_V1;
  out[1] = c.delay === undefined ? 0 : HAS_DELAY;
  out[2] = OUTCOMES.indexOf(c.outcome);
  out.writeDoubleLE(c.now, 3);
  out.writeDoubleLE(c.random, 11);
  if (c.delay !== undefined) out.writeDoubleLE(c.delay, 19);
  out.writeUInt32LE(consumer, head);
  out.write(c.consumer, head + 4, consumer, 'utf8');
  out.writeUInt32LE(id, head + 4 + consumer);
  out.write(c.id, head + 8 + consumer, id, 'utf8');
  return out;
}

export function encodeQueueCommand(command: QueueLogCommand): Uint8Array {
  if (command.t === 'enqueue') return encodeEnqueue(command);
  if (command.t === 'settles') return encodeSettles(command);
  if (command.t === 'enqueues') return encodeEnqueues(command);
  return command.t === 'settle' ? encodeSettle(command) : encodeJson(command);
}

class EntryReader {
  constructor(
    readonly bytes: Buffer,
    public at: number,
  ) {}

  text(): string {
    const length = this.bytes.readUInt32LE(this.at);
    const start = this.at + 4;
    this.at = start + length;
    if (this.at > this.bytes.length) throw new RangeError('a queue log entry ends inside a field');
    return this.bytes.toString('utf8', start, this.at);
  }
}

function decodeEnqueue(bytes: Buffer): Enqueue {
  const flags = bytes[1]!;
  const now = bytes.readDoubleLE(2);
  const reader = new EntryReader(bytes, 10);
  const command: { -readonly [K in keyof Enqueue]: Enqueue[K] } = { t: 'enqueue', id: reader.text(), client: reader.text(), now, body: EMPTY };
  readPublishFields(command, flags, () => reader.text());
  // A view, not a Buffer: the command holds exactly what was proposed (a Uint8Array).
  command.body = new Uint8Array(bytes.buffer, bytes.byteOffset + reader.at, bytes.length - reader.at);
  return command;
}

function decodeSettle(bytes: Buffer): Settle {
  const outcome = OUTCOMES[bytes[2]!];
  if (outcome === undefined) throw new RangeError(`a settle in the queue log with an unknown outcome (${String(bytes[2])})`);
  const hasDelay = (bytes[1]! & HAS_DELAY) !== 0;
  const now = bytes.readDoubleLE(3);
  const random = bytes.readDoubleLE(11);
  const delay = hasDelay ? bytes.readDoubleLE(19) : undefined;
  const reader = new EntryReader(bytes, hasDelay ? 27 : 19);
  const consumer = reader.text();
  const id = reader.text();
  return delay === undefined ? { t: 'settle', consumer, id, outcome, now, random } : { t: 'settle', consumer, id, outcome, now, random, delay };
}

export function decodeQueueCommand(data: Uint8Array): QueueLogCommand {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  switch (bytes[0]) {
    case ENQUEUE_V1:
      if (bytes.length < 10) throw new RangeError('a queue log entry ends inside its header');
      return decodeEnqueue(bytes);
    case SETTLE_V1:
      if (bytes.length < 19) throw new RangeError('a queue log entry ends inside its header');
      return decodeSettle(bytes);
    case SETTLES_V1:
      return decodeSettles(bytes);
    case ENQUEUES_V1:
      return decodeEnqueues(bytes);
    case JSON_V1:
      return JSON.parse(bytes.toString('utf8', 1)) as QueueLogCommand;
    default:
      throw new RangeError(`a queue log entry in an unknown format (${String(bytes[0])}): written by a newer Warren?`);
  }
}
