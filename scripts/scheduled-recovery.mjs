// Boot-time recovery of scheduled messages measured (docs/scheduled.md): stores N durable
// retry records with 100-byte bodies in a fresh LevelDB, reopens it, and times what a broker's
// boot does with them: the store's loadScheduled and the scheduler's restore (heap and index),
// with the longest event-loop stall meanwhile. The kill -9 and on-time firing of the same
// count is the timing test's long form: WARREN_SCHEDULED_COUNT=100000 npx vitest run test/timing
//
// Usage: node scripts/scheduled-recovery.mjs [records=100000]   (needs a build: npx -y pnpm@10.34.8 build)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Scheduler, silentLogger } from '@warren/core';
import { LevelStore } from '@warren/store';

const total = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'warren-scheduled-'));
const written = (store) => new Promise((resolve, reject) => store.commit().onSettled((e) => (e ? reject(e) : resolve())));
const clock = { now: () => Date.now(), setTimer: () => () => {} };

try {
  const store = new LevelStore(dir);
  await store.open();
  const body = new Uint8Array(100);
  const due = Date.now() + 3_600_000;
  for (let i = 0; i < total; i++) {
    store.putScheduled({
      id: `s${i}`,
      due: due + (i % 60_000),
      vhost: '/',
      kind: 'retry',
      queue: 'jobs',
      queueId: 'jobs-1',
      durable: true,
      message: { id: `m${i}`, exchange: '', routingKey: 'jobs', properties: {}, headers: { 'x-warren-attempt': 2 }, body, persistent: true, publishedAt: 0 },
    });
    if (i % 10_000 === 9_999) await written(store);
  }
  await store.close();

  const reopened = new LevelStore(dir);
  await reopened.open();
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  const started = performance.now();
  const records = await reopened.loadScheduled();
  const loaded = performance.now();
  const scheduler = new Scheduler(reopened, clock, silentLogger, () => {});
  scheduler.restore(records);
  const restored = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  stalls.disable();
  await reopened.close();
  process.stdout.write(
    `${records.length} scheduled records: loadScheduled ${(loaded - started).toFixed(0)} ms, restore ${(restored - loaded).toFixed(0)} ms ` +
      `(one synchronous block), longest event-loop stall ${(stalls.max / 1e6).toFixed(0)} ms\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
