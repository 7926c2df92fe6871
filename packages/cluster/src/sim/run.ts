/**
 * Runs a range of seeds and adds up what they did; reports each failure with the command that
 * replays it and its shrunk history. Shared by `npm run sim` (cli.ts) and the CI test.
 */
import type { RaftFaults } from '../raft/types.js';
import { generateWorld } from './history.js';
import { shrink } from './shrink.js';
import { runSeed, type RunResult } from './world.js';

export interface Totals {
  seeds: number;
  failures: RunResult[];
  leaderChanges: number;
  applies: number;
  messages: number;
  published: number;
  confirmed: number;
  deliveries: number;
  expired: number;
  reads: number;
  quiescedTicks: number;
  simMs: number;
  wallMs: number;
}

export function runSeeds(start: number, count: number, faults: RaftFaults = {}, onResult?: (r: RunResult) => void): Totals {
  const began = performance.now();
  const totals: Totals = { seeds: 0, failures: [], leaderChanges: 0, applies: 0, messages: 0, published: 0, confirmed: 0, deliveries: 0, expired: 0, reads: 0, quiescedTicks: 0, simMs: 0, wallMs: 0 };
  for (let seed = start; seed < start + count; seed++) {
    const r = runSeed(seed, { faults });
    totals.seeds++;
    totals.leaderChanges += r.leaderChanges;
    totals.applies += r.applies;
    totals.messages += r.messages;
    totals.published += r.published;
    totals.confirmed += r.confirmed;
    totals.deliveries += r.deliveries;
    totals.expired += r.expired;
    totals.reads += r.reads;
    totals.quiescedTicks += r.quiescedTicks;
    totals.simMs += r.simMs;
    if (r.violation !== undefined) totals.failures.push(r);
    onResult?.(r);
  }
  totals.wallMs = performance.now() - began;
  return totals;
}

function faultFlags(faults: RaftFaults): string {
  return Object.keys(faults)
    .filter((k) => faults[k as keyof RaftFaults] === true)
    .map((k) => ` --plant ${k}`)
    .join('');
}

/** The failure, the command that replays it, and its history shrunk to the steps that matter. */
export function describeFailure(failure: RunResult, faults: RaftFaults = {}, shrinkBudget = 300): string {
  const flags = faultFlags(faults);
  const lines = [`seed ${failure.seed} broke ${failure.violation?.message}`, `  replay: npm run sim -- --seed ${failure.seed}${flags}`];
  const shrunk = shrink(failure, { faults }, shrinkBudget);
  const history = generateWorld(failure.seed).history;
  lines.push(`  shrunk from ${failure.steps} to ${shrunk.keep.length} steps in ${shrunk.runs} runs: ${shrunk.result.violation?.message}`);
  lines.push(`  replay shrunk: npm run sim -- --seed ${failure.seed} --keep ${shrunk.keep.join(',')}${flags}`);
  for (const i of shrunk.keep) lines.push(`    #${i} at ${history[i]!.at.toFixed(1)} ms: ${JSON.stringify(history[i]!.event)}`);
  return lines.join('\n');
}
