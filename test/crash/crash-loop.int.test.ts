/**
 * Crash loop (issue 12, part 1): kill -9 the broker at random instants while confirmed
 * persistent publishers and manual-ack consumers work on durable queues, restart it, repeat,
 * then drain and check the history (history.ts has the rules). Runs the built broker
 * (packages/server/dist), so build first.
 *
 * CI form: 20 rounds. Long form: `node scripts/crash-loop.mjs --rounds 1000 --min-confirmed 100000`,
 * which runs this file with WARREN_CRASH_ROUNDS and WARREN_CRASH_MIN_CONFIRMED set
 * (docs/testing.md). WARREN_CRASH_SEED replays a run's random choices; WARREN_CRASH_REPORT names
 * a file that gets the totals as JSON.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/broker.js';
import { runCrashLoop } from './harness.js';
import type { CrashTotals } from './history.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = env('WARREN_CRASH_ROUNDS', 20);
const MIN_CONFIRMED = env('WARREN_CRASH_MIN_CONFIRMED', 1);
const SEED = process.env.WARREN_CRASH_SEED ? Number(process.env.WARREN_CRASH_SEED) : undefined;

const line = (t: CrashTotals) =>
  `rounds ${t.rounds}, published ${t.published}, confirmed ${t.confirmed}, delivered ${t.delivered}, acked ${t.acked} ` +
  `(${t.acksConfirmed} known applied), duplicates ${t.duplicates}, lost ${t.lost + t.lostUnacked}, unexpected ${t.unexpected + t.unexpectedDuplicates}`;

let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await dir?.remove();
  dir = undefined;
});

describe('crash loop', () => {
  it(
    `kill -9 at random instants for ${ROUNDS} rounds loses no confirmed message and duplicates only unacked ones`,
    async () => {
      dir = await tempDir('warren-crash-');
      const started = performance.now();
      const progressEvery = Math.max(1, Math.floor(ROUNDS / 20));
      const { totals, problems, seed } = await runCrashLoop(dir.path, {
        rounds: ROUNDS,
        seed: SEED,
        onRound: (round, history) => {
          if (round % progressEvery !== 0) return;
          const t = history.verdict(false);
          const elapsed = ((performance.now() - started) / 1000).toFixed(0);
          process.stderr.write(`crash loop: round ${round}, confirmed ${t.confirmed}, delivered ${t.delivered}, duplicates ${t.duplicates}, not yet delivered ${t.lost}, ${elapsed} s\n`);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`crash loop totals (seed ${seed}, ${seconds.toFixed(1)} s): ${line(totals)}\n`);
      if (process.env.WARREN_CRASH_REPORT) writeFileSync(process.env.WARREN_CRASH_REPORT, JSON.stringify({ ...totals, seed, seconds }, null, 2));

      expect(problems).toEqual([]);
      expect(totals).toMatchObject({ rounds: ROUNDS, lost: 0, lostUnacked: 0, unexpected: 0, unexpectedDuplicates: 0 });
      expect(totals.confirmed).toBeGreaterThanOrEqual(MIN_CONFIRMED);
      // The loop did what it claims: messages flowed and kills caught some of them unacked.
      expect(totals.delivered).toBeGreaterThanOrEqual(totals.confirmed);
      expect(totals.acked).toBeGreaterThan(0);
    },
    ROUNDS * 15_000 + 120_000,
  );
});
