/**
 * Pending retries and delayed publishes survive kill -9 and fire on time after the restart.
 * test/timing/ runs after the rest of the suite, alone, since how late a timer fires depends on
 * what else the machine runs.
 * "On time" is the broker's own measure (how late each scheduled message was turned into an
 * enqueue, from /api/overview); what the consumer saw end to end is printed for the record.
 * The long form (docs/scheduled.md) sets WARREN_SCHEDULED_COUNT=100000 and WARREN_SCHEDULED_RATE=10000;
 * the delay then grows so that every retry is still pending when the broker is back
 * (WARREN_SCHEDULED_DELAY overrides it).
 * By default the retries come due as fast as they failed; WARREN_SCHEDULED_RATE (per second)
 * spreads them evenly instead, so that firing, delivering and acking them can keep pace.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { spawnBroker, tempDir, type BrokerProcess } from '../support/broker.js';
import { depth } from '../support/messages.js';

const PENDING = Number(process.env.WARREN_SCHEDULED_COUNT ?? 10_000);
/**
 * Longer than failing every message, killing and restarting take together: about 0.3 ms per
 * message on two quiet cores, three times that on busy ones.
 */
const DELAY = Number(process.env.WARREN_SCHEDULED_DELAY ?? Math.max(4_000, PENDING));
const RATE = process.env.WARREN_SCHEDULED_RATE === undefined ? undefined : Number(process.env.WARREN_SCHEDULED_RATE);
const TIMEOUT = 30_000 + DELAY + PENDING * 2 + (RATE === undefined ? 0 : (PENDING / RATE) * 1_000);

let running: BrokerProcess | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await running?.kill9();
  await dir?.remove();
});

describe('scheduled messages across kill -9', () => {
  it(`fires ${PENDING} pending retries on time after a restart`, async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const client = await connect(running.url);
    await client.declareQueue('later', { arguments: { 'x-retry-delays': [DELAY], 'x-retry-max-attempts': 2 } });
    await Promise.all(Array.from({ length: PENDING }, (_, i) => client.publish('', 'later', String(i))));

    const due = new Map<string, number>();
    let done!: () => void;
    const allFailed = new Promise<void>((resolve) => (done = resolve));
    const start = Date.now();
    const consumer = await client.consume('later', (m) => {
      if (RATE === undefined) {
        due.set(m.text(), Date.now() + DELAY);
        m.nack({ requeue: false });
      } else {
        const at = start + DELAY + (due.size / RATE) * 1_000;
        due.set(m.text(), at);
        m.retry({ delay: Math.max(1, Math.round(at - Date.now())) });
      }
      if (due.size === PENDING) done();
    }, { prefetch: 500 });
    await allFailed;
    await consumer.cancel();
    expect(await depth(client, 'later')).toBe(0); // a reply: every retry is scheduled and written
    await running.kill9();

    const booting = Date.now();
    running = await spawnBroker(dir.path);
    const bootMs = Date.now() - booting;
    const firstDue = due.values().next().value!; // the first message failed first
    // A retry due while the broker was down fires late whatever the scheduler does.
    expect(Date.now(), 'the broker must be back before the first retry is due: raise WARREN_SCHEDULED_DELAY').toBeLessThan(firstDue);
    const listing = Date.now();
    const firstPage = (await (await fetch(`${running.httpUrl}/api/scheduled/%2F?page_size=500`)).json()) as { total_count: number };
    const listMs = Date.now() - listing;
    expect(firstPage.total_count).toBe(PENDING);
    const after = await connect(running.url);
    const lateness: number[] = [];
    let finish!: () => void;
    const allBack = new Promise<void>((resolve) => (finish = resolve));
    await after.consume('later', (m) => {
      expect(m.attempt).toBe(2);
      lateness.push(Date.now() - due.get(m.text())!);
      m.ack();
      if (lateness.length === PENDING) finish();
    }, { prefetch: 1000 });
    await allBack;
    lateness.sort((a, b) => a - b);
    const p = (q: number) => Math.round(lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))]!);
    const overview = (await (await fetch(`${running.httpUrl}/api/overview`)).json()) as {
      scheduled: { pending: number; fired: number; lateness: { p50: number; p99: number; max: number } };
    };
    process.stdout.write(
      `retries after restart: broker fire lateness ms p50 ${overview.scheduled.lateness.p50} p99 ${overview.scheduled.lateness.p99} ` +
        `max ${overview.scheduled.lateness.max} (last 100,000 fires); consumer saw p50 ${p(0.5)} p99 ${p(0.99)} max ${p(1)} ` +
        `(all ${PENDING}); due over ${Math.round(Math.max(...due.values()) - Math.min(...due.values()))} ms; restart to ready ${bootMs} ms; first page of the list ${listMs} ms\n`,
    );
    expect(lateness).toHaveLength(PENDING);
    expect(overview.scheduled).toMatchObject({ pending: 0, fired: PENDING });
    expect(overview.scheduled.lateness.p99).toBeLessThan(100);
    // The due time was taken on this side after the nack, so a fire may read a few ms "early".
    expect(lateness[0]).toBeGreaterThan(-50);
    await after.close();
  }, TIMEOUT);

  it('keeps a persistent delayed publish across kill -9 and drops a transient one', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const client = await connect(running.url);
    await client.declareQueue('delayed');
    await client.publish('', 'delayed', 'kept', { delay: 1_500, persistent: true });
    await client.publish('', 'delayed', 'gone', { delay: 1_500, persistent: false });
    await running.kill9();
    running = await spawnBroker(dir.path);
    const after = await connect(running.url);
    const got = await new Promise<string>((resolve) => void after.consume('delayed', (m) => (m.ack(), resolve(m.text())), { noAck: false }));
    expect(got).toBe('kept');
    expect(await depth(after, 'delayed')).toBe(0);
    await after.close();
  });
});
