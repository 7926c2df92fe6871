/**
 * Starting real brokers for tests: in this process (startBroker) for most end-to-end tests,
 * or as a child process running the built bin (spawnBroker, the launcher the scripts and the
 * bench use too) when a test must kill -9 it. Both
 * listen on 127.0.0.1 port 0 and keep their data in a fresh temp dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, startServer, type Config, type WarrenServer } from '@warren/server';
import { launchBroker, type BrokerProcess } from '@warren/server/launch';

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

export type { BrokerProcess } from '@warren/server/launch';

/** Runs the built `warren` bin (the shared launcher) on port 0 in `dataDir`, which it keeps. */
export function spawnBroker(dataDir: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  return launchBroker({ dataDir, env });
}
