/**
 * A simulated disk for one member: writes land in a page cache at once and become durable only
 * when an fsync that started after them completes. A process crash keeps the page cache (the
 * kernel still writes it); a power loss drops every write not yet synced, in-flight fsync included.
 */
import type { Entry, HardState, RaftStorageState, Snapshot } from '../raft/types.js';
import { NO_HARD_STATE } from '../raft/types.js';

type Write =
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  /** InstallSnapshot: the snapshot replaces the whole log. */
  | { readonly kind: 'install'; readonly snapshot: Snapshot }
  /** Compaction: the snapshot replaces the log up to its index. */
  | { readonly kind: 'compact'; readonly snapshot: Snapshot };

interface DiskState {
  hardState: HardState;
  snapshot: Snapshot | undefined;
  entries: Entry[];
}

function applyWrite(state: DiskState, write: Write): void {
  switch (write.kind) {
    case 'hardState':
      state.hardState = write.hardState;
      return;
    case 'entries': {
      const first = write.entries[0];
      if (first === undefined) return;
      const base = state.snapshot?.index ?? 0;
      state.entries.length = Math.max(0, first.index - base - 1);
      for (const entry of write.entries) if (entry.index > base) state.entries.push(entry);
      return;
    }
    case 'install':
      state.snapshot = write.snapshot;
      state.entries = [];
      return;
    case 'compact': {
      const base = state.snapshot?.index ?? 0;
      if (write.snapshot.index <= base) return;
      state.entries = state.entries.slice(write.snapshot.index - base);
      state.snapshot = write.snapshot;
    }
  }
}

export class SimDisk {
  readonly #durable: DiskState = { hardState: NO_HARD_STATE, snapshot: undefined, entries: [] };
  #pending: { seq: number; write: Write }[] = [];
  #seq = 0;
  /** Bumped by a power loss, so an fsync in flight then completes nothing. */
  #generation = 0;
  fsyncs = 0;

  write(write: Write): void {
    this.#pending.push({ seq: ++this.#seq, write });
  }

  /** Starts an fsync covering every write so far; `complete` makes them durable. */
  beginSync(): () => void {
    const upTo = this.#seq;
    const generation = this.#generation;
    this.fsyncs++;
    return () => {
      if (generation !== this.#generation) return;
      while (this.#pending.length > 0 && this.#pending[0]!.seq <= upTo) applyWrite(this.#durable, this.#pending.shift()!.write);
    };
  }

  /** A process crash: the page cache survives. */
  crash(): void {
    for (const { write } of this.#pending) applyWrite(this.#durable, write);
    this.#pending = [];
  }

  powerLoss(): void {
    this.#pending = [];
    this.#generation++;
  }

  read(): RaftStorageState {
    const d = this.#durable;
    return { hardState: d.hardState, snapshot: d.snapshot, entries: [...d.entries] };
  }
}
