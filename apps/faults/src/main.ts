#!/usr/bin/env node
/**
 * `npm run faults -- [--minutes 30] [--seed n] [--json file]`: runs the fault suite once,
 * prints the summary, and exits 0 when the history checks out, 1 when it does not, 2 on a bad
 * flag. Whatever happens, the node processes it started end with it.
 */
import { writeFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { parseOptions, type CliOptions } from './options.js';
import { runFaults } from './run.js';
import { formatSummary, summaryJson } from './summary.js';

const log = (line: string): void => void process.stderr.write(`faults: ${line}\n`);

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const { info, verdict } = await runFaults(options, log);
  process.stdout.write(`${formatSummary(info, verdict)}\n`);
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(summaryJson(info, verdict), null, 2)}\n`);
  return verdict.valid ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
