/**
 * Model-based tests of the queue (issue 12, part 3): fast-check command sequences run against
 * the real core and store and against the reference model (queue-model.ts), compared after every
 * command. Runs per property: WARREN_MODEL_RUNS (default 1,000; the long form is 20,000,
 * docs/testing.md); WARREN_MODEL_SEED replays a run.
 */
import fc from 'fast-check';
import type { BacklogLimits } from '@warren/core';
import { afterAll, describe, expect, it } from 'vitest';
import { queueCommands, queueConfig, tally } from './commands.js';
import { QueueModel, type QueueConfig, type Reason } from './queue-model.js';
import { RealQueue, type StoreKind } from './real-queue.js';

const RUNS = Number(process.env.WARREN_MODEL_RUNS ?? 1000);
const SEED = process.env.WARREN_MODEL_SEED === undefined ? undefined : Number(process.env.WARREN_MODEL_SEED);
const START = 1_700_000_000_000;
const MAX_COMMANDS = 40;
/** About 30 s per 1,000 runs on two busy cores; the timeout leaves five times that. */
const TIMEOUT = Math.max(120_000, RUNS * 150);

const figures: string[] = [];

async function runProperty(name: string, kind: StoreKind, limits?: Partial<BacklogLimits>): Promise<void> {
  const commands = queueCommands({ multiple: limits === undefined });
  const before = { ...tally };
  const died: Record<Reason, number> = { expired: 0, maxlen: 0, delivery_limit: 0, rejected: 0 };
  const started = performance.now();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(queueConfig, fc.commands([commands], { maxCommands: MAX_COMMANDS, size: 'max' }), async (config: QueueConfig, cmds) => {
      runs++;
      const model = new QueueModel(config, START);
      const real = await RealQueue.open(kind, config, START, limits);
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        await real.close();
      }
      for (const reason of Object.keys(died) as Reason[]) died[reason] += model.died[reason];
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const seconds = (performance.now() - started) / 1000;
  const count = (key: keyof typeof tally) => tally[key] - before[key];
  figures.push(
    `${name}: ${runs} runs, ${count('commands')} commands (${count('restarts')} restarts), ` +
      `${count('deliveries')} deliveries (${count('redeliveries')} redelivered), dead letters ${JSON.stringify(died)}, ${seconds.toFixed(1)} s`,
  );
  expect(runs).toBeGreaterThanOrEqual(RUNS);
}

describe('the queue agrees with its reference model', () => {
  afterAll(() => {
    // The figures docs/testing.md asks a long run to report.
    if (figures.length > 0) console.info(`model-based queue tests\n  ${figures.join('\n  ')}`);
  });

  it('on the in-memory store', { timeout: TIMEOUT }, async () => {
    await runProperty('memory store', 'memory');
  });

  it('on the LevelDB store', { timeout: TIMEOUT }, async () => {
    await runProperty('LevelDB store', 'level');
  });

  it('on the LevelDB store, paging messages out beyond 3 in RAM', { timeout: TIMEOUT }, async () => {
    await runProperty('LevelDB store, paging', 'level', { maxRamMessages: 3, pageSize: 2 });
  });
});
