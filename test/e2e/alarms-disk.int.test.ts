/**
 * The disk alarm (issue 12, part 6) and what keeps working under an alarm. The broker keeps its
 * data on a 64 MiB tmpfs this test mounts, so free space is small and exact. A ballast file
 * takes 20 MiB, persistent publishes take the free space below the 40 MB limit, and deleting
 * the ballast gives it back: LevelDB frees space only when it compacts, so a drained queue would
 * not cross the limit again on cue. Mounting needs root; the suite is skipped otherwise. Runs
 * the built broker (packages/server/dist), so build first.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { tempDir } from '../support/broker.js';
import { depth, take } from '../support/messages.js';
import { alarmLog, spawnAlarmBroker, type AlarmBroker } from './alarms-support.js';

const MiB = 1024 * 1024;
const DISK_FREE_LIMIT = 40_000_000;
const BODY = 64 * 1024;
const isRoot = process.getuid?.() === 0;

let dir: Awaited<ReturnType<typeof tempDir>>;
let mount: string | undefined;
let broker: AlarmBroker | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  if (!isRoot) return;
  dir = await tempDir('warren-alarm-disk-');
  const point = join(dir.path, 'tmpfs');
  mkdirSync(point);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', point]);
  mount = point;
  broker = await spawnAlarmBroker(dir.path, join(mount, 'data'), { diskFreeLimit: DISK_FREE_LIMIT, diskCheckInterval: 200 });
});

afterAll(async () => {
  // The broker first: a blocked connection's close is not read, the broker's shutdown ends it.
  await broker?.stop();
  for (const c of clients) await c.close().catch(() => {});
  if (mount !== undefined) execFileSync('umount', [mount]);
  await dir?.remove();
});

async function client(): Promise<Client> {
  const c = await connect(broker!.url, { publishWindow: 64 });
  clients.push(c);
  return c;
}

// Mounting a tmpfs needs root (CAP_SYS_ADMIN); CI runs as root.
describe.skipIf(!isRoot)('disk alarm', () => {
  it('blocks a publisher below the free-disk limit while a consumer-only connection keeps working; unblocks when space returns, losing nothing', async () => {
    const publisher = await client();
    await publisher.declareQueue('stored');
    await publisher.declareQueue('side');
    for (let i = 0; i < 20; i++) await publisher.publish('', 'side', `side ${i}`);
    const ballast = join(mount!, 'ballast');
    writeFileSync(ballast, new Uint8Array(20 * MiB));
    expect(await broker!.overview()).toMatchObject({ disk_free_alarm: false, disk_free_limit: DISK_FREE_LIMIT });

    const blocked = new Promise<{ reason: string }>((resolve) => publisher.on('blocked', resolve));
    const unblocked = new Promise<void>((resolve) => publisher.on('unblocked', resolve));
    // Random, so LevelDB's compression cannot shrink what the messages take on disk.
    const body = new Uint8Array(randomBytes(BODY));
    const confirmed = new Set<number>();
    const pending: Promise<void>[] = [];
    const publish = (n: number) => pending.push(publisher.publish('', 'stored', body, { persistent: true, headers: { n } }).then(() => void confirmed.add(n)));
    // Bounded, so that a broker that never blocks fails the test instead of filling the tmpfs.
    while (!publisher.blocked && pending.length * BODY < 30 * MiB) {
      publish(pending.length);
      if (pending.length % 32 === 0) await Promise.race([pending.at(-1), blocked]);
    }
    expect(publisher.blocked).toBe(true);
    expect(await blocked).toEqual({ reason: 'disk' });
    for (let i = 0; i < 16; i++) publish(pending.length);
    const overview = await broker!.overview();
    expect(overview).toMatchObject({ disk_free_alarm: true, mem_alarm: false });
    expect(overview.disk_free).toBeLessThan(DISK_FREE_LIMIT);
    // Not ready while an alarm is up (issue 24), unless the probe leaves the alarms out.
    expect((await fetch(`${broker!.httpUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${broker!.httpUrl}/readyz?exclude=alarms`)).status).toBe(200);

    // A connection that only consumes is still read: it declares, consumes and acks.
    const watcher = await client();
    const side = await take(watcher, 'side', 20);
    expect(side.map((m) => m.text())).toEqual(Array.from({ length: 20 }, (_, i) => `side ${i}`));
    for (const m of side) m.ack();
    // Confirms of the publishes the broker read before it blocked still go out.
    await expect.poll(async () => confirmed.size === (await depth(watcher, 'stored'))).toBe(true);
    expect(watcher.blocked).toBe(false);
    expect(publisher.blocked).toBe(true);
    expect((await broker!.overview()).disk_free_alarm).toBe(true);

    const blockedAfter = pending.length - 16;
    rmSync(ballast);
    const relievedAt = Date.now();
    await unblocked;
    const unblockedAfter = Date.now() - relievedAt;
    await Promise.all(pending);
    expect((await broker!.overview()).disk_free_alarm).toBe(false);
    expect(confirmed.size).toBe(pending.length);
    const delivered = await take(watcher, 'stored', pending.length);
    const numbers = delivered.map((m) => m.headers.n as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: pending.length }, (_, i) => i));
    expect(delivered.every((m) => m.body.length === BODY)).toBe(true);
    const raised = broker!.logs.find(alarmLog('raised', 'disk'));
    const cleared = broker!.logs.find(alarmLog('cleared', 'disk'));
    expect(raised).toMatchObject({ limit: DISK_FREE_LIMIT });
    expect(cleared!.time).toBeGreaterThanOrEqual(raised!.time);
    process.stdout.write(
      `disk alarm: blocked after ${blockedAfter} persistent publishes of 64 KiB, ${(overview.disk_free / 1e6).toFixed(1)} MB free ` +
        `(limit ${DISK_FREE_LIMIT / 1e6} MB); unblocked ${unblockedAfter} ms after the ballast was deleted\n`,
    );
  });
});
