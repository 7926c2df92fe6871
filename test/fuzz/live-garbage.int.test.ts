/**
 * Raw garbage over real connections to a live broker (issue 12, part 4): random binary messages,
 * random text messages, a valid frame followed by garbage in the same message, valid messages then
 * garbage, bytes that are not even WebSocket (after the upgrade, or instead of it), and fuzzed
 * frames of every type but policies (frame-arbitraries.ts), several connections at once.
 * Meanwhile a well-behaved client publishes confirmed messages and consumes them in order, a
 * sentinel consumes the queues the fuzzed frames name, and a durable queue holds persistent
 * messages. Every garbage connection may only get registered error codes and close codes; the
 * well-behaved client loses, reorders and duplicates nothing; the sentinel is never cut off; the
 * stored messages are unchanged; the broker still answers. (Policies are left out here because a
 * legitimate policy may change every queue, the stored one too; frames.test.ts fuzzes them.)
 * Cases: WARREN_FUZZ_LIVE_RUNS, else WARREN_FUZZ_RUNS / 100, at least 100.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client, type Consumer } from '@warren/client';
import { encodeFrame, ERRORS, isErrorCode, WarrenError } from '@warren/protocol';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';
import { depth, take, texts } from '../support/messages.js';
import { frameTypes, fuzzedFrame, messagesOf, type FuzzFrame } from './frame-arbitraries.js';

const RUNS = Number(process.env.WARREN_FUZZ_LIVE_RUNS ?? Math.max(100, Math.floor(Number(process.env.WARREN_FUZZ_RUNS ?? 0) / 100)));
const SEED = process.env.WARREN_FUZZ_SEED === undefined ? undefined : Number(process.env.WARREN_FUZZ_SEED);
const STORED = Array.from({ length: 20 }, (_, i) => `stored-${i}`);
/** Close codes a garbage connection may see: the registry's, normal, and the WebSocket library's own. */
const CLOSE_CODES = new Set<number>([1000, 1005, 1006, ...Object.values(ERRORS).flatMap((s) => ('closeCode' in s ? [s.closeCode] : []))]);

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker?.dispose());

type Garbage =
  | { kind: 'binary'; hello: boolean; messages: Uint8Array[] }
  | { kind: 'text'; hello: boolean; text: string }
  | { kind: 'valid-prefix'; hello: boolean; tail: Uint8Array }
  | { kind: 'valid-then-garbage'; bytes: Uint8Array }
  | { kind: 'tcp-after-upgrade'; bytes: Uint8Array }
  | { kind: 'tcp-no-upgrade'; bytes: Uint8Array }
  | { kind: 'frames'; frames: FuzzFrame[]; batched: boolean };

const FRAME_TYPES = frameTypes().filter((type) => !type.startsWith('policy.'));
const SENTINEL_QUEUES = ['fz-q1', 'fz-q2'];

const bytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max });
const garbage: fc.Arbitrary<Garbage> = fc.oneof(
  fc.record({ kind: fc.constant('binary' as const), hello: fc.boolean(), messages: fc.array(bytes(2048), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('text' as const), hello: fc.boolean(), text: fc.string({ maxLength: 200, unit: 'binary' }) }),
  fc.record({ kind: fc.constant('valid-prefix' as const), hello: fc.boolean(), tail: bytes(512) }),
  fc.record({ kind: fc.constant('valid-then-garbage' as const), bytes: bytes(512) }),
  fc.record({ kind: fc.constant('tcp-after-upgrade' as const), bytes: bytes(1024) }),
  fc.record({ kind: fc.constant('tcp-no-upgrade' as const), bytes: bytes(1024) }),
  fc.record({
    kind: fc.constant('frames' as const),
    frames: fc.array(fc.constantFrom(...FRAME_TYPES).chain(fuzzedFrame), { minLength: 1, maxLength: 4 }),
    batched: fc.boolean(),
  }),
);

let unique = 0;

/** Sends one piece of garbage; returns what was wrong with the broker's answer. */
async function send(piece: Garbage): Promise<string[]> {
  if (piece.kind === 'tcp-after-upgrade' || piece.kind === 'tcp-no-upgrade') return tcpGarbage(piece.kind === 'tcp-after-upgrade', piece.bytes);
  const raw = await RawClient.open(broker.url, { hello: piece.kind === 'valid-then-garbage' || piece.kind === 'frames' || piece.hello });
  const problems: string[] = [];
  let neverDeclared: string | undefined;
  switch (piece.kind) {
    case 'binary':
      for (const message of piece.messages) raw.sendBytes(message);
      break;
    case 'text':
      raw.sendBytes(piece.text);
      break;
    case 'valid-prefix': {
      // A message must decode whole before any of its frames is acted on (docs/protocol.md, "Framing").
      neverDeclared = `fz-never-${++unique}`;
      const valid = encodeFrame({ type: 'queue.declare', id: 1, queue: neverDeclared, exclusive: true });
      const message = new Uint8Array(valid.length + piece.tail.length);
      message.set(valid);
      message.set(piece.tail, valid.length);
      raw.sendBytes(message);
      break;
    }
    case 'frames':
      for (const message of messagesOf(piece.frames, piece.batched)) raw.sendBytes(message);
      break;
    case 'valid-then-garbage':
      raw.send({ type: 'queue.declare', id: 1, queue: '', exclusive: true });
      raw.send({ type: 'publish', seq: 1, exchange: '', routing_key: 'nowhere' }, new Uint8Array([1]));
      raw.sendBytes(piece.bytes);
      break;
  }
  const closed = await Promise.race([raw.closed, new Promise<undefined>((resolve) => setTimeout(resolve, piece.kind === 'frames' ? 100 : 2_000))]);
  if (closed === undefined) {
    // Garbage that happened to decode into frames the broker accepted: the connection is fine.
    await raw.close();
  } else if (!CLOSE_CODES.has(closed.code)) {
    problems.push(`${piece.kind}: closed with ${closed.code} '${closed.reason}'`);
  }
  for (const frame of raw.frames) {
    const code = frame.header.code;
    if ((frame.header.type === 'error' || frame.header.type === 'publish.nack') && !isErrorCode(code)) problems.push(`${piece.kind}: unregistered code ${String(code)}`);
    if (code === 'internal_error') problems.push(`${piece.kind}: internal_error ${String(frame.header.message)}`);
    if (frame.header.type === 'error' && String(frame.header.message).length > 4096) problems.push(`${piece.kind}: a ${String(code)} message over 4096 characters`);
  }
  if (neverDeclared !== undefined && raw.frames.some((f) => f.header.type === 'ok')) problems.push(`valid-prefix: a frame of a malformed message was acted on`);
  return problems;
}

/** Bytes on the TCP socket: after a real upgrade (not WebSocket frames), or instead of HTTP. */
async function tcpGarbage(upgrade: boolean, garbageBytes: Uint8Array): Promise<string[]> {
  const socket: Socket = tcpConnect(broker.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (upgrade) {
    socket.write(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: warren.v1\r\n\r\n',
    );
    const head = await new Promise<string>((resolve) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.off('data', onData);
          resolve(text);
        }
      };
      socket.on('data', onData);
    });
    if (!head.startsWith('HTTP/1.1 101')) return [`upgrade refused: ${head.split('\r\n')[0]}`];
  }
  socket.write(garbageBytes);
  // The broker closes, or waits for the rest of a frame that will never come: either is fine.
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 300))]);
  socket.destroy();
  return [];
}

