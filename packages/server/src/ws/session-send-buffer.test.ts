import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Broker, silentLogger } from '@warren/core';
import { MemoryStore } from '@warren/core/internal';
import { decodeFrames, encodeFrame, FrameWriter } from '@warren/protocol';
import { DEFAULT_CONFIG, type Config } from '../config.js';
import type { ServerLogger } from '../log.js';
import { systemClock } from '../clock.js';
import { Session, type SessionSocket } from './session.js';
import { sendBufferSoftLimit } from './send-buffer.js';

/** A socket whose peer reads nothing until `drain()`: writes are taken but never complete. */
class UnreadSocket implements SessionSocket {
  readonly bufferedAmount = 0;
  readonly events: string[] = [];
  readonly frames: Array<Record<string, unknown>> = [];
  closed: { code: number; reason: string } | undefined;
  private waiting: Array<() => void> = [];
  send(data: Uint8Array, done: () => void): void {
    for (const { header } of decodeFrames(data)) this.frames.push(header as Record<string, unknown>);
    this.waiting.push(done);
  }
  drain(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }
  pause(): void {
    this.events.push('pause');
  }
  resume(): void {
    this.events.push('resume');
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}

const CONFIG: Config = { ...DEFAULT_CONFIG, deliveryBufferBytes: 1024, maxMessageSize: 1024, sendBufferBytes: 1 };
const SOFT = sendBufferSoftLimit(CONFIG);
const QUEUE = 'q'.repeat(255);
/**
 * One pass of the session's work: a turn of frames already scheduled runs first (its immediate was
 * queued before ours), its replies wait for their writes before ours does, and their flush is
 * queued before our resolve.
 */
const pass = () => new Promise<void>((resolve) => setImmediate(() => broker.afterWrites(() => setImmediate(resolve))));

/** Waits until a pass of the session's work sends nothing more: it is done, or held. No clock involved, so a slow machine cannot end it early. */
async function quiet(socket: UnreadSocket): Promise<void> {
  let seen: number;
  do {
    seen = socket.frames.length;
    await pass();
  } while (socket.frames.length !== seen);
}

let broker: Broker;
beforeEach(async () => {
  broker = new Broker({ store: new MemoryStore(), clock: systemClock, logger: silentLogger });
  await broker.start();
});
afterEach(() => broker.stop());

/** `count` passive declares as one WebSocket message, ids from `first`. */
function passiveDeclares(first: number, count: number): Uint8Array {
  const writer = new FrameWriter();
  for (let i = 0; i < count; i++) writer.add({ type: 'queue.declare', id: first + i, queue: QUEUE, passive: true });
  return writer.take();
}

async function open(): Promise<{ session: Session; socket: UnreadSocket }> {
  const socket = new UnreadSocket();
  const session = new Session('c1', socket, broker, CONFIG, silentLogger as unknown as ServerLogger);
  session.receive(encodeFrame({ type: 'hello', version: 1, heartbeat: 0 }));
  session.receive(encodeFrame({ type: 'queue.declare', id: 1, queue: QUEUE }));
  await pass();
  socket.drain();
  return { session, socket };
}

describe('a session whose peer does not read', () => {
  it('stops reading and handling its frames past the soft limit, and goes on, in order, once it drained', async () => {
    const { session, socket } = await open();
    const replyBytes = encodeFrame({ type: 'ok', id: 1_000_000, queue: QUEUE, message_count: 0, consumer_count: 0 }).length;
    const requests = Math.ceil((3 * SOFT) / replyBytes);
    session.receive(passiveDeclares(1_000, requests));
    await quiet(socket);
    const answered = socket.frames.filter((f) => (f.id as number) >= 1_000).length;
    expect(socket.events).toContain('pause');
    expect(answered * replyBytes).toBeGreaterThanOrEqual(SOFT);
    expect(answered).toBeLessThan(requests);
    await pass();
    expect(socket.frames.filter((f) => (f.id as number) >= 1_000).length).toBe(answered);

    while (socket.frames.filter((f) => (f.id as number) >= 1_000).length < requests) {
      socket.drain();
      await quiet(socket);
    }
    const ids = socket.frames.filter((f) => (f.id as number) >= 1_000).map((f) => f.id);
    expect(ids).toEqual(Array.from({ length: requests }, (_, i) => 1_000 + i));
    // The last replies may hold reading in their turn until the peer reads them too.
    socket.drain();
    await quiet(socket);
    expect(socket.events.at(-1)).toBe('resume');
    expect(socket.closed).toBeUndefined();
  });

  it('is closed with peer_not_reading (4007) when unsent bytes reach twice the limit', async () => {
    const { session, socket } = await open();
    // Replies that come after a store write still go out while reading is held: enough of them pass the hard limit.
    const big = 'x'.repeat(900);
    for (let i = 0; socket.closed === undefined && i < 10_000; i++) session.send({ type: 'heartbeat', pad: big });
    expect(socket.closed).toEqual({ code: 4007, reason: 'peer_not_reading' });
    expect(socket.frames.at(-1)).toMatchObject({ type: 'error', code: 'peer_not_reading' });
  });
});
