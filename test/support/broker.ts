/**
 * Starting real brokers for tests: in this process (startBroker) for most end-to-end tests,
 * or as a child process running the built bin (spawnBroker) when a test must kill -9 it. Both
 * listen on 127.0.0.1 port 0 and keep their data in a fresh temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig, startServer, type Config, type WarrenServer } from '@warren/server';

export async function tempDir(prefix = 'warren-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface TestBroker extends WarrenServer {
  dataDir: string;
  /** Stops the broker and removes its data. */
  dispose(): Promise<void>;
}

export async function startBroker(overrides: Partial<Config> = {}, dataDir?: string): Promise<TestBroker> {
  const dir = dataDir === undefined ? await tempDir() : undefined;
  const config = loadConfig({ overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', dataDir: dataDir ?? dir!.path, ...overrides } });
  const server = await startServer(config, createLogger(config));
  return {
    ...server,
    dataDir: config.dataDir,
    dispose: async () => {
      await server.close();
      await dir?.remove();
    },
  };
}

const BIN = fileURLToPath(new URL('../../packages/server/dist/bin/warren.js', import.meta.url));

export interface BrokerProcess {
  child: ChildProcess;
  url: string;
  httpUrl: string;
  /** Resolves with the exit code or signal when the process ends. */
  exited: Promise<number | string | null>;
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code (or signal). */
  stop(): Promise<number | string | null>;
}

/** Runs the built `warren` bin on port 0 and waits for its ready log line. */
export async function spawnBroker(dataDir: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [BIN], {
    env: { ...process.env, WARREN_HOST: '127.0.0.1', WARREN_PORT: '0', WARREN_DATA_DIR: dataDir, WARREN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'warren is ready' && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    void exited.then((how) => reject(new Error(`warren exited (${String(how)}) before it was ready`)));
  });
  return {
    child,
    url,
    httpUrl: url.replace(/^ws/, 'http').replace(/\/ws$/, ''),
    exited,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
