import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Broker, silentLogger } from '@warren/core';
import { MemoryStore } from '@warren/core/internal';
import { decodeFrames, encodeFrame } from '@warren/protocol';
import { DEFAULT_CONFIG } from '../config.js';
import type { ServerLogger } from '../log.js';
import { systemClock } from '../clock.js';
import { Session, type SessionSocket } from './session.js';

class RecordingSocket implements SessionSocket {
  readonly bufferedAmount = 0;
  readonly events: string[] = [];
  readonly frames: Array<Record<string, unknown>> = [];
  closed: number | undefined;
  send(data: Uint8Array, done: () => void): void {
    for (const { header } of decodeFrames(data)) this.frames.push(header as Record<string, unknown>);
    done();
  }
  pause(): void {
    this.events.push('pause');
  }
  resume(): void {
    this.events.push('resume');
  }
  close(code: number): void {
    this.closed = code;
  }
}

let broker: Broker;
beforeEach(async () => {
  broker = new Broker({ store: new MemoryStore(), clock: systemClock, logger: silentLogger });
  await broker.start();
});
afterEach(async () => {
  vi.useRealTimers();
  await broker.stop();
});

function open(heartbeat = 0): { session: Session; socket: RecordingSocket } {
  const socket = new RecordingSocket();
  const session = new Session('c1', socket, broker, DEFAULT_CONFIG, silentLogger as unknown as ServerLogger);
  session.receive(encodeFrame({ type: 'hello', version: 1, heartbeat }));
  return { session, socket };
}

const publish = (seq: number) => encodeFrame({ type: 'publish', seq, exchange: '', routing_key: 'nowhere' }, new Uint8Array([1]));
const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('a session under a resource alarm', () => {
  it('blocks at its first publish, still confirms it, and unblocks when the alarms clear', async () => {
    const { session, socket } = open();
    session.publisherBlock.alarmsChanged(['memory']);
    session.receive(publish(1));
    await flushed();
    expect(socket.events).toEqual(['pause']);
    expect(socket.frames.slice(1)).toMatchObject([{ type: 'connection.blocked', reason: 'memory' }, { type: 'publish.ack', seq: 1 }]);
    session.publisherBlock.alarmsChanged([]);
    await flushed();
    expect(socket.events).toEqual(['pause', 'resume']);
    expect(socket.frames.at(-1)).toEqual({ type: 'connection.unblocked' });
  });

  it('does not time out the heartbeat of a connection it is not reading', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    const { session, socket } = open(1000);
    session.receive(publish(1));
    session.publisherBlock.alarmsChanged(['disk']);
    vi.advanceTimersByTime(10_000);
    expect(socket.closed).toBeUndefined();
    session.publisherBlock.alarmsChanged([]);
    vi.advanceTimersByTime(2_500);
    expect(socket.closed).toBe(4005);
    session.closed();
  });
});
