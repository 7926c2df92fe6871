import { beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledRecord } from './ports.js';
import { silentLogger } from './ports.js';
import { Scheduler } from './scheduler.js';
import { FakeClock } from './testing/fake-clock.js';
import { MemoryStore } from './testing/memory-store.js';

let clock: FakeClock;
let store: MemoryStore;
let fired: string[];
let scheduler: Scheduler;

function record(id: string, inMs: number, durable = true): ScheduledRecord {
  return {
    id,
    due: clock.now() + inMs,
    vhost: '/',
    kind: 'delay',
    exchange: 'x',
    durable,
    message: { id: `m-${id}`, exchange: 'x', routingKey: 'k', properties: {}, headers: undefined, body: new Uint8Array(3), persistent: true, publishedAt: 0 },
  };
}

const written = () => new Promise<void>((resolve) => store.commit().onSettled(() => resolve()));

beforeEach(async () => {
  clock = new FakeClock();
  store = new MemoryStore();
  await store.open();
  fired = [];
  scheduler = new Scheduler(store, clock, silentLogger, (r) => void fired.push(r.id));
});

describe('Scheduler', () => {
  it('fires records in due order, each when it is due', () => {
    scheduler.schedule(record('b', 200));
    scheduler.schedule(record('a', 100));
    scheduler.schedule(record('c', 300));
    clock.advance(150);
    expect(fired).toEqual(['a']);
    clock.advance(200);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(scheduler.size).toBe(0);
    expect(scheduler.get('a')).toBeUndefined();
  });

  it('knows nothing of a fired record, even once its place in the heap went to a later one', () => {
    scheduler.schedule(record('a', 100));
    clock.advance(100);
    scheduler.schedule(record('b', 100));
    expect(scheduler.get('a')).toBeUndefined();
    expect(scheduler.cancel('a')).toBeUndefined();
    expect(scheduler.reschedule('a', clock.now() + 5)).toBeUndefined();
    expect([...scheduler.records()].map((r) => r.id)).toEqual(['b']);
    clock.advance(100);
    expect(fired).toEqual(['a', 'b']);
  });

  it('still finds waiting records after a burst of fires sweeps its id index', () => {
    scheduler.restore(Array.from({ length: 20_000 }, (_, i) => record(`r${i}`, i < 19_500 ? 10 : 1_000)));
    clock.advance(10);
    expect(fired).toHaveLength(19_500);
    expect(scheduler.get('r19499')).toBeUndefined();
    expect(scheduler.get('r19500')?.id).toBe('r19500');
    expect(scheduler.cancel('r19999')?.id).toBe('r19999');
    expect(scheduler.reschedule('r19998', clock.now() + 5_000)?.due).toBe(clock.now() + 5_000);
    clock.advance(1_000);
    expect(fired).toHaveLength(19_998);
    clock.advance(5_000);
    expect(fired.at(-1)).toBe('r19998');
  });

  it('cancels a record: it never fires and leaves the store', async () => {
    scheduler.schedule(record('a', 100));
    scheduler.schedule(record('b', 200));
    await written();
    expect(scheduler.cancel('a')?.id).toBe('a');
    expect(scheduler.cancel('a')).toBeUndefined();
    await written();
    expect([...store.disk.scheduled.keys()]).toEqual(['b']);
    clock.advance(1_000);
    expect(fired).toEqual(['b']);
  });

  it('reschedules a record earlier or later, and stores the new due time', async () => {
    scheduler.schedule(record('early', 1_000));
    scheduler.schedule(record('late', 100));
    scheduler.schedule(record('other', 500));
    expect(scheduler.reschedule('early', clock.now() + 50)?.due).toBe(clock.now() + 50);
    scheduler.reschedule('late', clock.now() + 2_000);
    await written();
    expect(store.disk.scheduled.get('late')?.due).toBe(clock.now() + 2_000);
    clock.advance(600);
    expect(fired).toEqual(['early', 'other']);
    clock.advance(2_000);
    expect(fired).toEqual(['early', 'other', 'late']);
  });

  it('fires a record rescheduled into the past at once, as due now', () => {
    scheduler.schedule(record('a', 10_000));
    const moved = scheduler.reschedule('a', 0);
    expect(moved?.due).toBe(clock.now());
    clock.advance(0);
    expect(fired).toEqual(['a']);
    expect(scheduler.stats().lateness.max).toBe(0);
  });

  it('counts how late each fire was', () => {
    for (let i = 0; i < 100; i++) scheduler.schedule(record(`r${i}`, 10));
    scheduler.schedule(record('late', 20));
    clock.time += 40; // a busy event loop: the records fire 30 ms and 20 ms late
    clock.advance(0);
    expect(scheduler.stats()).toEqual({ pending: 0, fired: 101, lateness: { p50: 30, p99: 30, max: 30 } });
  });

  it('lists only records still waiting', () => {
    scheduler.schedule(record('a', 100));
    scheduler.schedule(record('b', 200));
    clock.advance(100);
    expect([...scheduler.records()].map((r) => r.id)).toEqual(['b']);
  });

  it('restores records from the store and fires them in order', () => {
    scheduler.restore([record('c', 30), record('a', 10), record('b', 20)]);
    expect(scheduler.get('b')?.id).toBe('b');
    clock.advance(100);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('fires a burst of due records in slices, all of them, in order', () => {
    const ids = Array.from({ length: 2_500 }, (_, i) => `r${String(i).padStart(4, '0')}`);
    scheduler.restore(ids.map((id) => record(id, 10)));
    clock.advance(10);
    expect(fired).toEqual(ids);
    expect(scheduler.stats()).toMatchObject({ pending: 0, fired: 2_500 });
  });
});
