/**
 * Frames of the cluster port (never the public one). Every frame is length-prefixed (u32) and
 * starts with its kind. The handshake frames carry a small JSON object; a batch carries the Raft
 * messages of every group bound for one peer in one event-loop turn, each tagged with its group,
 * in peer-codec's binary form; forward / forwarded carry a proposal a follower hands its leader.
 *
 *   hello      {v, id, nonce}                     dialer -> acceptor
 *   challenge  {id, nonce}                        acceptor -> dialer
 *   proof      {proof}                            dialer -> acceptor (checked first: a rogue dialer is logged where it knocks)
 *   welcome    {proof}                            acceptor -> dialer
 *   batch      u32 count, then per message: u16 group length, group, u32 length, message
 *   forward    u32 json length, {rid, group, conf?}, then the command's bytes
 *   forwarded  u32 json length, {rid, index?, error?, leader?}
 *   status     u32 json length, what the node reports of itself (GET /api/nodes), once a second
 *   post       u32 count, then per item: u32 header length, header (JSON, or the poster's bytes
 *              not starting with `{`), u32 payload length, payload: what
 *              a node's groups send another node besides Raft (a replicated queue's deliveries to
 *              the node its consumer is connected to), batched per event-loop turn like `batch`
 *   beat       nothing: the node-level heartbeat, once a tick (peer-liveness.ts)
 */
import { decodeMessage, encodeMessage } from '../peer-codec.js';
import type { Message } from '../raft/types.js';

export const FrameKind = { hello: 1, challenge: 2, proof: 3, batch: 4, forward: 5, forwarded: 6, status: 7, welcome: 8, post: 9, beat: 10 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/**
 * 2: the beat frame, and quiescing groups that rely on it. 3: the replicated queue log's
 * `settles` and `enqueues` commands (format bytes 4 and 5), which a node of version 2 could not
 * read from a forwarded proposal or a log entry, and posts whose header is bytes (deliveries).
 */
export const PROTOCOL_VERSION = 3;

/** The node-level heartbeat: a frame of its kind alone. */
export const BEAT_FRAME = Buffer.from([0, 0, 0, 1, FrameKind.beat]);

/** What crossed the cluster port since start (this node's side), for /metrics and the idle-queues bench. */
export interface ClusterTraffic {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  writes: number;
}

/** A Raft message and the group it belongs to. */
export interface GroupMessage {
  readonly group: string;
  readonly message: Message;
}

export interface ForwardHeader {
  readonly rid: number;
  readonly group: string;
  /** The command is a membership change (ConfChange), not a machine command. */
  readonly conf?: boolean;
}

export interface ForwardedHeader {
  readonly rid: number;
  readonly index?: number;
  readonly error?: string;
  readonly leader?: string | null;
}

export function jsonFrame(kind: FrameKind, value: unknown, payload?: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  const size = 1 + 4 + json.length + (payload?.length ?? 0);
  const out = Buffer.allocUnsafe(4 + size);
  out.writeUInt32BE(size, 0);
  out[4] = kind;
  out.writeUInt32BE(json.length, 5);
  json.copy(out, 9);
  if (payload !== undefined) out.set(payload, 9 + json.length);
  return out;
}

/** The JSON part of a frame and whatever bytes follow it. */
export function readJsonFrame<T>(frame: Buffer): { value: T; payload: Buffer } {
  const length = frame.readUInt32BE(1);
  return { value: JSON.parse(frame.toString('utf8', 5, 5 + length)) as T, payload: frame.subarray(5 + length) };
}

/**
 * A batch frame holds messages up to about this many bytes; more go in further frames, so a turn
 * that catches up a lagging member with many large entries never makes one frame past what a
 * Buffer holds. A single message larger than this (a snapshot) is a frame of its own.
 */
export const BATCH_TARGET = 8 * 1024 * 1024;

/** The messages in order, in as few batch frames as BATCH_TARGET allows. */
export function batchFrames(messages: readonly GroupMessage[], target = BATCH_TARGET): Buffer[] {
  const frames: Buffer[] = [];
  let parts: Buffer[] = [];
  let count = 0;
  let size = 1 + 4;
  for (const { group, message } of messages) {
    const name = Buffer.from(group, 'utf8');
    const body = encodeMessage(message);
    const head = Buffer.allocUnsafe(2 + name.length + 4);
    head.writeUInt16BE(name.length, 0);
    name.copy(head, 2);
    head.writeUInt32BE(body.length, 2 + name.length);
    if (count > 0 && size + head.length + body.length > target) {
      frames.push(joinBatch(parts, count, size));
      [parts, count, size] = [[], 0, 1 + 4];
    }
    parts.push(head, body);
    count++;
    size += head.length + body.length;
  }
  if (count > 0) frames.push(joinBatch(parts, count, size));
  return frames;
}

function joinBatch(parts: readonly Buffer[], count: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(4 + size);
  out.writeUInt32BE(size, 0);
  out[4] = FrameKind.batch;
  out.writeUInt32BE(count, 5);
  let at = 9;
  for (const part of parts) {
    part.copy(out, at);
    at += part.length;
  }
  return out;
}

export function readBatch(frame: Buffer): GroupMessage[] {
  const count = frame.readUInt32BE(1);
  const out: GroupMessage[] = [];
  let at = 5;
  for (let i = 0; i < count; i++) {
    const nameLength = frame.readUInt16BE(at);
    const group = frame.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const length = frame.readUInt32BE(at);
    out.push({ group, message: decodeMessage(frame.subarray(at + 4, at + 4 + length)) });
    at += 4 + length;
  }
  return out;
}

/**
 * One item of a post frame: a small header and the bytes it is about (a message body). The
 * header is a JSON object, or bytes in a format of the poster's own that do not start with `{`
 * (a replicated queue's deliveries, the hot path: no JSON per message); it is read back as it went.
 */
export interface PostItem {
  readonly header: unknown;
  readonly payload: Uint8Array;
}

const JSON_OBJECT = 0x7b;

export function postFrame(items: readonly PostItem[]): Buffer {
  const heads = items.map(({ header }) => (header instanceof Uint8Array ? header : Buffer.from(JSON.stringify(header))));
  let size = 1 + 4;
  for (let i = 0; i < items.length; i++) size += 8 + heads[i]!.length + items[i]!.payload.length;
  const out = Buffer.allocUnsafe(4 + size);
  out.writeUInt32BE(size, 0);
  out[4] = FrameKind.post;
  out.writeUInt32BE(items.length, 5);
  let at = 9;
  for (let i = 0; i < items.length; i++) {
    const head = heads[i]!;
    const payload = items[i]!.payload;
    out.writeUInt32BE(head.length, at);
    out.set(head, at + 4);
    at += 4 + head.length;
    out.writeUInt32BE(payload.length, at);
    out.set(payload, at + 4);
    at += 4 + payload.length;
  }
  return out;
}

export function readPosts(frame: Buffer): PostItem[] {
  const count = frame.readUInt32BE(1);
  const out: PostItem[] = [];
  let at = 5;
  for (let i = 0; i < count; i++) {
    const headLength = frame.readUInt32BE(at);
    const header: unknown = frame[at + 4] === JSON_OBJECT ? JSON.parse(frame.toString('utf8', at + 4, at + 4 + headLength)) : frame.subarray(at + 4, at + 4 + headLength);
    at += 4 + headLength;
    const length = frame.readUInt32BE(at);
    out.push({ header, payload: frame.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return out;
}
