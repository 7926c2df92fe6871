/**
 * `npm run faults`'s flags, parsed by commander; a bad value is a usage error (exit code 2)
 * naming the flag.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { RunOptions } from './run.js';

export interface CliOptions extends RunOptions {
  /** Where to write the summary as JSON. */
  readonly json: string | undefined;
}

function number(min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new InvalidArgumentError(`'${value}' is not a ${integer ? 'whole number' : 'number'} from ${min} to ${max}`);
    }
    return n;
  };
}

export function program(): Command {
  return new Command('faults')
    .description('Jepsen-style fault suite: a nemesis kills, pauses and cuts off nodes of a local Warren cluster while clients publish with confirms and consume with manual acks, then checks that nothing confirmed was lost')
    .option('--minutes <n>', 'how long the nemesis works (the run takes about a minute more)', number(0.1, 24 * 60, false), 5)
    .option('--seed <n>', 'seed of the fault schedule (default: random, printed)', number(0, 2 ** 32 - 1, true))
    .option('--nodes <n>', 'cluster nodes', number(3, 7, true), 3)
    .option('--queues <n>', 'replicated queues', number(1, 50, true), 3)
    .option('--rate <n>', 'publishes per second, all producers together', number(1, 20_000, true), 150)
    .option('--json <file>', 'also write the summary and every fault as JSON to this file')
    .option('--keep', 'keep the node logs and data even when the run is valid', false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

export function parseOptions(argv: readonly string[]): CliOptions {
  const command = program().parse(argv, { from: 'user' });
  const o = command.opts<{ minutes: number; seed?: number; nodes: number; queues: number; rate: number; json?: string; keep: boolean }>();
  return { minutes: o.minutes, seed: o.seed ?? Math.floor(Math.random() * 2 ** 32), nodes: o.nodes, queues: o.queues, rate: o.rate, json: o.json, keep: o.keep };
}
