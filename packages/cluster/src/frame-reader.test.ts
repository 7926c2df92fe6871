import { describe, expect, it } from 'vitest';
import { FrameReader } from './frame-reader.js';

const frame = (body: Buffer): Buffer => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
};

describe('FrameReader', () => {
  it('joins a frame far larger than its chunks, and the frames around it, whole and in order', () => {
    const large = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < large.length; i += 4096) large[i] = (i / 4096) % 251;
    const stream = Buffer.concat([frame(Buffer.from('a')), frame(large), frame(Buffer.from('bc'))]);
    const frames: Buffer[] = [];
    const reader = new FrameReader((f) => frames.push(Buffer.from(f)), 1024);
    reader.trust();
    for (let i = 0; i < stream.length; i += 65_536) reader.push(stream.subarray(i, i + 65_536));
    expect(frames.map((f) => f.length)).toEqual([1, large.length, 2]);
    expect(frames[1]!.equals(large)).toBe(true);
    expect(frames[2]!.toString()).toBe('bc');
  });

  it('holds an unproven peer to small frames, and lets a proven one send large ones', () => {
    const body = Buffer.alloc(5_000, 1);
    expect(() => new FrameReader(() => undefined, 1024, 'cluster frame').push(frame(body))).toThrow('cluster frame of 5000 bytes');
    const frames: Buffer[] = [];
    // The handshake's last frame proves the peer; the large one right behind it in the same chunk is taken.
    const reader: FrameReader = new FrameReader((f) => {
      frames.push(f);
      reader.trust();
    }, 1024);
    reader.push(Buffer.concat([frame(Buffer.from('welcome')), frame(body)]));
    expect(frames.map((f) => f.length)).toEqual([7, 5_000]);
  });

  it('refuses an empty frame; a proven peer may announce a frame of hundreds of megabytes', () => {
    expect(() => new FrameReader(() => undefined, 1024).push(Buffer.from([0, 0, 0, 0]))).toThrow(/frame of 0 bytes/);
    const trusted = new FrameReader(() => undefined, 1024);
    trusted.trust();
    const head = Buffer.alloc(5);
    head.writeUInt32BE(300 * 1024 * 1024, 0);
    expect(() => trusted.push(head)).not.toThrow();
  });
});
