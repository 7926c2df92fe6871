/**
 * The import direction (README, "Layout") as CI checks it: the
 * dependency-cruiser rules in .dependency-cruiser.cjs hold for the repository, and each rule
 * fires on a tree that breaks it once, so a rule that can no longer fail is noticed.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
const cli = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs the dependency-cruiser CLI (as `npm run deps` does) in `cwd`; returns the violations. */
function cruise(cwd: string, roots: string[]): Promise<Violation[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, '--config', config, '--output-type', 'json', ...roots], { cwd, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      // The CLI exits non-zero when it finds violations; only output that is no report is a failure.
      try {
        resolve((JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations);
      } catch {
        reject(new Error(`dependency-cruiser gave no report: ${stderr || error?.message}`));
      }
    });
  });
}

/** One wrong arrow per rule, as files of a small repository-shaped tree. */
const WRONG_ARROWS: Record<string, Record<string, string>> = {
  'no-cycles': {
    'packages/core/src/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;\n",
    'packages/core/src/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",
  },
  'protocol-imports-nothing-of-ours': { 'packages/protocol/src/frames.ts': "export * from '@warren/core';\n" },
  'core-imports-no-adapter': { 'packages/core/src/vhost.ts': "export * from '../../store/src/level-store.js';\n" },
  'core-and-protocol-use-no-node-api': { 'packages/core/src/clock.ts': "export { setTimeout } from 'node:timers';\n" },
  'core-uses-no-io-library': { 'packages/core/src/log.ts': "export { pino } from 'pino';\n" },
  'store-imports-core-only': { 'packages/store/src/level-store.ts': "export * from '@warren/protocol';\n" },
  'cluster-imports-core-and-store-only': { 'packages/cluster/src/peer-codec.ts': "export * from '@warren/protocol';\n" },
  'client-imports-protocol-only': { 'packages/client/src/connection.ts': "export * from '@warren/core';\n" },
  'server-imports-no-client': { 'packages/server/src/boot.ts': "export * from '@warren/client';\n" },
  'cli-and-admin-speak-http-only': {
    'packages/cli/src/main.ts': "export * from '@warren/server';\n",
    'apps/admin/src/main.tsx': "export * from '@warren/core';\n",
  },
  'no-deep-imports': { 'test/e2e/x.test.ts': "export * from '../../packages/core/src/queue/queue.js';\n" },
};

/** One cruise parses every source of the repository: seconds on a quiet machine, more on a busy CI runner. */
const CRUISE_MS = 120_000;

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('import direction', () => {
  it('holds for the repository', async () => {
    const violations = await cruise(root, ['packages/*/src', 'apps/*/src', 'test', 'scripts', 'examples']);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, CRUISE_MS);

  it('each rule fails on one wrong arrow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warren-imports-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true } }),
      'packages/store/src/level-store.js': 'export {};\n',
      'packages/core/src/queue/queue.ts': 'export {};\n',
    };
    for (const arrows of Object.values(WRONG_ARROWS)) Object.assign(files, arrows);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const violations = await cruise(dir, ['packages', 'apps', 'test']);
    for (const [rule, arrows] of Object.entries(WRONG_ARROWS)) {
      // A cycle is reported from one of its files; every other wrong arrow from its own file.
      const sources = rule === 'no-cycles' ? [Object.keys(arrows)] : Object.keys(arrows).map((from) => [from]);
      for (const from of sources) {
        expect(violations.some((v) => v.rule.name === rule && from.includes(v.from)), `${rule} from ${from.join(' or ')}`).toBe(true);
      }
    }
    expect(new Set(violations.map((v) => v.rule.name))).toEqual(new Set(Object.keys(WRONG_ARROWS)));
  }, CRUISE_MS);
});
