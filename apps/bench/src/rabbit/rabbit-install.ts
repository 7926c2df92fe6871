/**
 * Makes sure Debian's rabbitmq-server is installed, installing it with apt-get only when it is
 * missing, and only because `--vs-rabbitmq` asked for it. Starting and stopping a node is
 * rabbit-process.ts's job. policy-rc.d and the package's own scripts decide whether apt starts
 * a system service; the bench never uses one: it starts its own node on its own ports.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';

/**
 * The real start script. /usr/sbin/rabbitmq-server is a wrapper that, run as root, switches to the
 * `rabbitmq` user and resets HOME, which would put our node's Erlang cookie and data elsewhere.
 */
export const RABBIT_BIN_DIR = '/usr/lib/rabbitmq/bin';

async function rabbitInstalled(): Promise<boolean> {
  return access(`${RABBIT_BIN_DIR}/rabbitmq-server`).then(
    () => true,
    () => false,
  );
}

/** Installs rabbitmq-server when missing; apt-get's output goes to stderr, the report stays on stdout. */
export async function ensureRabbitInstalled(log: (line: string) => void): Promise<void> {
  if (await rabbitInstalled()) return;
  log('rabbitmq-server is not installed: apt-get install -y rabbitmq-server');
  if ((await aptGet(['install', '-y', 'rabbitmq-server'])) !== 0) {
    // Usually an empty or stale package list (a fresh container): refresh it once and retry.
    log('apt-get install failed; running apt-get update and trying again');
    if ((await aptGet(['update'])) !== 0) throw new Error('apt-get update failed');
    if ((await aptGet(['install', '-y', 'rabbitmq-server'])) !== 0) throw new Error('apt-get install -y rabbitmq-server failed');
  }
  if (!(await rabbitInstalled())) throw new Error(`rabbitmq-server installed, but ${RABBIT_BIN_DIR}/rabbitmq-server is missing`);
}

function aptGet(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
