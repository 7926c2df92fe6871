/**
 * Splits a byte stream of length-prefixed frames (u32 length, then that many bytes) into frames.
 * Chunks are kept as they come and joined once a whole frame is there, so a frame of hundreds of
 * megabytes (a queue snapshot sent to a lagging member) costs one copy, not one per chunk.
 *
 * Until the peer has proven it belongs, frames are held to `untrusted` bytes (the handshake's are
 * tiny), so a stranger cannot make a node buffer gigabytes; after `trust()`, only the length
 * field and Node's largest Buffer bound them.
 */
import { constants } from 'node:buffer';

/** The largest frame a peer that proved it belongs may send: a u32 length, within one Buffer. */
export const TRUSTED_FRAME_MAX = Math.min(0xffff_ffff, constants.MAX_LENGTH - 4);

export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes the next frame needs in all (its length field included); 4 while its length is unknown. */
  #needed = 4;
  #limit: number;

  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    untrusted: number,
    private readonly what = 'frame',
  ) {
    this.#limit = untrusted;
  }

  /** The peer proved it belongs: frames up to TRUSTED_FRAME_MAX from now on. */
  trust(): void {
    this.#limit = TRUSTED_FRAME_MAX;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return;
    let buffer = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [];
    this.#needed = 4;
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (length === 0 || length > this.#limit) throw new Error(`${this.what} of ${length} bytes`);
      if (buffer.length < 4 + length) {
        this.#needed = 4 + length;
        break;
      }
      const frame = buffer.subarray(4, 4 + length);
      buffer = buffer.subarray(4 + length);
      this.onFrame(frame);
    }
    this.#buffered = buffer.length;
    if (buffer.length > 0) this.#chunks.push(buffer);
  }
}
