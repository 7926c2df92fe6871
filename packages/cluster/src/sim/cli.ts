#!/usr/bin/env node
/**
 * `npm run sim -- [--seeds N] [--start S]`: runs seeds S..S+N-1 and prints totals.
 * `npm run sim -- --seed S [--keep 1,4,9]`: replays one seed (or its shrunk history) and tells
 * what happened. `--plant <fault>` runs with a planted Raft bug (see RaftFaults).
 */
import { parseArgs } from 'node:util';
import type { RaftFaults } from '../raft/types.js';
import { describeFailure, runSeeds } from './run.js';
import { runSeed } from './world.js';

/** Results go to stdout, one line each: this is a command, not library code. */
const print = (text: string): void => void process.stdout.write(`${text}\n`);

const PLANTABLE = ['ackBeforeFsync', 'voteWithoutPersist', 'commitOldTermByCount', 'applyBeforeCommit'];

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, got ${value}`);
  return Number(value);
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    start: { type: 'string' },
    seed: { type: 'string' },
    keep: { type: 'string' },
    plant: { type: 'string', multiple: true },
  },
});
const faults: Record<string, boolean> = {};
for (const name of values.plant ?? []) {
  if (!PLANTABLE.includes(name)) fail(`--plant must be one of ${PLANTABLE.join(', ')}`);
  faults[name] = true;
}

if (values.seed !== undefined) {
  const seed = count(values.seed, 'seed', 0);
  const keep = values.keep?.split(',').map((k) => count(k, 'keep', 0));
  const result = runSeed(seed, { faults: faults as RaftFaults, ...(keep ? { keep } : {}) });
  const { violation, ...stats } = result;
  print(JSON.stringify(stats));
  print(violation === undefined ? `seed ${seed}: every invariant held` : `seed ${seed}: ${violation.message}`);
  process.exit(violation === undefined ? 0 : 1);
}

const start = count(values.start, 'start', 1);
const seeds = count(values.seeds, 'seeds', 2000);
let done = 0;
let failed = 0;
const began = performance.now();
const totals = runSeeds(start, seeds, faults as RaftFaults, (r) => {
  if (r.violation !== undefined) failed++;
  if (++done % 500 === 0) {
    const rate = done / ((performance.now() - began) / 1000);
    process.stderr.write(`${done}/${seeds} seeds (${start}..${start + done - 1}), ${failed} failed, ${rate.toFixed(1)} seeds/s\n`);
  }
});
for (const failure of totals.failures.slice(0, 5)) print(describeFailure(failure, faults as RaftFaults));
const seconds = totals.wallMs / 1000;
print(
  `seeds ${start}..${start + seeds - 1}: ${totals.seeds} run, ${totals.failures.length} failed, ${seconds.toFixed(1)} s (${(totals.seeds / seconds).toFixed(1)} seeds/s)\n` +
    `  simulated ${(totals.simMs / 1000).toFixed(0)} s, ${totals.leaderChanges} leaders elected, ${totals.messages} Raft messages, ${totals.applies} entries applied\n` +
    `  ${totals.published} messages published, ${totals.confirmed} confirmed, ${totals.deliveries} deliveries, ${totals.expired} expired, ${totals.reads} linearizable reads\n` +
    `  ${totals.quiescedTicks} member ticks spent quiesced`,
);
process.exit(totals.failures.length === 0 ? 0 : 1);
