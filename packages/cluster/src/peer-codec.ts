/**
 * Raft messages as bytes for the node-to-node link (never the public wire): a JSON header with
 * every field but the payloads, then each entry's data and the snapshot's data as raw
 * length-prefixed bytes, so commands travel without base64. Framing is peer-transport.ts's job.
 */
import type { ConfState, Entry, Message } from './raft/types.js';

interface Header extends Omit<Message, 'entries' | 'snapshot'> {
  /** term, index, 1 for a configuration entry. */
  e?: [number, number, 0 | 1][];
  s?: { index: number; term: number; conf: ConfState };
}

export function encodeMessage(m: Message): Buffer {
  const { entries, snapshot, ...rest } = m;
  const header: Header = { ...rest };
  const blobs: Uint8Array[] = [];
  if (entries !== undefined) {
    header.e = entries.map((e) => [e.term, e.index, e.type === 'conf' ? 1 : 0]);
    for (const e of entries) blobs.push(e.data);
  }
  if (snapshot !== undefined) {
    header.s = { index: snapshot.index, term: snapshot.term, conf: snapshot.conf };
    blobs.push(snapshot.data);
  }
  const json = Buffer.from(JSON.stringify(header));
  let size = 4 + json.length;
  for (const blob of blobs) size += 4 + blob.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  let at = 4 + json.length;
  for (const blob of blobs) {
    out.writeUInt32BE(blob.length, at);
    out.set(blob, at + 4);
    at += 4 + blob.length;
  }
  return out;
}

export function decodeMessage(bytes: Buffer): Message {
  const jsonLength = bytes.readUInt32BE(0);
  const { e, s, ...rest } = JSON.parse(bytes.toString('utf8', 4, 4 + jsonLength)) as Header;
  let at = 4 + jsonLength;
  const blob = (): Uint8Array => {
    const length = bytes.readUInt32BE(at);
    const data = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return data;
  };
  const message: { -readonly [K in keyof Message]: Message[K] } = { ...rest };
  if (e !== undefined) message.entries = e.map(([term, index, conf]): Entry => ({ term, index, type: conf === 1 ? 'conf' : 'normal', data: blob() }));
  if (s !== undefined) message.snapshot = { ...s, data: blob() };
  return message;
}
