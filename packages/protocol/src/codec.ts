/**
 * Bytes ⇄ frames. One WebSocket message carries one or more frames back to back; each frame is
 *
 *   u32 header length | header (UTF-8 JSON object with a "type") | u32 body length | body bytes
 *
 * (big-endian lengths). Bodies travel as raw bytes, never base64. This file only frames and
 * unframes: it validates nothing beyond the lengths (validate.ts does) and does no I/O.
 */
import { WarrenError } from './errors.js';

export interface RawFrame {
  readonly header: unknown;
  /** A view into the received message, not a copy. */
  readonly body: Uint8Array;
}

const EMPTY = new Uint8Array(0);
/** A working buffer larger than this is given back once a message uses less than a quarter of it. */
const MAX_KEPT_CAPACITY = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Node's Buffer, where there is one: its write() puts a header's text in bytes in two thirds of encodeInto's time. */
interface TextWriter {
  write(text: string, offset: number): number;
}
interface NodeBytes extends TextWriter {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly length: number;
  writeUInt32BE(value: number, offset: number): number;
}
interface NodeBufferClass {
  from(buffer: ArrayBufferLike): TextWriter;
  allocUnsafeSlow(size: number): NodeBytes;
  allocUnsafe(size: number): NodeBytes;
  byteLength(text: string): number;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

/** Writes `text` as UTF-8 into `buf` at `offset`, which has room for it; returns the bytes written. */
type WriteText = (text: string, offset: number) => number;

function textWriterFor(buf: Uint8Array): WriteText {
  if (NodeBuffer !== undefined) {
    const node = NodeBuffer.from(buf.buffer);
    return (text, offset) => node.write(text, offset);
  }
  return (text, offset) => encoder.encodeInto(text, buf.subarray(offset)).written;
}

/** Collects frames into one WebSocket message, growing one buffer instead of concatenating. */
export class FrameWriter {
  private buf: Uint8Array;
  private view: DataView;
  private writeText: WriteText;
  private length = 0;
  private frames = 0;

  constructor(private readonly initialCapacity = 16 * 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
    this.writeText = textWriterFor(this.buf);
  }

  /** Number of frames added since the last take(). */
  get count(): number {
    return this.frames;
  }

  /** Bytes added since the last take(). */
  get size(): number {
    return this.length;
  }

  /** Adds a frame; `header` may be an object or its JSON text, already serialized. */
  add(header: object | string, body: Uint8Array = EMPTY): void {
    const json = typeof header === 'string' ? header : JSON.stringify(header);
    this.reserve(8 + json.length * 3 + body.length);
    const start = this.length;
    const written = this.writeText(json, start + 4);
    this.view.setUint32(start, written);
    let at = start + 4 + written;
    this.view.setUint32(at, body.length);
    at += 4;
    this.buf.set(body, at);
    this.length = at + body.length;
    this.frames++;
  }

  /**
   * Returns the message built so far, as an exact-size copy, and starts a new one in the same
   * buffer. Copying beats handing out the working buffer: a fresh large buffer per message
   * would fragment the allocator's heap, and the process's RSS would creep up with traffic.
   */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    // A connection that keeps sending large messages keeps its large buffer (regrowing it by
    // doubling every time would copy each message several times); one that went quiet gives it back.
    if (this.buf.length > MAX_KEPT_CAPACITY && this.length < this.buf.length / 4) {
      this.buf = new Uint8Array(this.initialCapacity);
      this.view = new DataView(this.buf.buffer);
      this.writeText = textWriterFor(this.buf);
    }
    this.length = 0;
    this.frames = 0;
    return out;
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.writeText = textWriterFor(next);
  }
}

/**
 * Encodes a single frame as its own message, in a buffer of exactly its size: the body is
 * copied once, where a FrameWriter copies it twice (in, then out with take()). The way to send
 * a large body.
 */
export function encodeFrame(header: object | string, body: Uint8Array = EMPTY): Uint8Array {
  const out = frameHead(header, body.length, body.length);
  out.set(body, out.length - body.length);
  return out;
}

/**
 * A frame up to its body, which is `bodyLength` bytes and follows: for a sender that can write
 * one WebSocket message in two parts, so a large body goes out without being copied at all.
 * `lead` bytes are left free in front of it for a sender that writes its own framing there (the
 * broker's WebSocket frame head, server ws/frame-head.ts), so both heads go out as one buffer;
 * such a head is not zero-filled and may share its ArrayBuffer with others (Node's pool).
 */
export function encodeFrameHead(header: object | string, bodyLength: number, lead = 0): Uint8Array {
  return frameHead(header, bodyLength, 0, lead);
}

/** Room for a body from which a frame is allocated without zero-filling (Node only). */
const UNFILLED_MIN_BYTES = 4096;

