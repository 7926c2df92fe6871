/**
 * `pnpm bench`'s flags, parsed with node:util parseArgs (commander is not a dependency of this
 * package), and their defaults, which depend on the mode: --quick for CI, --vs-rabbitmq for the
 * side-by-side comparison, neither for Warren alone at full length.
 */
import { parseArgs } from 'node:util';
import { LATEST_JSON } from './results-json.js';
import type { Timing } from './run-result.js';
import type { Scenario } from './scenario.js';
import { findScenario, SCENARIOS } from './scenarios.js';

export const USAGE = `Usage: pnpm bench [options]

Runs each scenario against a freshly started Warren broker (and, with --vs-rabbitmq, a freshly
started RabbitMQ node, alternating the two), with producer, consumer(s) and broker in separate
processes, and prints the comparison.

Options:
  --vs-rabbitmq       also run every scenario against RabbitMQ (installs Debian's rabbitmq-server
                      with apt-get if it is missing), alternating the two; writes
                      results/latest.json
  --scenario <name>   run only this scenario (repeatable, or a comma-separated list)
                      known: ${SCENARIOS.map((s) => s.name).join(', ')}
  --duration <s>      measured seconds per run (default 10)
  --warmup <s>        unmeasured seconds before that (default 1)
  --runs <n>          runs per scenario and broker; the median run is reported
                      (default 3 with --vs-rabbitmq, 1 with --quick or without it)
  --quick             1 s measured after a 0.5 s warm-up, small prefill and connection counts:
                      for CI
  --wait-idle <s>     before each run, wait up to this long for other processes to leave the
                      CPU idle (default 30; 5 with --vs-rabbitmq, where both brokers share the
                      same conditions run by run; 0 with --quick)
  --json <file>       write the results as JSON (default with --vs-rabbitmq: ${LATEST_JSON})
  -h, --help          show this text`;

export interface Options {
  scenarios: Scenario[];
  vsRabbitmq: boolean;
  quick: boolean;
  timing: Timing;
  runs: number;
  waitIdleMs: number;
  json: string | undefined;
}

/** undefined for --help; throws on a bad flag. */
export function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      'vs-rabbitmq': { type: 'boolean', default: false },
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
  const quick = values.quick;
  const vsRabbitmq = values['vs-rabbitmq'];
  const names = (values.scenario ?? []).flatMap((list) => list.split(',')).map((name) => name.trim()).filter((name) => name !== '');
  return {
    scenarios: names.length === 0 ? [...SCENARIOS] : [...new Set(names)].map(findScenario),
    vsRabbitmq,
    quick,
    timing: {
      durationMs: seconds('--duration', values.duration, quick ? 1 : 10) * 1000,
      warmupMs: seconds('--warmup', values.warmup, quick ? 0.5 : 1) * 1000,
    },
    runs: runs(values.runs, vsRabbitmq && !quick ? 3 : 1),
    waitIdleMs: seconds('--wait-idle', values['wait-idle'], quick ? 0 : vsRabbitmq ? 5 : 30) * 1000,
    json: values.json ?? (vsRabbitmq ? LATEST_JSON : undefined),
  };
}

function seconds(flag: string, given: string | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isFinite(value) || value < 0 || (flag === '--duration' && value === 0)) throw new Error(`${flag} takes a positive number of seconds, got '${given}'`);
  return value;
}

function runs(given: string | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--runs takes a positive integer, got '${given}'`);
  return value;
}
