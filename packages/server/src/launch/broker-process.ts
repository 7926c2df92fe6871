/**
 * The one way to run the built broker as a process of its own, for tests that must kill it,
 * the measuring scripts and the bench: `node packages/server/dist/bin/warren.js` on 127.0.0.1,
 * port 0 and a data directory (a fresh temporary one unless given), ready once it logs
 * 'warren is ready' with its URL, stopped by its PID (SIGTERM, then SIGKILL after a grace
 * period), its temporary directory removed. Nothing here is imported by the broker itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BROKER_NODE_FLAGS } from './node-flags.js';

export { freePort } from './free-port.js';
export { BROKER_NODE_FLAGS } from './node-flags.js';

/** The built bin; the same path from src/launch (tests run the sources) and dist/launch. */
export const WARREN_BIN = fileURLToPath(new URL('../../dist/bin/warren.js', import.meta.url));

const READY_TIMEOUT_MS = 15_000;
/** Output lines kept to explain a broker that fails to start. */
const TAIL_LINES = 20;

export interface LaunchOptions {
  /** Names the temporary data directory (warren-<name>-…), to tell runs apart. */
  name?: string;
  /** Where the broker keeps its data; a fresh temporary directory (removed by stop()) by default. */
  dataDir?: string;
  /** More environment variables (WARREN_CONFIG, limits, …); they win over the defaults here. */
  env?: Record<string, string>;
  /** Node flags for the broker besides BROKER_NODE_FLAGS (node-flags.ts), e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** A command the broker runs under, e.g. `['strace', '-f', …]`: node and its arguments follow it. */
  wrapper?: readonly string[];
  /** `inherit` (default): the broker's stderr goes to ours; `pipe`: it is kept for the failure message only. */
  stderr?: 'inherit' | 'pipe';
  /** How long the broker may take to log that it is ready (default 15 s); a loaded machine may need more. */
  readyTimeoutMs?: number;
  /** Called with each stdout line, from the first on, and its parsed JSON (undefined when not a log line). */
  onLine?: (line: string, entry: Record<string, unknown> | undefined) => void;
}

export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The WebSocket URL (ws://127.0.0.1:<port>/ws). */
  readonly url: string;
  /** The HTTP base URL of the same port. */
  readonly httpUrl: string;
  readonly dataDir: string;
  /** Resolves with the exit code, or the signal's name, when the process ends. */
  readonly exited: Promise<number | string | null>;
  readonly running: boolean;
  /** SIGTERM, SIGKILL after `graceMs` (default: the broker's own 10 s and a little); then its temporary directory removed. */
  stop(graceMs?: number): Promise<number | string | null>;
  /** SIGKILL, as a crash; the data directory stays (the test restarts on it). */
  kill9(): Promise<void>;
  /** Last resort when the caller itself is exiting: synchronous, best effort. */
  killNow(): void;
}

/** The parsed JSON of a log line, or undefined for anything else. */
export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The URL of the broker's ready line, undefined for any other line. */
export function readyUrlOf(entry: Record<string, unknown> | undefined): string | undefined {
  return entry?.msg === 'warren is ready' && typeof entry.url === 'string' ? entry.url : undefined;
}

export async function launchBroker(options: LaunchOptions = {}): Promise<BrokerProcess> {
  const ownDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), `warren-${options.name === undefined ? '' : `${options.name}-`}`)) : undefined;
  const dataDir = options.dataDir ?? ownDir!;
  const removeOwnDir = (): void => {
    if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
  };
  const [command, ...prefix] = options.wrapper === undefined || options.wrapper.length === 0 ? [process.execPath] : [...options.wrapper, process.execPath];
  const child = spawn(command!, [...prefix, ...BROKER_NODE_FLAGS, ...(options.nodeArgs ?? []), WARREN_BIN], {
    env: { ...process.env, WARREN_HOST: '127.0.0.1', WARREN_PORT: '0', WARREN_DATA_DIR: dataDir, WARREN_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
  });
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code));
    child.once('error', () => resolve(null));
  });
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', keep);
  const lines = createInterface({ input: child.stdout! });
  let ready = false;
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
      const timer = setTimeout(() => reject(new Error(`the broker was not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
      void exited.then((how) => reject(new Error(`the broker exited (${String(how)}) before it was ready`)));
      // Read on after ready too: a full pipe would block the broker's logger.
      lines.on('line', (line) => {
        const entry = parseLogLine(line);
        options.onLine?.(line, entry);
        if (ready) return;
        keep(line);
        const found = readyUrlOf(entry);
        if (found === undefined) return;
        ready = true;
        clearTimeout(timer);
        resolve(found);
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    removeOwnDir();
    throw new Error(`${(error as Error).message}\n--- broker output (last lines) ---\n${tail.join('\n')}`);
  }
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid!,
    url,
    httpUrl: url.replace(/^ws/, 'http').replace(/\/ws$/, ''),
    dataDir,
    exited,
    get running() {
      return running();
    },
    async stop(graceMs = 12_000) {
      if (running()) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const how = await exited;
      clearTimeout(killer);
      removeOwnDir();
      return how;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    killNow() {
      if (running()) child.kill('SIGKILL');
      removeOwnDir();
    },
  };
}
