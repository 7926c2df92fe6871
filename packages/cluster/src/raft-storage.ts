/**
 * The Raft log, hard state and latest snapshot of one group in LevelDB, through the store's
 * LevelKeyspace and its group commit. Key layout, under the group's prefix:
 *   <p>h          hard state (JSON)
 *   <p>s          snapshot: 4-byte header length, JSON {index, term, conf}, then the machine's bytes
 *   <p>e<index>   one entry: 1 byte type, 8 bytes term (float64), then its data; index as 16 hex
 *                 digits, so keys sort in log order
 * save() writes one Ready's worth as one batch, synced when the Ready must sync, and calls back
 * once it is on disk: the shell sends nothing that depends on it before. Entries a compaction
 * dropped are deleted a few hundred at a time with the writes that follow; reopening clears any
 * left behind the snapshot.
 */
import type { LevelKeyspace } from '@warren/store';
import type { Entry, HardState, RaftStorageState, Ready, Snapshot } from './raft/types.js';
import { NO_HARD_STATE } from './raft/types.js';

const indexKey = (index: number): string => index.toString(16).padStart(16, '0');

function encodeEntry(entry: Entry): Buffer {
  const out = Buffer.allocUnsafe(9 + entry.data.length);
  out[0] = entry.type === 'conf' ? 1 : 0;
  out.writeDoubleBE(entry.term, 1);
  out.set(entry.data, 9);
  return out;
}

function decodeEntry(index: number, bytes: Buffer): Entry {
  return { index, term: bytes.readDoubleBE(1), type: bytes[0] === 1 ? 'conf' : 'normal', data: bytes.subarray(9) };
}

function encodeSnapshot(snapshot: Snapshot): Buffer {
  const header = Buffer.from(JSON.stringify({ index: snapshot.index, term: snapshot.term, conf: snapshot.conf }));
  const out = Buffer.allocUnsafe(4 + header.length + snapshot.data.length);
  out.writeUInt32BE(header.length, 0);
  header.copy(out, 4);
  out.set(snapshot.data, 4 + header.length);
  return out;
}

function decodeSnapshot(bytes: Buffer): Snapshot {
  const length = bytes.readUInt32BE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as Omit<Snapshot, 'data'>;
  return { ...header, data: bytes.subarray(4 + length) };
}

/**
 * How many of the entries a compaction dropped are deleted with each later write. A range clear
 * is a step of the store's write queue of its own, and every group's synced batch waits behind
 * it; deletes ride along with the writes that come anyway.
 */
const DROPS_PER_WRITE = 256;

export class LevelRaftStorage {
  readonly #hard: string;
  readonly #snap: string;
  readonly #entry: string;
  /** Index range currently stored, to delete a truncated tail in the same batch. */
  #first = 1;
  #last = 0;
  /** The first entry a compaction dropped that may still be on disk (up to #first - 1). */
  #dropFrom = 1;

  constructor(
    private readonly keys: LevelKeyspace,
    prefix = 'raft/',
  ) {
    this.#hard = `${prefix}h`;
    this.#snap = `${prefix}s`;
    this.#entry = `${prefix}e`;
  }

  async load(): Promise<RaftStorageState> {
    const hard = await this.keys.get(this.#hard);
    const snap = await this.keys.get(this.#snap);
    const hardState: HardState = hard === undefined ? NO_HARD_STATE : (JSON.parse(hard.toString('utf8')) as HardState);
    const snapshot = snap === undefined ? undefined : decodeSnapshot(snap);
    const base = snapshot?.index ?? 0;
    const rows = await this.keys.range(this.#entry + indexKey(base + 1), `${this.#entry}~`);
    const entries: Entry[] = [];
    for (const [key, value] of rows) {
      const index = Number.parseInt(key.slice(this.#entry.length), 16);
      // Stop at a gap: a tail that a crash left half-deleted is not part of the log.
      if (index !== base + entries.length + 1) break;
      entries.push(decodeEntry(index, value));
    }
    this.#first = this.#dropFrom = base + 1;
    this.#last = base + entries.length;
    // Entries a crash left behind a compaction; compactions from here on clear from #first only.
    if (base > 0) this.keys.clear(this.#entry, this.#entry + indexKey(base + 1));
    return { hardState, snapshot, entries };
  }

  /** Writes what `ready` asks to persist; `done` runs once it is on disk (synced if it must be). */
  save(ready: Ready, done: (error?: Error) => void): void {
    const keys = this.keys;
    const sync = ready.mustSync;
    if (ready.snapshot !== undefined) {
      keys.clear(this.#entry, `${this.#entry}~`);
      keys.put(this.#snap, encodeSnapshot(ready.snapshot), sync);
      this.#first = this.#dropFrom = ready.snapshot.index + 1;
      this.#last = ready.snapshot.index;
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      for (let i = Math.max(first.index, this.#first); i <= this.#last; i++) keys.del(this.#entry + indexKey(i));
      for (const entry of ready.entries) keys.put(this.#entry + indexKey(entry.index), encodeEntry(entry), sync);
      this.#last = ready.entries.at(-1)!.index;
    }
    if (ready.hardState !== undefined) keys.put(this.#hard, Buffer.from(JSON.stringify(ready.hardState)), sync);
    this.#drop();
    keys.commit().onSettled(done);
  }

  /**
   * Saves a snapshot the shell took; the entries it covers are deleted DROPS_PER_WRITE at a time,
   * from here and with the writes that follow (after the snapshot, so a crash never loses both).
   */
  compact(snapshot: Snapshot): void {
    this.keys.put(this.#snap, encodeSnapshot(snapshot), false);
    this.#first = snapshot.index + 1;
    this.#drop();
  }

  #drop(): void {
    const to = Math.min(this.#first - 1, this.#dropFrom + DROPS_PER_WRITE - 1);
    for (let i = this.#dropFrom; i <= to; i++) this.keys.del(this.#entry + indexKey(i));
    this.#dropFrom = Math.max(this.#dropFrom, to + 1);
  }
}
