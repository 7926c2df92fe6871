#!/usr/bin/env node
/**
 * `pnpm bench`: the command line, and the loop over the chosen scenarios. Each scenario gets its
 * own broker and workers (run-scenario.ts); this file only parses flags, runs them in turn,
 * prints the report and makes sure nothing it started outlives it.
 * Flags are parsed with node:util parseArgs: commander is not a dependency of this package.
 */
import { parseArgs } from 'node:util';
import { medianRun } from './median-run.js';
import { waitForQuietMachine } from './quiet-machine.js';
import { formatReport, writeJson } from './report.js';
import { killStarted, runScenario, type ScenarioResult, type Timing } from './run-scenario.js';
import { findScenario, SCENARIOS, type Scenario } from './scenarios.js';

const USAGE = `Usage: pnpm bench [options]

Runs each scenario against a freshly started Warren broker, with producer, consumer(s) and
broker in separate processes, and compares the results with RabbitMQ on this machine.

Options:
  --scenario <name>   run only this scenario (repeatable, or a comma-separated list)
                      known: ${SCENARIOS.map((s) => s.name).join(', ')}
  --duration <s>      measured seconds per scenario (default 10)
  --warmup <s>        unmeasured seconds before that (default 1)
  --runs <n>          run each scenario n times and report the median run (default 1)
  --quick             2 s measured after a 0.5 s warm-up, for CI
  --wait-idle <s>     before each run, wait up to this long for other processes to leave
                      the CPU idle (default 30, 0 with --quick)
  --json <file>       also write the results as JSON
  -h, --help          show this text`;

interface Options {
  scenarios: Scenario[];
  timing: Timing;
  runs: number;
  waitIdleMs: number;
  json: string | undefined;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      'wait-idle': { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const names = (values.scenario ?? []).flatMap((list) => list.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  return {
    scenarios: names.length === 0 ? [...SCENARIOS] : [...new Set(names)].map(findScenario),
    timing: {
      durationMs: seconds('--duration', values.duration, values.quick ? 2 : 10) * 1000,
      warmupMs: seconds('--warmup', values.warmup, values.quick ? 0.5 : 1) * 1000,
    },
    runs: runs(values.runs),
    waitIdleMs: seconds('--wait-idle', values['wait-idle'], values.quick ? 0 : 30) * 1000,
    json: values.json,
  };
}

function seconds(flag: string, given: string | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isFinite(value) || value < 0 || (flag === '--duration' && value === 0)) throw new Error(`${flag} takes a positive number of seconds, got '${given}'`);
  return value;
}

function runs(given: string | undefined): number {
  if (given === undefined) return 1;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--runs takes a positive integer, got '${given}'`);
  return value;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Whatever happens to this process, the broker and workers it started go with it.
  process.on('exit', killStarted);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  const { durationMs, warmupMs } = options.timing;
  const results: ScenarioResult[] = [];
  const allRuns: ScenarioResult[] = [];
  for (const scenario of options.scenarios) {
    const runs: ScenarioResult[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const which = options.runs > 1 ? ` run ${run}/${options.runs}` : '';
      if (options.waitIdleMs > 0 && !(await waitForQuietMachine(options.waitIdleMs))) {
        process.stderr.write(`bench: the machine is still busy after ${options.waitIdleMs / 1000} s; running anyway\n`);
      }
      process.stderr.write(`bench: ${scenario.name}${which}: ${scenario.summary} (${warmupMs / 1000} s warm-up, ${durationMs / 1000} s measured)\n`);
      const result = await runScenario(scenario, options.timing);
      if (options.runs > 1) process.stderr.write(`bench: ${scenario.name}${which}: ${result.error ?? `${Math.round(result.rate ?? 0)} ${scenario.unit}`}\n`);
      runs.push(result);
    }
    results.push(medianRun(runs));
    allRuns.push(...runs);
  }
  process.stdout.write(`\n${formatReport(results)}\n`);
  if (options.json !== undefined) await writeJson(options.json, results, allRuns, options.timing);
  return results.some((r) => r.error !== undefined) ? 1 : 0;
}

process.exitCode = await main();
