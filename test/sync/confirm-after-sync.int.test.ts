/**
 * Confirm after sync, shown from outside (issue 12, part 2): the built broker runs under
 * `strace -f` while one client publishes 10,000 confirmed persistent messages, each body carrying
 * its seq as a marker. From the trace alone (confirm-order.ts): no socket write carries a
 * publish.ack before a sync of the LevelDB log, started after the message's write, has returned —
 * for every message it confirms; and the syncs are far fewer than the messages (group commit).
 * Needs strace (`apt-get install -y strace`); without it the test is skipped and says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { launchBroker } from '@warren/server/launch';
import { tempDir } from '../support/broker.js';
import { checkConfirmOrder } from './confirm-order.js';
import { parseTrace } from './syscall-trace.js';

const MESSAGES = 10_000;
const STRACE = spawnSync('strace', ['-V']).error === undefined;
const marker = (seq: number) => `sync-marker-${String(seq).padStart(6, '0')}.`;

let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

/** The broker under strace; resolves with its URL once ready, and a stop that returns the trace. */
async function tracedBroker(dataDir: string, trace: string): Promise<{ url: string; stop(): Promise<string> }> {
  const broker = await launchBroker({
    dataDir,
    wrapper: ['strace', '-f', '--seccomp-bpf', '-tt', '-xx', '-s', String(1 << 20), '-o', trace, '-e', 'trace=fsync,fdatasync,write,writev,pwrite64,sendmsg,sendto,openat,close'],
  });
  const { url, exited } = broker;
  return {
    url,
    async stop() {
      // strace blocks fatal signals when it runs the program itself: stop the broker, the first traced pid.
      const brokerPid = Number(/^(\d+)/.exec(readFileSync(trace, 'utf8'))?.[1]);
      process.kill(brokerPid, 'SIGTERM');
      await exited;
      return readFileSync(trace, 'utf8');
    },
  };
}

/** The broker's own window (4096 unconfirmed publishes) makes a few big groups; a small one, many small groups. */
const WINDOWS = [
  { name: 'the default publish window (4096)', publishWindow: undefined, atLeastPerSync: 100 },
  { name: 'a publish window of 64', publishWindow: 64, atLeastPerSync: 16 },
];

describe.skipIf(!STRACE)('publisher confirms, seen in the broker system calls', () => {
  for (const { name, publishWindow, atLeastPerSync } of WINDOWS) {
    it(
      `${MESSAGES} confirmed publishes with ${name}: no publish.ack is written before the fsync covering its message returned, and one fsync covers many`,
      async () => {
        dir = await tempDir('warren-sync-');
        const broker = await tracedBroker(join(dir.path, 'data'), join(dir.path, 'trace.txt'));
        let text: string;
        try {
          const client = await connect(broker.url, { publishWindow });
          await client.declareQueue('sync-confirms', { durable: true });
          await Promise.all(Array.from({ length: MESSAGES }, (_, i) => client.publish('', 'sync-confirms', marker(i + 1), { persistent: true })));
          expect(await client.declareQueue('sync-confirms', { passive: true })).toMatchObject({ messageCount: MESSAGES });
          await client.close();
        } finally {
          text = await broker.stop();
        }

        const report = checkConfirmOrder(parseTrace(text), /sync-marker-(\d{6})\./g);
        process.stderr.write(
          `confirm after sync (window ${publishWindow ?? 'default'}): ${report.messages} messages written, ${report.ackWrites} ack writes up to seq ` +
            `${report.lastAckedSeq}, ${report.syncs} log syncs (at most ${report.maxMessagesPerSync} messages per sync)\n`,
        );
        expect(report.violations).toEqual([]);
        expect(report).toMatchObject({ messages: MESSAGES, lastAckedSeq: MESSAGES });
        expect(report.ackWrites).toBeGreaterThan(0);
        expect(report.syncs).toBeGreaterThan(0);
        expect(report.syncs).toBeLessThan(2_000);
        expect(report.maxMessagesPerSync).toBeGreaterThanOrEqual(atLeastPerSync);
      },
      120_000,
    );
  }
});

describe.skipIf(STRACE)('publisher confirms, seen in the broker system calls', () => {
  it('is skipped: strace is not installed (apt-get install -y strace)', () => {
    expect(STRACE).toBe(false);
  });
});