/**
 * A consumer of the queues the fuzzed frames name: whatever they put there must be deliverable,
 * and the broker must never close this connection. A queue deleted by a fuzzed frame is declared
 * and consumed again.
 */
async function sentinel(): Promise<{ cutOff(): WarrenError | undefined; stop(): Promise<void> }> {
  const client = await connect(broker.url);
  let cutOff: WarrenError | undefined;
  let stopping = false;
  void client.closed.then((error) => {
    if (!stopping) cutOff = error ?? new WarrenError('internal_error', 'closed without an error');
  });
  const follow = async (queue: string) => {
    await client.declareQueue(queue, { durable: false, arguments: {} }).catch(() => undefined);
    await client.consume(queue, (m) => m.ack()).catch(() => undefined);
  };
  client.onError = (error) => {
    if (error.code === 'queue_deleted' && !stopping) for (const queue of SENTINEL_QUEUES) void follow(queue);
  };
  for (const queue of SENTINEL_QUEUES) await follow(queue);
  return {
    cutOff: () => cutOff,
    async stop() {
      stopping = true;
      if (cutOff === undefined) await client.close();
    },
  };
}

/** A client that keeps publishing confirmed messages and consuming them in order. */
async function wellBehaved(): Promise<{ stop(): Promise<{ confirmed: number; received: string[] }> }> {
  const client: Client = await connect(broker.url);
  const { queue } = await client.declareQueue('', { exclusive: true });
  const received: string[] = [];
  const consumer: Consumer = await client.consume(queue, (m) => {
    received.push(m.text());
    m.ack();
  });
  let running = true;
  let confirmed = 0;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await client.publish('', queue, `flow-${i}`);
      confirmed++;
    }
  })();
  loop.catch(() => undefined); // awaited by stop(); a failed test may never get there
  return {
    async stop() {
      running = false;
      await loop;
      while (received.length < confirmed) await new Promise((resolve) => setTimeout(resolve, 5));
      await consumer.cancel();
      await client.close();
      return { confirmed, received };
    },
  };
}

describe('garbage over real connections to a live broker', () => {
  it(`${RUNS} cases of up to four garbage connections at once hurt neither another connection nor stored data`, async () => {
    const keeper = await connect(broker.url);
    await keeper.declareQueue('fz-live-stored', { durable: true });
    for (const body of STORED) await keeper.publish('', 'fz-live-stored', body, { persistent: true });
    const flow = await wellBehaved();
    const watcher = await sentinel();

    let cases = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(garbage, { minLength: 1, maxLength: 4 }), async (pieces) => {
          cases++;
          const problems = (await Promise.all(pieces.map(send))).flat();
          if (watcher.cutOff() !== undefined) problems.push(`the sentinel consumer was cut off: ${watcher.cutOff()!.code} ${watcher.cutOff()!.message}`);
          if (problems.length > 0) throw new Error(problems.join('\n'));
        }),
        { numRuns: RUNS, seed: SEED },
      );
    } finally {
      await watcher.stop();
    }
    expect(cases).toBeGreaterThanOrEqual(RUNS);
    expect(watcher.cutOff()).toBeUndefined();

    const { confirmed, received } = await flow.stop();
    expect(confirmed).toBeGreaterThan(0);
    expect(received).toEqual(Array.from({ length: confirmed }, (_, i) => `flow-${i}`));

    expect(await depth(keeper, 'fz-live-stored')).toBe(STORED.length);
    const kept = await take(keeper, 'fz-live-stored', STORED.length);
    expect(texts(kept)).toEqual(STORED);
    expect(kept.every((m) => m.properties.persistent === true && !m.redelivered)).toBe(true);
    for (const m of kept) m.nack({ requeue: true });
    expect(await depth(keeper, 'fz-live-stored')).toBe(STORED.length);
    await keeper.close();

    const overview = await fetch(`${broker.httpUrl}/api/overview`);
    expect(overview.status).toBe(200);
  }, 120_000 + RUNS * 1_000);
});
