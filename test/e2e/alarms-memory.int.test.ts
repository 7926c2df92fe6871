/**
 * The memory alarm (issue 12, part 6), on a broker process of its own so that the RSS measured
 * is the broker's. Paging would keep one queue's RAM small, so the queue here may hold
 * everything in RAM (queueRamBytes 4 GiB): the watermark alone must stop the flood. Messages are
 * transient in a transient queue, so the store plays no part in what is measured (the disk test
 * floods with persistent ones). Runs the built broker (packages/server/dist), so build first.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { tempDir } from '../support/broker.js';
import { alarmLog, RssSampler, spawnAlarmBroker, type AlarmBroker } from './alarms-support.js';

const MiB = 1024 * 1024;
const WATERMARK = 256 * MiB;
/** 64 KiB to 1 MiB, varied by message number. */
const sizeOf = (n: number) => 64 * 1024 * (1 + ((n * 7) % 16));

let dir: Awaited<ReturnType<typeof tempDir>>;
let broker: AlarmBroker;
const clients: Client[] = [];

beforeAll(async () => {
  dir = await tempDir('warren-alarm-memory-');
  broker = await spawnAlarmBroker(dir.path, join(dir.path, 'data'), { queueRamBytes: 4096 * MiB, queueRamMessages: 10_000_000 }, {
    WARREN_MEMORY_HIGH_WATERMARK_BYTES: String(WATERMARK),
  });
});

afterAll(async () => {
  // The broker first: a blocked connection's close is not read, the broker's shutdown ends it.
  await broker?.stop();
  for (const c of clients) await c.close().catch(() => {});
  await dir?.remove();
});

async function client(): Promise<Client> {
  const c = await connect(broker.url, { publishWindow: 64 });
  clients.push(c);
  return c;
}

describe('memory alarm', () => {
  it('blocks a flooding publisher within watermark + 20% RSS, unblocks once a consumer drains, and loses nothing', async () => {
    const publisher = await client();
    await publisher.declareQueue('flood', { durable: false });
    const block = new Uint8Array(MiB).map((_, i) => (i * 31) & 0xff);
    const floodRss = new RssSampler(broker.child.pid!);
    const blocked = new Promise<{ reason: string }>((resolve) => publisher.on('blocked', resolve));

    // Half as much again as the watermark: what the broker cannot take waits in the client while it is blocked.
    const confirmedAt = new Map<number, number>();
    const pending: Promise<void>[] = [];
    let bytes = 0;
    for (let n = 0; bytes < 1.5 * WATERMARK; n++) {
      bytes += sizeOf(n);
      const confirm = publisher.publish('', 'flood', block.subarray(0, sizeOf(n)), { persistent: false, headers: { n } });
      const confirmed = confirm.then(() => void confirmedAt.set(n, Date.now()));
      // Awaited below; until then a failed assertion must report itself, not hundreds of confirms the broker's stop rejects.
      confirmed.catch(() => {});
      pending.push(confirmed);
      if (n % 32 === 31 && !publisher.blocked) await Promise.race([confirm, blocked]);
    }
    const published = pending.length;
    expect(await blocked).toEqual({ reason: 'memory' });
    // The alarm may clear once on garbage the broker collects late, and rise again as the publisher resumes.
    await expect.poll(async () => publisher.blocked && (await broker.overview()).mem_alarm, { timeout: 10_000 }).toBe(true);
    expect(await broker.overview()).toMatchObject({ disk_free_alarm: false, mem_limit: WATERMARK });
    const maxFloodRss = floodRss.stop();
    expect(maxFloodRss).toBeLessThanOrEqual(WATERMARK * 1.2);

    const drainRss = new RssSampler(broker.child.pid!);
    const consumerFrom = Date.now();
    const received = new Map<number, number>();
    let allReceived!: () => void;
    const drained = new Promise<void>((resolve) => (allReceived = resolve));
    const consumer = await client();
    await consumer.consume(
      'flood',
      (m) => {
        const n = m.headers.n as number;
        if (m.body.length === sizeOf(n)) received.set(n, (received.get(n) ?? 0) + 1);
        m.ack();
        if (received.size === published) allReceived();
      },
      { prefetch: 100 },
    );
    await Promise.all(pending);
    await drained;
    const maxDrainRss = drainRss.stop();

    expect(publisher.blocked).toBe(false);
    expect(confirmedAt.size).toBe(published);
    expect([...received.keys()].sort((a, b) => a - b)).toEqual([...confirmedAt.keys()].sort((a, b) => a - b));
    expect([...received.values()].every((times) => times === 1)).toBe(true);
    expect(maxDrainRss).toBeLessThanOrEqual(WATERMARK * 1.2);

    // Each relief after the consumer came: how long until the next confirm.
    const confirms = [...confirmedAt.values()].sort((a, b) => a - b);
    const reliefs = broker.logs.filter(alarmLog('cleared', 'memory')).filter((entry) => entry.time >= consumerFrom);
    expect(reliefs.length).toBeGreaterThanOrEqual(1);
    const resumes = reliefs.map((entry) => (confirms.find((at) => at >= entry.time) ?? Number.NaN) - entry.time);
    process.stdout.write(
      `memory alarm: ${published} publishes of 64 KiB-1 MiB (${(bytes / MiB).toFixed(0)} MiB); broker RSS max ${(maxFloodRss / MiB).toFixed(0)} MiB ` +
        `while flooding, ${(maxDrainRss / MiB).toFixed(0)} MiB while draining (watermark ${WATERMARK / MiB} MiB); alarm raised ` +
        `${broker.logs.filter(alarmLog('raised', 'memory')).length}x; next confirm after each relief: ${resumes.join(', ')} ms\n`,
    );
  }, 120_000);
});
