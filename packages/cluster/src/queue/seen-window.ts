/**
 * The message ids a replicated queue enqueued in the last SEEN_MS of its clock, oldest first,
 * with when: a retried publish (or a dead-letter routed again) is confirmed again, not stored
 * twice. At 2,000 msgs/s the window holds over a million ids, and every snapshot carries it, so it
 * is kept in chunks of CHUNK ids in arrival order: a full chunk never changes again (ids leave
 * from the oldest end only), so its bytes are encoded once in its life and each later snapshot
 * copies them. What a snapshot writes is a few fresh chunks and copies of the rest.
 *
 * A chunk's bytes (little-endian): uint32 count, float64 the first id's time, then per id: a
 * varint t (even: the time is the previous one plus t/2 ms; odd: a float64 time follows, for a
 * clock that went back or a fractional one), a varint byte length and the id in UTF-8.
 */

/** Ids per chunk: a fresh chunk costs about a tenth of a millisecond to encode. */
export const CHUNK = 1024;

/** One chunk: `ids[i]` was enqueued at `ats[i]`; `bytes` is its encoding once it is full. */
interface Chunk {
  readonly ids: string[];
  readonly ats: number[];
  bytes?: Buffer;
}

/** A run of one chunk to encode, ids `from` to `to`; `whole`: the run is a whole full chunk, which keeps its bytes. */
export interface SeenPiece {
  readonly chunk: Chunk;
  readonly from: number;
  readonly to: number;
  readonly whole: boolean;
}

export class SeenWindow {
  readonly #ids = new Set<string>();
  readonly #chunks: Chunk[] = [{ ids: [], ats: [] }];
  /** The ids of the first chunk before this one are forgotten. */
  #head = 0;

  /** `chunk`: ids per chunk (tests use small ones to cross chunks often). */
  constructor(private readonly chunk = CHUNK) {}

  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** `at` is never before the last id's time (the queue's clock never goes back). */
  add(id: string, at: number): void {
    this.#ids.add(id);
    let open = this.#chunks.at(-1)!;
    if (open.ids.length === this.chunk) {
      open = { ids: [], ats: [] };
      this.#chunks.push(open);
    }
    open.ids.push(id);
    open.ats.push(at);
  }

  /** Forgets the ids enqueued at or before `at`. */
  forgetUpTo(at: number): void {
    for (;;) {
      const first = this.#chunks[0]!;
      if (this.#head === first.ids.length) {
        if (this.#chunks.length === 1) return;
        this.#chunks.shift();
        this.#head = 0;
        continue;
      }
      if (first.ats[this.#head]! > at) return;
      this.#ids.delete(first.ids[this.#head]!);
      this.#head++;
    }
  }

  *keys(): IterableIterator<string> {
    for (const [id] of this) yield id;
  }

  *[Symbol.iterator](): IterableIterator<[string, number]> {
    for (const [c, chunk] of this.#chunks.entries()) {
      for (let i = c === 0 ? this.#head : 0; i < chunk.ids.length; i++) yield [chunk.ids[i]!, chunk.ats[i]!];
    }
  }

  /**
   * The window as it is now, as runs to encode. They stay true whatever is added or forgotten
   * later: a chunk's arrays only grow at the end, and forgetting moves the head past its ids
   * without touching them.
   */
  pieces(): SeenPiece[] {
    return this.#chunks
      .map((chunk, c): SeenPiece => {
        const from = c === 0 ? this.#head : 0;
        const to = chunk.ids.length;
        return { chunk, from, to, whole: from === 0 && to === this.chunk };
      })
      .filter((p) => p.to > p.from);
  }

  /** Adds the ids of a chunk a snapshot holds (as encodePiece wrote it), after any already here. */
  restoreChunk(bytes: Buffer): void {
    const { ids, ats } = decodeChunk(bytes);
    for (let i = 0; i < ids.length; i++) this.add(ids[i]!, ats[i]!);
  }
}

/** A piece's bytes; a whole full chunk keeps them, to be copied by later snapshots. */
export function encodePiece(piece: SeenPiece): Buffer {
  const { chunk, from, to, whole } = piece;
  if (whole && chunk.bytes !== undefined) return chunk.bytes;
  let room = 12;
  for (let i = from; i < to; i++) room += 19 + 3 * chunk.ids[i]!.length;
  const out = Buffer.allocUnsafe(room);
  out.writeUInt32LE(to - from, 0);
  let prev = chunk.ats[from]!;
  out.writeDoubleLE(prev, 4);
  let at = 12;
  for (let i = from; i < to; i++) {
    const time = chunk.ats[i]!;
    const step = time - prev;
    if (Number.isInteger(step) && step >= 0 && step < 2 ** 30) {
      at = writeVarint(out, at, step * 2);
    } else {
      at = writeVarint(out, at, 1);
      out.writeDoubleLE(time, at);
      at += 8;
    }
    prev = time;
    // The id goes one byte further on, then its length in front: ids are short, one byte of
    // length in nearly every case, and the rare long one moves up to make room for more.
    const length = out.write(chunk.ids[i]!, at + 1, 'utf8');
    if (length < 0x80) out[at] = length;
    else {
      const head = writeVarint(Buffer.allocUnsafe(5), 0, length);
      out.copyWithin(at + head, at + 1, at + 1 + length);
      writeVarint(out, at, length);
      at += head - 1;
    }
    at += 1 + length;
  }
  const bytes = Buffer.from(out.subarray(0, at));
  if (whole) chunk.bytes = bytes;
  return bytes;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}

function decodeChunk(bytes: Buffer): { ids: string[]; ats: number[] } {
  const fail = (): never => {
    throw new RangeError('a replicated queue snapshot holds a broken window of seen ids');
  };
  if (bytes.length < 12) fail();
  const count = bytes.readUInt32LE(0);
  let time = bytes.readDoubleLE(4);
  let at = 12;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length || scale > 2 ** 35) fail();
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  const ids: string[] = new Array(count);
  const ats: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const t = varint();
    if (t % 2 === 0) time += t / 2;
    else {
      if (at + 8 > bytes.length) fail();
      time = bytes.readDoubleLE(at);
      at += 8;
    }
    const length = varint();
    if (at + length > bytes.length) fail();
    ids[i] = bytes.toString('utf8', at, at + length);
    ats[i] = time;
    at += length;
  }
  if (at !== bytes.length) fail();
  return { ids, ats };
}
