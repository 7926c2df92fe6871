#!/usr/bin/env node
/**
 * `pnpm bench`: the loop over scenarios, runs and brokers. Each run gets its own broker and
 * workers (run-scenario.ts); with --vs-rabbitmq, Warren and RabbitMQ alternate run by run, so
 * whatever else the machine is doing affects both alike. This file only orders the runs, prints
 * the report and makes sure nothing it started outlives it.
 */
import type { Broker } from './broker.js';
import { buildRows, deepQueueRow, figureOf } from './comparison.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { waitForQuietMachine } from './quiet-machine.js';
import { ensureRabbitInstalled } from './rabbit/rabbit-install.js';
import { rabbitmq } from './rabbit/rabbit-broker.js';
import { formatReport } from './report.js';
import { writeResultsJson } from './results-json.js';
import type { RunResult } from './run-result.js';
import { runScenario } from './run-scenario.js';
import { killStarted } from './started-processes.js';
import { wsRelay } from './relay/ws-relay-broker.js';
import { warren } from './warren/warren-broker.js';

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  let options: Options | undefined;
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
  // Whatever happens to this process, the brokers and workers it started go with it.
  process.on('exit', killStarted);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  const brokers: Broker[] = options.vsRabbitmq ? [warren, rabbitmq] : [warren];
  if (options.vsRabbitmq) await ensureRabbitInstalled(log);
  const settings = { timing: options.timing, quick: options.quick };
  const { durationMs, warmupMs } = options.timing;
  const runs: RunResult[] = [];
  for (const scenario of options.scenarios) {
    log(`${scenario.name}: ${scenario.summary} (${warmupMs / 1000} s warm-up, ${durationMs / 1000} s measured)`);
    // The relay probe runs beside the brokers where a scenario measures Warren against it.
    const runners = scenario.kind === 'flow' && scenario.checks?.ofWsRelay !== undefined ? [...brokers, wsRelay] : brokers;
    for (let run = 1; run <= options.runs; run++) {
      for (const broker of runners) {
        if (options.waitIdleMs > 0 && !(await waitForQuietMachine(options.waitIdleMs))) {
          log(`the machine is still busy after ${options.waitIdleMs / 1000} s; running anyway`);
        }
        const result = await runScenario(broker, scenario, settings);
        const figure = figureOf(scenario.ratioOf, result);
        const shown = result.error ?? `${figure === undefined ? '—' : figure.toFixed(scenario.ratioOf === 'msgs/s' ? 0 : 2)} ${scenario.ratioOf === 'p99' ? 'ms p99' : scenario.ratioOf}`;
        log(`${scenario.name} run ${run}/${options.runs} ${broker.label}: ${shown}`);
        runs.push(result);
      }
    }
  }
  const rows = buildRows(options.scenarios, runs);
  const deep = deepQueueRow(rows);
  process.stdout.write(`\n${formatReport(rows, deep)}\n`);
  if (options.json !== undefined) {
    await writeResultsJson(options.json, rows, deep);
    log(`results written to ${options.json}`);
  }
  return runs.some((run) => run.error !== undefined) ? 1 : 0;
}

process.exitCode = await main();
