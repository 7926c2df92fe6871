/**
 * Reads docker/Dockerfile and replays a target's stages on this machine, as far as a machine
 * without a Docker engine can: each stage gets a directory standing for its filesystem root, so
 * an absolute path in an instruction (`/app`, `/var/lib/warren`) lands inside it, `npm install
 * --global` installs into the stage's /usr/local, COPY copies the build context (minus
 * .dockerignore) or another stage's files, and RUN runs in bash in the stage's WORKDIR with its
 * ENV. What it cannot replay is the base image itself: the machine's Node stands in for it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const name = /\bAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? String(stages.length);
      stages.push({ name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key, value = ''] = instruction.args.split('=');
      args[key!] = value;
    } else stages.at(-1)!.instructions.push(instruction);
  }
  return { args, stages };
}

/** `KEY=value KEY2=value2` of ENV. */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
}

/** Whether the build context leaves `path` out, by .dockerignore lines like `.git`, `**\/dist`, `**\/*.tsbuildinfo`, `test`. */
export function ignoredBy(patterns: string[]): (path: string) => boolean {
  const rules = patterns.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
  const segment = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return (path) => {
    const parts = path.split('/');
    return rules.some((rule) => {
      if (rule.startsWith('**/')) {
        const re = segment(rule.slice(3));
        return parts.some((part) => re.test(part));
      }
      return path === rule || path.startsWith(`${rule}/`);
    });
  };
}

export interface ReplayedStage {
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  instructions: Instruction[];
}

/** Replays every stage up to and including `target` (skipping none: they are few). */
export function replay(repo: string, dockerfile: string, into: string, target: string, log: (line: string) => void): Map<string, ReplayedStage> {
  const { stages } = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const ignored = ignoredBy(readFileSync(join(repo, '.dockerignore'), 'utf8').split('\n'));
  const done = new Map<string, ReplayedStage>();
  const needed = new Set([target]);
  for (const stage of [...stages].reverse()) {
    if (!needed.has(stage.name)) continue;
    for (const i of stage.instructions) {
      const from = /--from=(\S+)/.exec(i.args)?.[1];
      if (i.keyword === 'COPY' && from !== undefined) needed.add(from);
    }
  }
  for (const stage of stages.filter((s) => needed.has(s.name))) {
    const root = join(into, stage.name);
    const state: ReplayedStage = { root, workdir: '/', env: {}, instructions: stage.instructions };
    const inRoot = (path: string) => join(root, path);
    // What the node base image has and the instructions rely on.
    for (const dir of ['/usr/local/bin', '/tmp']) mkdirSync(inRoot(dir), { recursive: true });
    for (const { keyword, args } of stage.instructions) {
      log(`[${stage.name}] ${keyword} ${args}`);
      if (keyword === 'WORKDIR') {
        state.workdir = args;
        mkdirSync(inRoot(args), { recursive: true });
      } else if (keyword === 'ENV') Object.assign(state.env, envPairs(args));
      else if (keyword === 'USER') state.user = args;
      else if (keyword === 'COPY') {
        const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
        const [source, dest] = parts as [string, string];
        const from = /--from=(\S+)/.exec(args)?.[1];
        const target = dest === '.' ? inRoot(state.workdir) : inRoot(dest);
        if (from !== undefined) {
          mkdirSync(dirname(target), { recursive: true });
          cpSync(join(done.get(from)!.root, source), target, { recursive: true, verbatimSymlinks: true });
        } else {
          const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((f) => f !== '' && !ignored(f));
          for (const file of files) {
            mkdirSync(dirname(join(target, file)), { recursive: true });
            cpSync(join(repo, file), join(target, file));
          }
        }
      } else if (keyword === 'RUN') {
        const command = args
          .replace(/(^|\s)(\/[\w./-]*)/g, (_all, space: string, path: string) => `${space}${inRoot(path)}`)
          .replace(/npm install --global/g, `npm install --global --prefix ${inRoot('/usr/local')}`);
        execFileSync('bash', ['-euo', 'pipefail', '-c', command], {
          cwd: inRoot(state.workdir),
          env: { ...process.env, ...state.env, PATH: `${inRoot('/usr/local/bin')}:${process.env.PATH ?? ''}`, CI: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
          maxBuffer: 64 * 1024 * 1024,
        });
      }
    }
    done.set(stage.name, state);
  }
  return done;
}

/** An exec-form instruction's argv (`CMD ["node", "dist/bin/warren.js"]`), HEALTHCHECK's after its options. */
export function execForm(stage: ReplayedStage, keyword: string): string[] {
  const instruction = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
  if (instruction === undefined) throw new Error(`no ${keyword}`);
  const json = instruction.args.slice(instruction.args.indexOf('['));
  return JSON.parse(json) as string[];
}
