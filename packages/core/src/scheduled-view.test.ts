import { beforeEach, describe, expect, it } from 'vitest';
import { WarrenError } from '@warren/protocol';
import type { Clock, ScheduledRecord } from './ports.js';
import { silentLogger } from './ports.js';
import { ScheduledMessages } from './scheduled-view.js';
import { Scheduler } from './scheduler.js';
import { MemoryStore } from './testing/memory-store.js';

const NOW = 1_700_000_000_000;
const clock: Clock = { now: () => NOW, setTimer: () => () => {} };

let scheduler: Scheduler;
let view: ScheduledMessages;

function waiting(id: string, due: number, to: { queue: string } | { exchange: string }, vhost = '/'): ScheduledRecord {
  const message = { id: `m-${id}`, exchange: '', routingKey: 'k', properties: {}, headers: undefined, body: new Uint8Array(1), persistent: true, publishedAt: 0 };
  return 'queue' in to
    ? { id, due, vhost, kind: 'retry', queue: to.queue, queueId: `${to.queue}-1`, message, durable: true }
    : { id, due, vhost, kind: 'delay', exchange: to.exchange, message, durable: true };
}

function code(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return (error as WarrenError).code;
  }
  return undefined;
}

beforeEach(async () => {
  const store = new MemoryStore();
  await store.open();
  scheduler = new Scheduler(store, clock, silentLogger, () => undefined);
  view = new ScheduledMessages('/', scheduler);
  scheduler.restore([
    waiting('r3', NOW + 300, { queue: 'jobs' }),
    waiting('d1', NOW + 100, { exchange: 'events' }),
    waiting('r2', NOW + 200, { queue: 'jobs' }),
    waiting('r1', NOW + 200, { queue: 'mail' }),
    waiting('o1', NOW + 50, { queue: 'jobs' }, 'other'),
  ]);
});

describe('ScheduledMessages', () => {
  it('lists the vhost’s records earliest first, ties in the order scheduled, a page at a time', () => {
    const first = view.list({ page: 1, pageSize: 3 });
    expect(first.items.map((r) => r.id)).toEqual(['d1', 'r2', 'r1']);
    expect(first).toMatchObject({ page: 1, pageSize: 3, pageCount: 2, filtered: 4, total: 4 });
    expect(view.list({ page: 2, pageSize: 3 }).items.map((r) => r.id)).toEqual(['r3']);
    expect(view.list({ page: 3, pageSize: 3 }).items).toEqual([]);
  });

  it('filters retries by queue and delayed publishes by exchange', () => {
    const jobs = view.list({ queue: 'jobs', page: 1, pageSize: 10 });
    expect(jobs.items.map((r) => r.id)).toEqual(['r2', 'r3']);
    expect(jobs).toMatchObject({ filtered: 2, total: 4, pageCount: 1 });
    expect(view.list({ exchange: 'events', page: 1, pageSize: 10 }).items.map((r) => r.id)).toEqual(['d1']);
    expect(view.list({ exchange: 'jobs', page: 1, pageSize: 10 })).toMatchObject({ items: [], filtered: 0, pageCount: 1 });
    expect(code(() => view.list({ queue: 'jobs', exchange: 'events', page: 1, pageSize: 10 }))).toBe('invalid_argument');
  });

  it('cancels and reschedules only records of its own vhost', () => {
    expect(code(() => view.cancel('o1'))).toBe('scheduled_not_found');
    expect(code(() => view.reschedule('o1', NOW))).toBe('scheduled_not_found');
    expect(code(() => view.cancel('nope'))).toBe('scheduled_not_found');
    expect(code(() => view.reschedule('r3', Number.NaN))).toBe('invalid_argument');
    expect(scheduler.get('o1')?.due).toBe(NOW + 50);

    expect(view.reschedule('r3', NOW + 10).due).toBe(NOW + 10);
    expect(view.list({ page: 1, pageSize: 1 }).items.map((r) => r.id)).toEqual(['r3']);
    expect(view.cancel('r3').id).toBe('r3');
    expect(code(() => view.cancel('r3'))).toBe('scheduled_not_found');
    expect(view.list({ page: 1, pageSize: 10 }).total).toBe(3);
  });
});
