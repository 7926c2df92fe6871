#!/usr/bin/env node
/**
 * Where a profiled broker's CPU went, per message: reads the .cpuprofile files that
 * `WARREN_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` leaves (one per node, by PID) and
 * prints, per file, the busy time (every sample but idle), the top functions by self time and
 * the same by package (packages/<name>, node_modules/<name>, node: internals, the engine's
 * own entries), each in µs per message.
 *
 *   node apps/bench/probes/profile-top.mjs [--window-s 15 --tail-s 3] [--messages N] [--top 25] DIR/*.cpuprofile
 *
 * `--window-s` keeps only the samples of that many seconds ending `--tail-s` before the profile
 * does (the bench stops the broker about a second after its window, and a cluster node takes
 * up to 3 s more to hand its consumers over): the measured window, without boot or shutdown. `--messages`: how many messages went through in what is kept; without it the
 * figures are in ms. The sampler records what the main thread was running, or would run, at
 * each tick, so on a machine short of cores the busy time includes waiting for a core: take the
 * shares from here and the CPU time from /proc (the bench's per-node CPU).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { messages: { type: 'string' }, top: { type: 'string', default: '25' }, 'window-s': { type: 'string' }, 'tail-s': { type: 'string', default: '0' } },
});
const messages = values.messages === undefined ? undefined : Number(values.messages);
const top = Number(values.top);
const unit = messages === undefined ? 'ms' : 'µs/msg';
const show = (us) => (messages === undefined ? (us / 1000).toFixed(0) : (us / messages).toFixed(2));

function packageOf(url) {
  if (url === '') return '(engine)';
  if (url.startsWith('node:')) return 'node: internals';
  const own = /\/packages\/([^/]+)\//.exec(url) ?? /\/apps\/([^/]+)\//.exec(url);
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return dep !== null ? dep[1] : own !== null ? `@warren/${own[1]}` : url;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const end = profile.endTime - Number(values['tail-s']) * 1e6;
  const start = values['window-s'] === undefined ? Number.NEGATIVE_INFINITY : end - Number(values['window-s']) * 1e6;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= start && at <= end) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map();
  const byPackage = new Map();
  let busy = 0;
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === '(idle)') continue;
    busy += us;
    const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url === '' ? '' : `${basename(callFrame.url)}:${callFrame.lineNumber + 1}`}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = callFrame.url === '' ? callFrame.functionName : packageOf(callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const rows = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  process.stdout.write(`\n${basename(file)}: busy ${show(busy)} ${unit} (${(busy / 1e6).toFixed(2)} s sampled)\n`);
  process.stdout.write(`  by package (self ${unit}, % of busy):\n`);
  for (const [name, us] of rows(byPackage)) process.stdout.write(`    ${show(us).padStart(8)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}\n`);
  process.stdout.write(`  by function (self ${unit}, % of busy):\n`);
  for (const [name, us] of rows(byFunction)) process.stdout.write(`    ${show(us).padStart(8)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}\n`);
}
