import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit.js';
import { silentLogger } from './ports.js';
import { FakeClock } from './testing/fake-clock.js';
import { MemoryDisk, MemoryStore } from './testing/memory-store.js';

const DAY = 24 * 60 * 60 * 1000;

async function opened(disk = new MemoryDisk()): Promise<MemoryStore> {
  const store = new MemoryStore(disk);
  await store.open();
  return store;
}

const record = (log: AuditLog, name: string) => log.record({ user: 'guest', action: 'queue.purge', object: { type: 'queue', vhost: '/', name } });
// Reads see applied writes only, as on disk; a turn of the event loop applies the open batch.
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
const names = async (log: AuditLog) => {
  await settled();
  return (await log.page(1, 100)).items.map((e) => e.object.name);
};

describe('AuditLog', () => {
  it('pages newest first and trims the oldest beyond its count', async () => {
    const clock = new FakeClock();
    const store = await opened();
    const log = new AuditLog(store, clock, silentLogger, { count: 4 });
    await log.restore();
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) record(log, name);
    expect(await names(log)).toEqual(['f', 'e', 'd', 'c']);
    expect(await log.page(2, 3)).toEqual({ items: [expect.objectContaining({ object: { type: 'queue', vhost: '/', name: 'c' } })], total: 4 });
    expect((await log.page(3, 3)).items).toEqual([]);
  });

  it('trims entries older than its days, as time passes and at boot', async () => {
    const clock = new FakeClock();
    const disk = new MemoryDisk();
    const log = new AuditLog(await opened(disk), clock, silentLogger, { days: 1 });
    await log.restore();
    record(log, 'old');
    clock.advance(DAY / 2);
    record(log, 'middle');
    clock.advance(DAY / 2 + 1);
    expect(await names(log)).toEqual(['middle']);
    record(log, 'new');
    await settled();
    await settled();
    expect([...disk.space('audit').values()].map((text) => JSON.parse(text).object.name)).toEqual(['middle', 'new']);

    clock.advance(DAY);
    const reopened = new AuditLog(await opened(disk), clock, silentLogger, { days: 1 });
    await reopened.restore();
    expect(await reopened.page(1, 10)).toEqual({ items: [expect.objectContaining({ object: expect.objectContaining({ name: 'new' }) })], total: 1 });
  });
});
