// Long form of the crash loop (issue 12, part 1; docs/testing.md): builds the broker, runs
// test/crash/crash-loop.int.test.ts through vitest with the round count and the floor of
// confirmed messages in its environment, and prints the totals. The harness itself is the
// TypeScript the CI form runs (test/crash/harness.ts), so both forms exercise the same code.
//
// Usage: node scripts/crash-loop.mjs [--rounds 1000] [--min-confirmed 100000] [--seed N] [--no-build]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1000' },
    'min-confirmed': { type: 'string', default: '100000' },
    seed: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args, env = {}) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

if (!values['no-build']) {
  const build = run([join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json']);
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const reportDir = mkdtempSync(join(tmpdir(), 'warren-crash-report-'));
const report = join(reportDir, 'totals.json');
const started = Date.now();
const test = run([join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/crash/crash-loop.int.test.ts'], {
  WARREN_CRASH_ROUNDS: values.rounds,
  WARREN_CRASH_MIN_CONFIRMED: values['min-confirmed'],
  WARREN_CRASH_REPORT: report,
  ...(values.seed === undefined ? {} : { WARREN_CRASH_SEED: values.seed }),
});

let totals;
try {
  totals = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.error('crash loop: no totals were written (the run failed before its end; see above)');
}
rmSync(reportDir, { recursive: true, force: true });
if (totals !== undefined) {
  const rows = [
    ['rounds', totals.rounds],
    ['published', totals.published],
    ['confirmed', totals.confirmed],
    ['delivered', totals.delivered],
    ['acked', totals.acked],
    ['acks known applied', totals.acksConfirmed],
    ['duplicates (allowed)', totals.duplicates],
    ['lost', totals.lost + totals.lostUnacked],
    ['unexpected', totals.unexpected + totals.unexpectedDuplicates],
  ];
  console.log(`\ncrash loop, seed ${totals.seed}, ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(22)} ${value.toLocaleString('en-US')}`);
  console.log(test.status === 0 ? 'PASS' : 'FAIL');
}
process.exit(test.status ?? 1);