function frameHead(header: object | string, bodyLength: number, room: number, lead = 0): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  if (NodeBuffer !== undefined && (room >= UNFILLED_MIN_BYTES || lead > 0)) {
    // Not zero-filled first: filling a 64 KiB frame cost as much as copying its body into it.
    // A frame with room for its body owns its whole ArrayBuffer, as ever; a head with a lead is
    // written out at once, and taking it from the pool saves a backing store per message.
    const length = NodeBuffer.byteLength(text);
    const size = lead + 8 + length + room;
    const bytes = lead > 0 ? NodeBuffer.allocUnsafe(size) : NodeBuffer.allocUnsafeSlow(size);
    bytes.writeUInt32BE(length, lead);
    bytes.write(text, lead + 4);
    bytes.writeUInt32BE(bodyLength, lead + 4 + length);
    // A plain Uint8Array, as in browsers: callers compare and subclass-check what they get.
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  const json = encoder.encode(text);
  const out = new Uint8Array(lead + 8 + json.length + room);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  view.setUint32(lead, json.length);
  out.set(json, lead + 4);
  view.setUint32(lead + 4 + json.length, bodyLength);
  return out;
}

/**
 * A connection's way around parsing some headers: `match` gives a header's value without
 * parsing it (undefined: parse it), `remember` sees each header that was parsed.
 * RepeatedHeaders is one.
 */
export interface HeaderShortcut {
  /** The header at data[start, end); `view` is a DataView over `data`, to read it without a subarray. */
  match(data: Uint8Array, view: DataView, start: number, end: number): unknown;
  remember(bytes: Uint8Array, parsed: unknown): void;
}

/** Splits one received message into frames. Throws `frame_malformed` on any framing fault. */
export function decodeFrames(data: Uint8Array, shortcut?: HeaderShortcut): RawFrame[] {
  return splitFrames(data, shortcut, undefined);
}

/**
 * Splits a message that arrived as WebSocket fragments (ws's `fragments` binary type) into
 * frames: the message is their concatenation. A sender that sends a large body as a fragment of
 * its own (the Node client) makes the last fragment exactly the last frame's body: it becomes
 * that frame's body as it is, where joining the fragments would copy it. Any other split is
 * joined first.
 */
export function decodeFragments(fragments: readonly Uint8Array[], shortcut?: HeaderShortcut): RawFrame[] {
  // An empty message comes as no fragments at all.
  if (fragments.length <= 1) return decodeFrames(fragments[0] ?? EMPTY, shortcut);
  const tail = fragments[fragments.length - 1]!;
  const lead = joined(fragments.slice(0, -1));
  if (tail.length > 0 && endsWithBodyOf(lead, tail.length)) return splitFrames(lead, shortcut, tail);
  return decodeFrames(joined(fragments), shortcut);
}

/** Whether the frames in `data` end with a frame whose header is complete and whose body, exactly `bodyLength` bytes, is all that follows. */
function endsWithBodyOf(data: Uint8Array, bodyLength: number): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at + 4 <= data.length) {
    at += 4 + view.getUint32(at);
    if (at + 4 > data.length) return false;
    const length = view.getUint32(at);
    at += 4;
    if (at === data.length) return length === bodyLength;
    at += length;
  }
  return false;
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** decodeFrames, where `tail`, if given, is the last frame's body and follows `data`. */
function splitFrames(data: Uint8Array, shortcut: HeaderShortcut | undefined, tail: Uint8Array | undefined): RawFrame[] {
  const frames: RawFrame[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  if (data.length === 0) throw new WarrenError('frame_malformed', 'empty message');
  while (at < data.length) {
    if (at + 4 > data.length) throw new WarrenError('frame_malformed', `truncated header length at byte ${at}`);
    const headerLength = view.getUint32(at);
    at += 4;
    if (at + headerLength + 4 > data.length) throw new WarrenError('frame_malformed', `truncated frame at byte ${at}`);
    let header: unknown = shortcut?.match(data, view, at, at + headerLength);
    if (header === undefined) {
      const bytes = data.subarray(at, at + headerLength);
      header = parseHeader(bytes);
      shortcut?.remember(bytes, header);
    }
    at += headerLength;
    const bodyLength = view.getUint32(at);
    at += 4;
    if (tail !== undefined && at === data.length) {
      frames.push({ header, body: tail });
      break;
    }
    if (at + bodyLength > data.length) throw new WarrenError('frame_malformed', `truncated body at byte ${at}`);
    frames.push({ header, body: bodyLength === 0 ? EMPTY : data.subarray(at, at + bodyLength) });
    at += bodyLength;
  }
  return frames;
}

function parseHeader(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (cause) {
    throw new WarrenError('frame_malformed', 'frame header is not valid UTF-8', { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WarrenError('frame_malformed', 'frame header is not valid JSON', { cause });
  }
}
