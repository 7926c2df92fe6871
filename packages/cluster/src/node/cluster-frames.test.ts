import { describe, expect, it } from 'vitest';
import { batchFrames, FrameKind, jsonFrame, postFrame, readBatch, readJsonFrame, readPosts } from './cluster-frames.js';
import { FrameReader } from '../frame-reader.js';
import type { Message } from '../raft/types.js';

const append: Message = { type: 'app', from: 'a', to: 'b', term: 3, index: 7, logTerm: 2, commit: 6, entries: [{ term: 3, index: 8, type: 'normal', data: new Uint8Array([1, 2, 3]) }] } as unknown as Message;
const beat: Message = { type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 6 } as unknown as Message;

describe('cluster frames', () => {
  it('carries the messages of several groups in one batch frame, split back out of a byte stream cut anywhere', () => {
    const bytes = Buffer.concat([...batchFrames([{ group: 'meta', message: append }, { group: 'q/%2F/orders', message: beat }]), jsonFrame(FrameKind.forward, { rid: 1, group: 'meta' }, new Uint8Array([9]))]);
    const frames: Buffer[] = [];
    const reader = new FrameReader((f) => frames.push(Buffer.from(f)), 1024);
    for (let i = 0; i < bytes.length; i += 5) reader.push(bytes.subarray(i, i + 5));
    expect(frames.map((f) => f[0])).toEqual([FrameKind.batch, FrameKind.forward]);
    const batch = readBatch(frames[0]!);
    expect(batch.map((m) => m.group)).toEqual(['meta', 'q/%2F/orders']);
    expect([...batch[0]!.message.entries![0]!.data]).toEqual([1, 2, 3]);
    expect(batch[1]!.message).toEqual(beat);
    const forward = readJsonFrame<{ rid: number }>(frames[1]!);
    expect(forward.value.rid).toBe(1);
    expect([...forward.payload]).toEqual([9]);
  });

  it('carries posts (a header, JSON or bytes of its own, and its bytes each) in one frame', () => {
    const frame = postFrame([
      { header: { g: 'q:/:a', c: 'c1', id: 'm1' }, payload: new Uint8Array([1, 2]) },
      { header: { g: 'q:/:a', c: 'c2', id: 'm2' }, payload: new Uint8Array(0) },
      { header: new Uint8Array([1, 0x7b, 3]), payload: new Uint8Array([4]) },
    ]);
    const frames: Buffer[] = [];
    new FrameReader((f) => frames.push(Buffer.from(f)), 1024).push(frame);
    expect(frames[0]![0]).toBe(FrameKind.post);
    const posts = readPosts(frames[0]!);
    expect(posts.map((p) => (p.header instanceof Uint8Array ? [...p.header] : p.header))).toEqual([{ g: 'q:/:a', c: 'c1', id: 'm1' }, { g: 'q:/:a', c: 'c2', id: 'm2' }, [1, 0x7b, 3]]);
    expect(posts.map((p) => [...p.payload])).toEqual([[1, 2], [], [4]]);
  });

  it('splits a turn of large messages over several batch frames, in order, a message larger than the target alone', () => {
    const big = (index: number, bytes: number): Message => ({ ...append, index, entries: [{ term: 3, index: index + 1, type: 'normal', data: new Uint8Array(bytes).fill(index) }] }) as unknown as Message;
    const messages = [big(1, 300), big(2, 300), big(3, 300), big(4, 2_000), big(5, 10)].map((message) => ({ group: 'q', message }));
    const frames = batchFrames(messages, 1_500);
    const split = frames.map((frame) => readBatch(frame.subarray(4)).map((m) => m.message.index));
    expect(split).toEqual([[1, 2, 3], [4], [5]]);
    expect(split.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(batchFrames([])).toEqual([]);
  });
});
