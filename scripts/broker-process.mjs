// A Warren broker as a process of its own for the measuring scripts: built dist/, 127.0.0.1, an
// ephemeral port and a fresh data directory; its RSS read from /proc by PID; stopped by its PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const bin = new URL('../packages/server/dist/bin/warren.js', import.meta.url).pathname;

export async function startBrokerProcess(name, env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `warren-${name}-`));
  const child = spawn(process.execPath, [bin], {
    env: { ...process.env, WARREN_HOST: '127.0.0.1', WARREN_PORT: '0', WARREN_DATA_DIR: dataDir, WARREN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the broker exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"warren is ready"')) resolve(JSON.parse(line).url);
    });
  });
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return {
    pid: child.pid,
    url,
    httpUrl: url.replace(/^ws/, 'http').replace(/\/ws$/, ''),
    status,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(status())[1]) / 1024,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
