/**
 * A plain ordered key space on LevelDB with the store's group commit, for a component that
 * lays out its own records (cluster's Raft log and hard state, raft-storage.ts there). Writes
 * are queued and return at once; `commit()` is the handle of the batch that holds them, settled
 * once they are applied, and synced when any of them asked for sync, so many writers share one fsync.
 */
import { mkdir } from 'node:fs/promises';
import { Level } from 'level';
import type { Commit } from '@warren/core';
import { GroupCommit } from './group-commit.js';

export class LevelKeyspace {
  readonly #db: Level<string, Buffer>;
  readonly #writes: GroupCommit;

  private constructor(db: Level<string, Buffer>) {
    this.#db = db;
    this.#writes = new GroupCommit(db);
  }

  static async open(dir: string): Promise<LevelKeyspace> {
    await mkdir(dir, { recursive: true });
    const db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer', maxOpenFiles: 48 });
    await db.open();
    return new LevelKeyspace(db);
  }

  put(key: string, value: Uint8Array, sync: boolean): void {
    this.#writes.put(key, Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength), sync);
  }

  del(key: string, sync = false): void {
    this.#writes.del(key, sync);
  }

  /** Deletes every key k with gte <= k < lt (unsynced: the next synced write makes it durable). */
  clear(gte: string, lt: string): void {
    this.#writes.clear(gte, lt);
  }

  /** The handle of the batch holding every write queued so far. */
  commit(): Commit {
    return this.#writes.commit();
  }

  /** Group commit made visible: batches written and how many were synced. */
  get stats(): { batches: number; syncs: number } {
    return this.#writes.stats;
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.#db.get(key)) ?? undefined;
  }

  async range(gte: string, lt: string): Promise<[string, Buffer][]> {
    return this.#db.iterator({ gte, lt }).all();
  }

  async close(): Promise<void> {
    await this.#writes.written().catch(() => undefined);
    await this.#db.close();
  }
}
