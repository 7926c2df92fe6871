/**
 * A snapshot of the metadata group (docs/cluster.md, "Metadata log compaction"): everything the
 * applied log decided, at one log index, as the node that took it holds it: the members' cluster
 * addresses recorded through the log and the broker's state (the server's part, opaque here).
 *
 * Bytes: a magic and format byte, then deflated canonical JSON (keys sorted), so the same state
 * always gives the same bytes. Decoding checks the magic, the format and the envelope's shape and
 * refuses anything else with a MetadataSnapshotError: a snapshot that cannot be read is never
 * half applied.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const MAGIC = Buffer.from('WMS');
const FORMAT = 1;

/** Members added and removed through the metadata log (cluster-node.ts keeps them beside it). */
export interface PeerChanges {
  added: Record<string, { host: string; port: number }>;
  removed: string[];
}

export interface MetadataSnapshot {
  /** The last metadata log index the snapshot reflects. */
  readonly index: number;
  readonly peers: PeerChanges;
  /** The broker's part, as the server's `take` gave it (a JSON value). */
  readonly broker: unknown;
}

export class MetadataSnapshotError extends Error {
  readonly code = 'metadata_snapshot_invalid';
}

export function encodeMetadataSnapshot(snapshot: MetadataSnapshot): Uint8Array {
  const json = Buffer.from(canonicalJson({ index: snapshot.index, peers: snapshot.peers, broker: snapshot.broker }));
  return Buffer.concat([MAGIC, Buffer.from([FORMAT]), deflateRawSync(json)]);
}

export function decodeMetadataSnapshot(data: Uint8Array): MetadataSnapshot {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < MAGIC.length + 1 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new MetadataSnapshotError('not a metadata snapshot');
  if (bytes[MAGIC.length] !== FORMAT) throw new MetadataSnapshotError(`metadata snapshot format ${bytes[MAGIC.length]} is not known to this node (it reads ${FORMAT})`);
  let value: unknown;
  try {
    value = JSON.parse(inflateRawSync(bytes.subarray(MAGIC.length + 1)).toString('utf8'));
  } catch (error) {
    throw new MetadataSnapshotError(`metadata snapshot unreadable: ${(error as Error).message}`);
  }
  if (!isObject(value) || !Number.isSafeInteger(value.index) || (value.index as number) < 0) throw new MetadataSnapshotError('metadata snapshot without a valid index');
  if (!isPeerChanges(value.peers)) throw new MetadataSnapshotError('metadata snapshot with invalid peers');
  if (!('broker' in value)) throw new MetadataSnapshotError('metadata snapshot without the broker state');
  return { index: value.index as number, peers: value.peers, broker: value.broker };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPeerChanges(value: unknown): value is PeerChanges {
  if (!isObject(value) || !isObject(value.added) || !Array.isArray(value.removed)) return false;
  if (!value.removed.every((id) => typeof id === 'string')) return false;
  return Object.values(value.added).every((at) => isObject(at) && typeof at.host === 'string' && Number.isInteger(at.port));
}

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
