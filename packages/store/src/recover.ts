/**
 * Boot-time clean-up of the message keyspace (keys.ts): a durable queue loses its transient
 * messages, a non-durable queue all of them, and queue ids that no longer exist lose theirs.
 * Both read keys only, never a message value; deletes go through the write queue, so they keep
 * their order with everything else the store writes. Which queues survive is the core's call.
 */
import type { QueueRecord, QueueRecovery } from '@warren/core';
import type { Level } from 'level';
import type { GroupCommit } from './group-commit.js';
import { DEDUP_IDS, DELIVERY_COUNTS, DELIVERY_MARKS, MARKERS, MESSAGES, queuePrefix, queuePrefixOfKey, rangeEnd, seqOfKey } from './keys.js';

type Db = Level<string, Buffer>;

/** Keys fetched per iterator call: big enough that a large queue costs few round trips. */
const CHUNK = 4096;

export async function recoverQueue(db: Db, writes: GroupCommit, queue: QueueRecord): Promise<QueueRecovery> {
  const messages = queuePrefix(MESSAGES, queue.id);
  const markers = queuePrefix(MARKERS, queue.id);
  if (!queue.durable) {
    const dedupIds = queuePrefix(DEDUP_IDS, queue.id);
    const counts = queuePrefix(DELIVERY_COUNTS, queue.id);
    const mark = queuePrefix(DELIVERY_MARKS, queue.id);
    writes.clear(messages, rangeEnd(messages));
    writes.clear(markers, rangeEnd(markers));
    writes.clear(dedupIds, rangeEnd(dedupIds));
    writes.clear(counts, rangeEnd(counts));
    writes.del(mark);
    await writes.written();
    return { count: 0, lastSeq: 0, deliveredUpTo: 0 };
  }
  // Markers queued before this call must be on disk for the walk below to see them.
  await writes.written();
  const iterator = db.keys({ gte: markers, lt: rangeEnd(markers) });
  try {
    // The iterator reads a snapshot, so deleting behind it is safe; the deletes flush in
    // batches while it walks on.
    for (let keys = await iterator.nextv(CHUNK); keys.length > 0; keys = await iterator.nextv(CHUNK)) {
      for (const marker of keys) {
        writes.del(messages + marker.slice(markers.length));
        writes.del(marker);
      }
    }
  } finally {
    await iterator.close();
  }
  await writes.written();
  const { count, lastSeq } = await countMessages(db, messages);
  const mark = await db.get(queuePrefix(DELIVERY_MARKS, queue.id));
  return { count, lastSeq, deliveredUpTo: mark === undefined ? 0 : Number(mark.toString('latin1')) };
}

async function countMessages(db: Db, prefix: string): Promise<Omit<QueueRecovery, 'deliveredUpTo'>> {
  let count = 0;
  let last: string | undefined;
  const iterator = db.keys({ gte: prefix, lt: rangeEnd(prefix) });
  try {
    for (let keys = await iterator.nextv(CHUNK); keys.length > 0; keys = await iterator.nextv(CHUNK)) {
      count += keys.length;
      last = keys[keys.length - 1];
    }
  } finally {
    await iterator.close();
  }
  return { count, lastSeq: last === undefined ? 0 : seqOfKey(last) };
}

/**
 * Clears the messages, markers and dedup ids of every queue id not in `keep`. The walk reads one key per
 * queue id and then seeks past that id's range, so a kept queue costs one read, not one per
 * message.
 */
export async function dropQueuesExcept(db: Db, writes: GroupCommit, keep: ReadonlySet<string>): Promise<void> {
  await writes.written();
  for (const space of [MESSAGES, MARKERS, DEDUP_IDS, DELIVERY_COUNTS, DELIVERY_MARKS] as const) {
    const kept = new Set<string>();
    for (const id of keep) kept.add(queuePrefix(space, id));
    const iterator = db.keys({ gte: space, lt: rangeEnd(space) });
    try {
      for (let keys = await iterator.nextv(1); keys[0] !== undefined; keys = await iterator.nextv(1)) {
        const prefix = queuePrefixOfKey(keys[0]);
        if (!kept.has(prefix)) writes.clear(prefix, rangeEnd(prefix));
        iterator.seek(rangeEnd(prefix));
      }
    } finally {
      await iterator.close();
    }
  }
  await writes.written();
}
