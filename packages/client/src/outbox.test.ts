import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import { connected, fakeServer, settle } from './testing/helpers.js';
import { decodeFrames } from '@warren/protocol';

describe('batching frames into WebSocket messages', () => {
  it('sends 10,000 publishes from one synchronous loop in 64 KiB WebSocket messages, not one each', async () => {
    const { client, server } = await connected({}, fakeServer({ publish_window: 10_000 }));
    const before = server.messages.length;
    const body = new Uint8Array(100);
    for (let i = 0; i < 10_000; i++) void client.publish('x', 'k', body);
    await settle();
    const publishes = server.framesOf('publish');
    expect(publishes).toHaveLength(10_000);
    expect(publishes.map((frame) => frame.header.seq)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    const messages = server.messages.slice(before);
    // About 2 MB of frames: some 30 messages of at most 64 KiB (plus one frame that crossed the line).
    expect(messages.length).toBeLessThanOrEqual(40);
    expect(messages.length).toBeGreaterThan(10);
  });

  it('refills the window in batches as cumulative acks arrive', async () => {
    const { client, server } = await connected({}, fakeServer({ publish_window: 1000 }));
    server.onFrame = () => {};
    const confirmed = Promise.all(Array.from({ length: 10_000 }, (_, i) => client.publish('x', 'k', i)));
    let acked = 0;
    while (acked < 10_000) {
      await settle();
      const sent = server.framesOf('publish').length;
      expect(sent - acked).toBeLessThanOrEqual(1000);
      server.send({ type: 'publish.ack', seq: sent, multiple: true });
      acked = sent;
    }
    await confirmed;
    // 10 refills of 1,000 publishes, each a few 64 KiB messages.
    expect(server.messages.length).toBeLessThanOrEqual(1 + 10 * 4 + 5);
  });

  it('sends a lone frame at once, in its own message', async () => {
    const { client, server } = await connected();
    void client.publish('x', 'k', 'a').catch(() => {});
    await settle();
    expect(server.messages.at(-1)?.map((frame) => frame.header.type)).toEqual(['publish']);
  });

  it('sends a frame with a large body alone, after what was batched before it', () => {
    const sent: Uint8Array[] = [];
    const outbox = new Outbox((message) => sent.push(message));
    outbox.write({ type: 'publish', seq: 1 }, new Uint8Array(100));
    outbox.write({ type: 'publish', seq: 2 }, new Uint8Array(64 * 1024).fill(7));
    outbox.write({ type: 'publish', seq: 3 }, new Uint8Array(100));
    outbox.flush();
    const frames = sent.map((message) => decodeFrames(message).map((frame) => (frame.header as { seq: number }).seq));
    expect(frames).toEqual([[1], [2], [3]]);
    const large = decodeFrames(sent[1] as Uint8Array)[0];
    expect(large?.body.length).toBe(64 * 1024);
    expect(large?.body.every((byte) => byte === 7)).toBe(true);
  });

  it('starts a new message before one would exceed the size limit', () => {
    const sent: Uint8Array[] = [];
    const outbox = new Outbox((message) => sent.push(message));
    outbox.maxMessageBytes = 1000;
    for (let i = 0; i < 5; i++) outbox.write({ type: 'publish', seq: i + 1 }, new Uint8Array(300));
    outbox.flush();
    expect(sent.map((message) => decodeFrames(message).length)).toEqual([2, 2, 1]);
    expect(Math.max(...sent.map((message) => message.length))).toBeLessThanOrEqual(1000);
  });
});
