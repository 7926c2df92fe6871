/**
 * A client that never reads (docs/protocol.md, "Flow control", "Peers that do not read"): it
 * pauses its socket and keeps sending requests that each get a reply (passive declares) or an
 * error (unknown frame types). The broker stops reading it once its unsent replies pass the send
 * buffer limit, so the broker's RSS stays within the memory watermark, other clients keep
 * working, and once the client reads again every request is answered: nothing is lost. On a
 * broker process of its own, so that the RSS measured is the broker's. Runs the built broker.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { FrameWriter } from '@warren/protocol';
import { tempDir } from '../support/broker.js';
import { RawClient } from '../support/raw-client.js';
import { take } from '../support/messages.js';
import { RssSampler, spawnAlarmBroker, type AlarmBroker } from './alarms-support.js';

const MiB = 1024 * 1024;
const WATERMARK = 200 * MiB;
const FRAMES_PER_MESSAGE = 500;
/** What the flooder sends at most: unbounded, the broker would hold hundreds of MiB of replies. */
const MAX_REQUESTS = 1_000_000;
const FLOOD_MS = 8_000;
/** Long names make long replies: each request gets back about twice its own size. */
const QUEUE = 'flood-'.padEnd(255, 'q');
const UNKNOWN = 'queue.'.padEnd(200, 'x');

let dir: Awaited<ReturnType<typeof tempDir>>;
let broker: AlarmBroker;

beforeAll(async () => {
  dir = await tempDir('warren-unread-');
  broker = await spawnAlarmBroker(dir.path, join(dir.path, 'data'), {}, { WARREN_MEMORY_HIGH_WATERMARK_BYTES: String(WATERMARK) });
});
afterAll(async () => {
  await broker?.stop();
  await dir?.remove();
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a client that sends requests and never reads the replies', () => {
  it('is stopped being read: the broker stays within its watermark, others keep working, nothing is lost', async () => {
    const flooder = await RawClient.open(broker.url);
    await flooder.request({ type: 'queue.declare', queue: QUEUE });
    flooder.ws.pause();
    const rss = new RssSampler(broker.child.pid!);

    // One message of requests, sent again and again: the flood costs the test little CPU.
    const writer = new FrameWriter();
    for (let i = 0; i < FRAMES_PER_MESSAGE; i++) {
      const id = 1_000 + i;
      writer.add(i % 2 === 0 ? { type: 'queue.declare', id, queue: QUEUE, passive: true } : { type: UNKNOWN, id });
    }
    const message = writer.take();
    let sent = 0;
    const flood = (async () => {
      const until = Date.now() + FLOOD_MS;
      while (Date.now() < until && sent < MAX_REQUESTS) {
        if (flooder.ws.bufferedAmount > 64 * MiB) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        flooder.sendBytes(message);
        sent += FRAMES_PER_MESSAGE;
        await turn();
      }
    })();

    const other = await connect(broker.url);
    let rounds = 0;
    while (rounds < 20) {
      const { queue } = await other.declareQueue('', { exclusive: true });
      await other.publish('', queue, `round ${rounds}`);
      const [message] = await take(other, queue, 1);
      message!.ack();
      expect(message!.text()).toBe(`round ${rounds}`);
      rounds++;
    }
    await flood;
    const peak = rss.stop();
    expect(peak).toBeLessThan(WATERMARK);
    expect((await broker.overview()).mem_alarm).toBe(false);

    // Reading again, the flooder gets an answer to every request it sent, in order.
    flooder.ws.resume();
    const answered: number[] = [];
    let wrong = 0;
    await new Promise<void>((resolve) => {
      const check = () => {
        const frames = flooder.frames.splice(0);
        for (const f of frames) {
          if (typeof f.header.id !== 'number' || f.header.id < 1_000) continue;
          answered.push(f.header.id);
          if (f.header.type !== (f.header.id % 2 === 0 ? 'ok' : 'error')) wrong++;
        }
        if (answered.length >= sent) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
    expect(answered.length).toBe(sent);
    expect(answered.every((id, i) => id === 1_000 + (i % FRAMES_PER_MESSAGE))).toBe(true);
    expect(wrong).toBe(0);
    await other.close();
    await flooder.close();
  }, 60_000);
});
