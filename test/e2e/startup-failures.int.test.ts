/**
 * Start-up failures an operator can fix are one line naming the cause and the fix, with a
 * documented exit code (docs/operations.md, "Exit codes"), never a stack trace.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARREN_BIN } from '@warren/server/launch';
import { spawnBroker, tempDir, type BrokerProcess } from '../support/broker.js';

/** Runs the built bin (the launcher's, which waits for ready and so cannot watch a failed start) to its end; resolves with its exit code and what it wrote to stderr. */
function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WARREN_BIN, ...args], { env: { ...process.env, WARREN_HOST: '127.0.0.1', WARREN_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let running: BrokerProcess;

beforeAll(async () => {
  dir = await tempDir();
  running = await spawnBroker(dir.path);
});
afterAll(async () => {
  await running.stop();
  await dir.remove();
});

describe('warren start-up failures', () => {
  it('a data directory held by another broker: exit 4, one line naming the directory and the setting', async () => {
    const { code, stderr } = await run({ WARREN_PORT: '0', WARREN_DATA_DIR: dir.path });
    expect(code).toBe(4);
    expect(stderr.trim().split('\n')).toEqual([`warren: data directory ${dir.path} is in use by another Warren process: stop that broker, or choose another directory with --data-dir or WARREN_DATA_DIR`]);
  });

  it('a port in use: exit 3, one line naming the address and the setting; the data directory is released', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const own = await tempDir();
    try {
      const { code, stderr } = await run({ WARREN_PORT: String(port), WARREN_DATA_DIR: own.path });
      expect(code).toBe(3);
      expect(stderr.trim().split('\n')).toEqual([`warren: port 127.0.0.1:${port} is already in use (another broker?): stop that process, or choose another port with --port or WARREN_PORT`]);
      taken.close();
      const next = await spawnBroker(own.path);
      expect(await next.stop()).toBe(0);
    } finally {
      taken.close();
      await own.remove();
    }
  });

  it('a bad setting: exit 2, one line naming the key', async () => {
    const { code, stderr } = await run({ WARREN_ALLOWED_ORIGINS: 'not-an-origin' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([`warren: invalid configuration: allowedOrigins 'not-an-origin' is not an origin (scheme://host[:port], http or https) or '*'`]);
  });

  it('--help names what the port serves and the flags that exist', async () => {
    const help = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [WARREN_BIN, '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.once('exit', () => resolve(out));
    });
    expect(help).toContain('--allowed-origins');
    // commander wraps long descriptions to the terminal's width.
    expect(help.replace(/\s+/g, ' ')).toContain('the admin UI and /metrics');
    const port = await fetch(`${running.httpUrl}/metrics`);
    expect(port.status).toBe(200);
  });
});
