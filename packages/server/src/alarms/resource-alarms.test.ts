import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResourceAlarms, type AlarmLimits } from './resource-alarms.js';

const MB = 1_000_000;

function setup(limits: Partial<AlarmLimits> = {}) {
  /** `freed`: what the next collection frees. */
  const gauges = { memory: 10 * MB, disk: 100 * MB, collections: 0, freed: 0 };
  const logs: Array<{ level: string; fields: object; message?: string }> = [];
  const log = (level: string) => (fields: object, message?: string) => logs.push({ level, fields, message });
  const alarms = new ResourceAlarms(
    { memoryLimit: 50 * MB, diskFreeLimit: 20 * MB, memoryCheckInterval: 250, diskCheckInterval: 1000, ...limits },
    {
      memoryUsed: () => gauges.memory,
      collectGarbage: () => {
        gauges.collections++;
        gauges.memory -= gauges.freed;
        gauges.freed = 0;
      },
      diskFree: () => Promise.resolve(gauges.disk),
    },
    { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  );
  const changes: string[][] = [];
  alarms.onChange((active) => changes.push([...active]));
  return { gauges, logs, alarms, changes };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('ResourceAlarms', () => {
  it('raises the memory alarm at the watermark and clears it below, logging each once', async () => {
    const { gauges, logs, alarms, changes } = setup();
    await alarms.start();
    gauges.memory = 50 * MB;
    await vi.advanceTimersByTimeAsync(250);
    expect(changes).toEqual([['memory']]);
    expect(alarms.status()).toMatchObject({ mem_alarm: true, mem_used: 50 * MB, mem_limit: 50 * MB });
    await vi.advanceTimersByTimeAsync(500);
    gauges.memory = 49 * MB;
    await vi.advanceTimersByTimeAsync(250);
    expect(changes).toEqual([['memory'], []]);
    expect(logs.map((l) => [l.level, l.message, (l.fields as { resource: string }).resource])).toEqual([
      ['warn', 'resource alarm raised: publishing connections are blocked', 'memory'],
      ['info', 'resource alarm cleared', 'memory'],
    ]);
    alarms.stop();
  });

  it('collects garbage above the watermark, at most every 500 ms, so that relief shows', async () => {
    const { gauges, alarms } = setup();
    await alarms.start();
    gauges.memory = 60 * MB;
    alarms.checkMemory();
    alarms.checkMemory();
    expect(gauges.collections).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(gauges.collections).toBe(2);
    gauges.memory = 10 * MB;
    await vi.advanceTimersByTimeAsync(2000);
    expect(gauges.collections).toBe(2);
    alarms.stop();
  });

  it('does not raise the alarm on garbage that a collection frees', async () => {
    const { gauges, alarms, changes } = setup();
    await alarms.start();
    gauges.memory = 60 * MB;
    gauges.freed = 20 * MB;
    alarms.checkMemory();
    expect(gauges.collections).toBe(1);
    expect(changes).toEqual([]);
    expect(alarms.status()).toMatchObject({ mem_alarm: false, mem_used: 40 * MB });
    alarms.stop();
  });

  it('collects less often when a collection takes long, spending at most 5% of the time in it', async () => {
    let collections = 0;
    const alarms = new ResourceAlarms(
      { memoryLimit: 50 * MB, diskFreeLimit: 0, memoryCheckInterval: 60_000, diskCheckInterval: 1000 },
      {
        memoryUsed: () => 60 * MB,
        // A collection that takes 100 ms: the next may come 2 s later.
        collectGarbage: () => void (collections++, vi.advanceTimersByTime(100)),
        diskFree: () => Promise.resolve(0),
      },
      { debug() {}, info() {}, warn() {}, error() {} },
    );
    alarms.checkMemory();
    await vi.advanceTimersByTimeAsync(1900);
    alarms.checkMemory();
    expect(collections).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    alarms.checkMemory();
    expect(collections).toBe(2);
    alarms.stop();
  });

  it('measures memory again after every 16 MiB read, between two ticks', async () => {
    const { gauges, alarms } = setup({ memoryCheckInterval: 60_000 });
    await alarms.start();
    gauges.memory = 60 * MB;
    alarms.noteRead(15 * 1024 * 1024);
    expect(alarms.active).toEqual([]);
    alarms.noteRead(1024 * 1024);
    expect(alarms.active).toEqual(['memory']);
    alarms.stop();
  });

  it('raises the disk alarm below the free-disk limit and checks four times as often while it is up', async () => {
    const { gauges, alarms, changes } = setup();
    await alarms.start();
    gauges.disk = 19 * MB;
    await vi.advanceTimersByTimeAsync(1000);
    expect(alarms.status()).toMatchObject({ disk_free_alarm: true, disk_free: 19 * MB, disk_free_limit: 20 * MB });
    gauges.disk = 21 * MB;
    await vi.advanceTimersByTimeAsync(250);
    expect(changes).toEqual([['disk'], []]);
    alarms.stop();
  });

  it('lists alarms in the order they rose', async () => {
    const { gauges, alarms, changes } = setup();
    gauges.disk = 1 * MB;
    gauges.memory = 60 * MB;
    await alarms.start();
    expect(changes).toEqual([['memory'], ['memory', 'disk']]);
    alarms.stop();
  });

  it('has no disk alarm with a limit of 0', async () => {
    const { gauges, alarms } = setup({ diskFreeLimit: 0 });
    gauges.disk = 0;
    await alarms.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(alarms.status().disk_free_alarm).toBe(false);
    alarms.stop();
  });

  it('keeps its state when the disk cannot be measured', async () => {
    const warnings: Array<string | undefined> = [];
    const alarms = new ResourceAlarms(
      { memoryLimit: 50 * MB, diskFreeLimit: 20 * MB, memoryCheckInterval: 250, diskCheckInterval: 1000 },
      { memoryUsed: () => 0, collectGarbage: () => {}, diskFree: () => Promise.reject(new Error('ENOENT')) },
      { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message), error() {} },
    );
    await alarms.start();
    expect(alarms.active).toEqual([]);
    expect(warnings).toEqual(['cannot measure free disk space']);
    alarms.stop();
  });
});
